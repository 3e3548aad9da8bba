"""The emulated BlueZ: one adapter (hci0) and its peripherals, on a private bus.

Behaviour copied from bluetoothd (src/adapter.c, src/device.c, src/gatt-client.c):

- device objects appear (InterfacesAdded) only when an advertisement is seen
  during discovery, and while discovering every advertisement updates RSSI
  (PropertiesChanged): bleak reports only devices that signal during a scan;
- discovery is per D-Bus client: a second StartDiscovery from the same client
  is ``org.bluez.Error.InProgress``; a client leaving the bus ends its session;
- Connect on a powered-off adapter is ``org.bluez.Error.NotReady``; on a
  device that is not advertising it waits (the LE create-connection does);
- connecting exports the GATT tree (InterfacesAdded), then ServicesResolved;
  losing the link sets ServicesResolved false, removes the tree
  (InterfacesRemoved, an unbonded device keeps no cache) and sets Connected false;
- notifications are PropertiesChanged on ``Value`` while some client that
  called StartNotify is still on the bus;
- a call to a removed object is ``org.freedesktop.DBus.Error.UnknownObject``.
"""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

from dbus_fast import BusType, DBusError, Message, MessageType
from dbus_fast.aio import MessageBus

from .objects import (
    FAILED,
    IN_PROGRESS,
    NOT_READY,
    UNKNOWN_OBJECT,
    Adapter1,
)

if TYPE_CHECKING:
    from .peripheral import Peripheral

ADAPTER_PATH = "/org/bluez/hci0"

# Advertising interval of the emulated peripherals: real straps advertise
# every 0.1-1 s; short keeps scans (and so the suite) quick.
ADVERTISING_INTERVAL_S = 0.1

# Time from a Connect call to the link being up (a real LE connection and
# service discovery take 0.1-2 s).
CONNECT_LATENCY_S = 0.05


