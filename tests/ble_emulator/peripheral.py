"""One emulated peripheral: its Device1 object, its GATT tree, and the test's control API."""

from __future__ import annotations

import asyncio
import time
from collections import deque
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from dbus_fast import DBusError

from .objects import (
    FAILED,
    NOT_READY,
    NOT_SUPPORTED,
    Device1,
    GattCharacteristic1,
    GattDescriptor1,
    GattService1,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

    from dbus_fast.service import ServiceInterface

    from .bluez import EmulatedBlueZ

CCCD = "00002902-0000-1000-8000-00805f9b34fb"
ABORT_BY_LOCAL = "le-connection-abort-by-local"


@dataclass
class Char:
    """A characteristic: ``handle`` is its declaration handle, as in BlueZ's path."""

    uuid: str
    handle: int
    flags: list[str]
    value: Callable[[], bytes] = lambda: b""


@dataclass
class Service:
    """A primary service and its characteristics."""

    uuid: str
    handle: int
    chars: list[Char]


class _CharBehaviour:
    def __init__(self, peripheral: Peripheral, spec: Char) -> None:
        self.peripheral, self.spec = peripheral, spec
        self.clients: set[str] = set()
        self.iface: GattCharacteristic1 | None = None

    def read(self) -> bytes:
        if "read" not in self.spec.flags:
            raise DBusError("org.bluez.Error.NotPermitted", "Read not permitted")
        return self.spec.value()

    def start_notify(self) -> None:
        if "notify" not in self.spec.flags and "indicate" not in self.spec.flags:
            raise DBusError(NOT_SUPPORTED, "Operation is not supported")
        assert self.peripheral.bluez is not None
        self.clients.add(self.peripheral.bluez.sender)
        self.set_notifying()

    def stop_notify(self) -> None:
        assert self.peripheral.bluez is not None
        self.clients.discard(self.peripheral.bluez.sender)
        self.set_notifying()

    def set_notifying(self) -> None:
        assert self.iface is not None
        notifying = bool(self.clients)
        if notifying != self.iface.notifying:
            self.iface.notifying = notifying
            self.iface.emit_properties_changed({"Notifying": notifying})


@dataclass
class Peripheral:
    """A BLE peripheral in range of hci0, driven by the test.

    ``frames`` feeds the first notifying characteristic (the measurement) every
    ``interval_s`` while connected; the control methods below are the faults.
    """

    address: str
    name: str | None
    services: list[Service]
    advertised_uuids: list[str]
    frames: Iterator[bytes]
    rssi: int = -60
    interval_s: float = 0.1
    available: bool = True
    bluez: EmulatedBlueZ | None = None
    device: Device1 = field(init=False)
    feeder: asyncio.Task[None] | None = None
    connect_errors: deque[tuple[str, str]] = field(default_factory=deque)
    injected: deque[bytes] = field(default_factory=deque)
    silent: bool = False
    sent: int = 0  # measurement notifications emitted
    last_available_at: float = 0.0  # time.monotonic() of the latest "advertising again"
    _gatt: list[tuple[str, ServiceInterface]] = field(default_factory=list)
    _chars: dict[str, _CharBehaviour] = field(default_factory=dict)
    _available_event: asyncio.Event = field(default_factory=asyncio.Event)

    def __post_init__(self) -> None:
        self.device = Device1(self, adapter="/org/bluez/hci0", address=self.address, name=self.name)
        self.device.uuids = list(self.advertised_uuids)
        self.device.rssi = self.rssi
        for service in self.services:
            for spec in service.chars:
                self._chars[spec.uuid] = _CharBehaviour(self, spec)
        if self.available:
            self._available_event.set()

    @property
    def path(self) -> str:
        """``/org/bluez/hci0/dev_XX_XX_XX_XX_XX_XX``."""
        return "/org/bluez/hci0/dev_" + self.address.replace(":", "_")

    @property
    def exported(self) -> bool:
        """Whether BlueZ currently has an object for this device."""
        return (
            self.bluez is not None
            and self.bluez.bus is not None
            and (self.path in self.bluez.bus._path_exports)
        )

    @property
    def advertising(self) -> bool:
        """In range, awake and not connected (a strap stops advertising once connected)."""
        return self.available and not self.device.connected

    def attach(self, bluez: EmulatedBlueZ) -> None:
        """Called by ``EmulatedBlueZ.add``."""
        self.bluez = bluez

    def _bus_export(self, path: str, iface: ServiceInterface) -> None:
        assert self.bluez is not None
        assert self.bluez.bus is not None
        self.bluez.bus.export(path, iface)

    def _bus_unexport(self, path: str) -> None:
        assert self.bluez is not None
        assert self.bluez.bus is not None
        self.bluez.bus.unexport(path)

    # -- what the radio sees

    def advertisement_seen(self, tick: int) -> None:
        """An advertisement during discovery: the object appears, or its RSSI moves."""
        if not self.exported:
            self._bus_export(self.path, self.device)
            return
        # Real RSSI wobbles; a changed value is what makes BlueZ signal.
        self.device.rssi = self.rssi + (tick % 2)
        self.device.emit_properties_changed({"RSSI": self.device.rssi})

    def client_left(self, name: str) -> None:
        """A D-Bus client went away: its notification sessions end (as in gatt-client.c)."""
        for char in self._chars.values():
            if name in char.clients:
                char.clients.discard(name)
                if char.iface is not None:
                    char.set_notifying()

    # -- org.bluez.Device1 behaviour

    async def connect(self) -> None:
        """Device1.Connect."""
        assert self.bluez is not None
        if not self.bluez.adapter.powered:
            raise DBusError(NOT_READY, "Resource Not Ready")
        if self.device.connected:
            raise DBusError("org.bluez.Error.AlreadyConnected", "Already Connected")
        if self.connect_errors:
            name, text = self.connect_errors.popleft()
            if text == ABORT_BY_LOCAL:
                # The controller did connect, then the host cancelled: bluetoothd
                # signals Connected true then false before the error reply.
                self._set_device(connected=True)
                self._set_device(connected=False)
            raise DBusError(name, text)
        await self._available_event.wait()  # LE create-connection waits for an advert
        await asyncio.sleep(0.05)
        if not self.bluez.adapter.powered:
            raise DBusError(FAILED, ABORT_BY_LOCAL)
        self._set_device(connected=True)
        for service in self.services:
            spath = f"{self.path}/service{service.handle:04x}"
            self._export_gatt(spath, GattService1(service.uuid, self.path))
            for spec in service.chars:
                cpath = f"{spath}/char{spec.handle:04x}"
                behaviour = self._chars[spec.uuid]
                behaviour.iface = GattCharacteristic1(
                    behaviour, uuid=spec.uuid, service=spath, flags=spec.flags
                )
                self._export_gatt(cpath, behaviour.iface)
                if "notify" in spec.flags or "indicate" in spec.flags:
                    dpath = f"{cpath}/desc{spec.handle + 2:04x}"
                    self._export_gatt(dpath, GattDescriptor1(CCCD, cpath))
        self.device.services_resolved = True
        self.device.emit_properties_changed({"ServicesResolved": True})
        self.feeder = asyncio.create_task(self._feed(), name=f"feed-{self.address}")

    async def disconnect(self) -> None:
        """Device1.Disconnect: also cancels a pending connect; not connected is success."""
        if self.device.connected:
            self.link_lost()

    def _export_gatt(self, path: str, iface: ServiceInterface) -> None:
        self._bus_export(path, iface)
        self._gatt.append((path, iface))

    def _set_device(self, *, connected: bool) -> None:
        self.device.connected = connected
        self.device.emit_properties_changed({"Connected": connected})

    def link_lost(self) -> None:
        """The link goes: ServicesResolved false, GATT tree removed, Connected false."""
        if self.feeder is not None:
            self.feeder.cancel()
            self.feeder = None
        if self.device.services_resolved:
            self.device.services_resolved = False
            self.device.emit_properties_changed({"ServicesResolved": False})
        for path, _ in reversed(self._gatt):
            self._bus_unexport(path)
        self._gatt.clear()
        for char in self._chars.values():
            char.clients.clear()
            char.iface = None
        if self.device.connected:
            self._set_device(connected=False)

    def remove_object(self) -> None:
        """The Device1 object goes (RemoveDevice, or BlueZ's temporary-device timeout)."""
        if self.device.connected:
            self.link_lost()
        if self.exported:
            self._bus_unexport(self.path)

    async def _feed(self) -> None:
        measurement = next(c for c in self._chars.values() if "notify" in c.spec.flags)
        while True:
            await asyncio.sleep(self.interval_s)
            if self.injected:
                payload = self.injected.popleft()
            elif self.silent:
                continue
            else:
                payload = next(self.frames)
            self.notify(measurement.spec.uuid, payload)
            self.sent += 1

    def notify(self, uuid: str, payload: bytes) -> None:
        """Send a notification on ``uuid`` (if some client subscribed)."""
        char = self._chars[uuid]
        if char.iface is not None and char.iface.notifying:
            char.iface.value = payload
            char.iface.emit_properties_changed({"Value": payload})

    # -- control API

    def drop_link(self, *, advertise: bool = False) -> None:
        """The peripheral drops the link (out of range); ``advertise`` says whether it is back."""
        self.set_available(available=advertise)
        self.link_lost()

    def vanish(self) -> None:
        """Gone: the link drops and BlueZ removes the object (InterfacesRemoved)."""
        self.set_available(available=False)
        self.remove_object()

    def set_available(self, *, available: bool) -> None:
        """In range and advertising (again), or not."""
        if available and not self.available:
            self.last_available_at = time.monotonic()
        self.available = available
        if available:
            self._available_event.set()
        else:
            self._available_event.clear()

    def fail_next_connects(self, *errors: tuple[str, str]) -> None:
        """The next Connect calls fail with these (error name, message) pairs, in order."""
        self.connect_errors.extend(errors)

    def stop_notifications(self) -> None:
        """Notifications silently stop; the link stays up."""
        self.silent = True

    def resume_notifications(self) -> None:
        """Notifications flow again."""
        self.silent = False

    def send(self, *payloads: bytes) -> None:
        """Send these raw measurement payloads next (malformed, contact lost, ...)."""
        self.injected.extend(payloads)