class EmulatedBlueZ:
    """``org.bluez`` on the private bus: the adapter, its devices, and a control API."""

    def __init__(self, bus_address: str) -> None:
        self.bus_address = bus_address
        self.bus: MessageBus | None = None
        self.adapter = Adapter1(self, "00:1A:7D:DA:71:13")
        self.peripherals: dict[str, Peripheral] = {}
        self.calls: list[str] = []  # "Member path" of every method call, for assertions
        self._sessions: dict[str, list[str]] = {}  # discovery clients -> their UUID filter
        self._filters: dict[str, list[str]] = {}
        self._sender = ""
        self._ticker: asyncio.Task[None] | None = None

    @property
    def sender(self) -> str:
        """The unique bus name of the client whose call is being handled."""
        return self._sender

    async def start(self) -> None:
        """Connect, own ``org.bluez`` and export the adapter."""
        self.bus = await MessageBus(bus_address=self.bus_address, bus_type=BusType.SYSTEM).connect()
        self.bus.add_message_handler(self._on_message)
        await self.bus.call(
            Message(
                destination="org.freedesktop.DBus",
                path="/org/freedesktop/DBus",
                interface="org.freedesktop.DBus",
                member="AddMatch",
                signature="s",
                body=["type='signal',sender='org.freedesktop.DBus',member='NameOwnerChanged'"],
            )
        )
        self.bus.export(ADAPTER_PATH, self.adapter)
        await self.bus.request_name("org.bluez")
        self._ticker = asyncio.create_task(self._advertise(), name="bluez-emulator-adverts")

    async def stop(self) -> None:
        """Stop advertising and feeding, and leave the bus."""
        tasks = [self._ticker] if self._ticker else []
        tasks += [p.feeder for p in self.peripherals.values() if p.feeder]
        for task in tasks:
            task.cancel()
        for task in tasks:
            with contextlib.suppress(asyncio.CancelledError):
                await task
        if self.bus is not None:
            self.bus.disconnect()
            await self.bus.wait_for_disconnect()
            self.bus = None

    def add(self, peripheral: Peripheral) -> Peripheral:
        """Put a peripheral in range (it advertises unless told otherwise)."""
        peripheral.attach(self)
        self.peripherals[peripheral.address] = peripheral
        return peripheral

    # -- what bluetoothd does on incoming messages

    def _on_message(self, msg: Message) -> Message | None:
        if msg.message_type is MessageType.SIGNAL:
            if msg.member == "NameOwnerChanged" and msg.body[0].startswith(":") and not msg.body[2]:
                self._client_left(msg.body[0])
            return None
        if msg.message_type is not MessageType.METHOD_CALL:
            return None
        self._sender = msg.sender or ""
        self.calls.append(f"{msg.member} {msg.path}")
        path = msg.path or ""
        exported = self.bus is not None and path in self.bus._path_exports
        if path.startswith("/org/bluez/") and not exported:
            return Message.new_error(msg, UNKNOWN_OBJECT, f'Method "{msg.member}" with '
                                     f'signature "{msg.signature}" on interface '
                                     f"\"{msg.interface}\" doesn't exist")  # fmt: skip
        return None

    def _client_left(self, name: str) -> None:
        if self._sessions.pop(name, None) is not None:
            self._discovery_changed()
        for p in self.peripherals.values():
            p.client_left(name)

    # -- org.bluez.Adapter1 behaviour

    def set_filter(self, uuids: list[str]) -> None:
        """SetDiscoveryFilter: remembered per client; an empty dict clears it."""
        if not self.adapter.powered:
            raise DBusError(NOT_READY, "Resource Not Ready")
        self._filters[self.sender] = [u.lower() for u in uuids]

    def start_discovery(self) -> None:
        """StartDiscovery: one session per client."""
        if not self.adapter.powered:
            raise DBusError(NOT_READY, "Resource Not Ready")
        if self.sender in self._sessions:
            raise DBusError(IN_PROGRESS, "Operation already in progress")
        self._sessions[self.sender] = self._filters.get(self.sender, [])
        self._discovery_changed()

    def stop_discovery(self) -> None:
        """StopDiscovery: only the client's own session."""
        if not self.adapter.powered:
            raise DBusError(NOT_READY, "Resource Not Ready")
        if self._sessions.pop(self.sender, None) is None:
            raise DBusError(FAILED, "No discovery started")
        self._discovery_changed()

    def remove_device(self, path: str) -> None:
        """RemoveDevice: drop the object (and the link)."""
        for p in self.peripherals.values():
            if p.path == path and p.exported:
                p.remove_object()
                return
        raise DBusError("org.bluez.Error.DoesNotExist", "Does Not Exist")

    def _discovery_changed(self) -> None:
        discovering = bool(self._sessions)
        if discovering != self.adapter.discovering:
            self.adapter.discovering = discovering
            self.adapter.emit_properties_changed({"Discovering": discovering})

    def wants(self, uuids: list[str]) -> bool:
        """Whether any discovery session's UUID filter lets these service UUIDs through."""
        return any(not f or set(f) & set(uuids) for f in self._sessions.values())

    async def _advertise(self) -> None:
        tick = 0
        while True:
            await asyncio.sleep(ADVERTISING_INTERVAL_S)
            tick += 1
            if not self.adapter.discovering:
                continue
            for p in list(self.peripherals.values()):
                if p.advertising and self.wants(p.device.uuids):
                    p.advertisement_seen(tick)

    # -- control API: the adapter

    def power_off(self) -> None:
        """``bluetoothctl power off``: links drop, discovery ends, calls say NotReady."""
        for p in self.peripherals.values():
            if p.device.connected:
                p.link_lost()
        self._sessions.clear()
        self._discovery_changed()
        self.adapter.powered = False
        self.adapter.emit_properties_changed({"Powered": False})

    def power_on(self) -> None:
        """``bluetoothctl power on``."""
        self.adapter.powered = True
        self.adapter.emit_properties_changed({"Powered": True})
