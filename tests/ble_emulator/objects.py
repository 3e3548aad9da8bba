"""BlueZ's D-Bus interfaces (doc/org.bluez.*.rst), exported with dbus-fast's service API.

Why dbus-fast and not python-dbusmock: dbus-fast is already installed (bleak
depends on it on Linux), exports services in pure Python on an asyncio loop
shared with the test, and lets the test drive the peripherals directly
(notifications, link loss) without a second process. python-dbusmock's bluez5
template stops at adapters and devices: no GattService1/GattCharacteristic1,
no notifications, which is exactly what hiitd lives on.

These classes hold state and answer calls; what a call *does* to the
emulated world (connect a device, start a scan) is decided by the owner in
``bluez.py`` through the small ``Behaviour`` protocols below.
"""

# No ``from __future__ import annotations``: dbus-fast reads the D-Bus
# signatures from the real annotation objects at class creation.

from typing import Protocol

from dbus_fast import DBusError, Variant
from dbus_fast.constants import PropertyAccess
from dbus_fast.service import ServiceInterface, dbus_method, dbus_property

from .dbus_types import (
    Bool,
    Bytes,
    Int16,
    ManufacturerData,
    Options,
    Path,
    Paths,
    ServiceData,
    Str,
    Strs,
    UInt16,
)

READ = PropertyAccess.READ

IN_PROGRESS = "org.bluez.Error.InProgress"
FAILED = "org.bluez.Error.Failed"
NOT_READY = "org.bluez.Error.NotReady"
NOT_CONNECTED = "org.bluez.Error.NotConnected"
NOT_SUPPORTED = "org.bluez.Error.NotSupported"
DOES_NOT_EXIST = "org.bluez.Error.DoesNotExist"
UNKNOWN_OBJECT = "org.freedesktop.DBus.Error.UnknownObject"


class AdapterBehaviour(Protocol):
    """What the adapter's methods do (implemented by the emulated BlueZ)."""

    def start_discovery(self) -> None: ...
    def stop_discovery(self) -> None: ...
    def set_filter(self, uuids: list[str]) -> None: ...
    def remove_device(self, path: str) -> None: ...


class DeviceBehaviour(Protocol):
    """What a device's methods do."""

    async def connect(self) -> None: ...
    async def disconnect(self) -> None: ...


class CharBehaviour(Protocol):
    """What a characteristic's methods do."""

    def read(self) -> bytes: ...
    def start_notify(self) -> None: ...
    def stop_notify(self) -> None: ...


class Adapter1(ServiceInterface):
    """``org.bluez.Adapter1`` at ``/org/bluez/hci0``."""

    def __init__(self, behaviour: AdapterBehaviour, address: str) -> None:
        super().__init__("org.bluez.Adapter1")
        self.behaviour = behaviour
        self.address = address
        self.powered = True
        self.discovering = False

    @dbus_method()
    def SetDiscoveryFilter(self, properties: Options) -> None:  # noqa: N802
        uuids = properties.get("UUIDs")
        self.behaviour.set_filter(list(uuids.value) if uuids else [])

    @dbus_method()
    def StartDiscovery(self) -> None:  # noqa: N802
        self.behaviour.start_discovery()

    @dbus_method()
    def StopDiscovery(self) -> None:  # noqa: N802
        self.behaviour.stop_discovery()

    @dbus_method()
    def RemoveDevice(self, device: Path) -> None:  # noqa: N802
        self.behaviour.remove_device(device)

    @dbus_method()
    def GetDiscoveryFilters(self) -> Strs:  # noqa: N802
        return ["UUIDs", "RSSI", "Pathloss", "Transport", "DuplicateData", "Discoverable"]

    @dbus_property(access=READ)
    def Address(self) -> Str:  # noqa: N802
        return self.address

    @dbus_property(access=READ)
    def AddressType(self) -> Str:  # noqa: N802
        return "public"

    @dbus_property(access=READ)
    def Name(self) -> Str:  # noqa: N802
        return "hiitd-test"

    @dbus_property(access=READ)
    def Alias(self) -> Str:  # noqa: N802
        return "hiitd-test"

    @dbus_property(access=READ)
    def Powered(self) -> Bool:  # noqa: N802
        return self.powered

    @dbus_property(access=READ)
    def Discoverable(self) -> Bool:  # noqa: N802
        return False

    @dbus_property(access=READ)
    def Pairable(self) -> Bool:  # noqa: N802
        return True

    @dbus_property(access=READ)
    def Discovering(self) -> Bool:  # noqa: N802
        return self.discovering

    @dbus_property(access=READ)
    def Roles(self) -> Strs:  # noqa: N802
        return ["central", "peripheral"]

    @dbus_property(access=READ)
    def UUIDs(self) -> Strs:  # noqa: N802
        return []


class Device1(ServiceInterface):
    """``org.bluez.Device1`` at ``/org/bluez/hci0/dev_XX_XX_XX_XX_XX_XX``."""

    def __init__(
        self, behaviour: DeviceBehaviour, *, adapter: str, address: str, name: str | None
    ) -> None:
        super().__init__("org.bluez.Device1")
        self.behaviour = behaviour
        self.adapter = adapter
        self.address = address
        self.device_name = name
        self.rssi = -60
        self.uuids: list[str] = []
        self.manufacturer_data: dict[int, bytes] = {}
        self.service_data: dict[str, bytes] = {}
        self.connected = False
        self.services_resolved = False

    @dbus_method()
    async def Connect(self) -> None:  # noqa: N802
        await self.behaviour.connect()

    @dbus_method()
    async def Disconnect(self) -> None:  # noqa: N802
        await self.behaviour.disconnect()

    @dbus_method()
    def Pair(self) -> None:  # noqa: N802
        raise DBusError(NOT_SUPPORTED, "Operation is not supported")

    @dbus_property(access=READ)
    def Address(self) -> Str:  # noqa: N802
        return self.address

    @dbus_property(access=READ)
    def AddressType(self) -> Str:  # noqa: N802
        return "random"

    @dbus_property(access=READ)
    def Name(self) -> Str:  # noqa: N802
        return self.device_name or ""

    @dbus_property(access=READ)
    def Alias(self) -> Str:  # noqa: N802
        # BlueZ's alias falls back to the address with dashes (bleak maps that to None).
        return self.device_name or self.address.replace(":", "-")

    @dbus_property(access=READ)
    def Adapter(self) -> Path:  # noqa: N802
        return self.adapter

    @dbus_property(access=READ)
    def Paired(self) -> Bool:  # noqa: N802
        return False

    @dbus_property(access=READ)
    def Bonded(self) -> Bool:  # noqa: N802
        return False

    @dbus_property(access=READ)
    def Trusted(self) -> Bool:  # noqa: N802
        return False

    @dbus_property(access=READ)
    def Blocked(self) -> Bool:  # noqa: N802
        return False

    @dbus_property(access=READ)
    def LegacyPairing(self) -> Bool:  # noqa: N802
        return False

    @dbus_property(access=READ)
    def RSSI(self) -> Int16:  # noqa: N802
        return self.rssi

    @dbus_property(access=READ)
    def UUIDs(self) -> Strs:  # noqa: N802
        return self.uuids

    @dbus_property(access=READ)
    def ManufacturerData(self) -> ManufacturerData:  # noqa: N802
        return {k: Variant("ay", v) for k, v in self.manufacturer_data.items()}

    @dbus_property(access=READ)
    def ServiceData(self) -> ServiceData:  # noqa: N802
        return {k: Variant("ay", v) for k, v in self.service_data.items()}

    @dbus_property(access=READ)
    def Connected(self) -> Bool:  # noqa: N802
        return self.connected

    @dbus_property(access=READ)
    def ServicesResolved(self) -> Bool:  # noqa: N802
        return self.services_resolved


class GattService1(ServiceInterface):
    """``org.bluez.GattService1`` at ``<device>/serviceXXXX``."""

    def __init__(self, uuid: str, device: str) -> None:
        super().__init__("org.bluez.GattService1")
        self.uuid, self.device = uuid, device

    @dbus_property(access=READ)
    def UUID(self) -> Str:  # noqa: N802
        return self.uuid

    @dbus_property(access=READ)
    def Device(self) -> Path:  # noqa: N802
        return self.device

    @dbus_property(access=READ)
    def Primary(self) -> Bool:  # noqa: N802
        return True

    @dbus_property(access=READ)
    def Includes(self) -> Paths:  # noqa: N802
        return []


class GattCharacteristic1(ServiceInterface):
    """``org.bluez.GattCharacteristic1`` at ``<service>/charXXXX``.

    No ``NotifyAcquired`` property, like a BlueZ without AcquireNotify support
    for this characteristic: bleak then uses StartNotify and PropertiesChanged.
    """

    def __init__(
        self, behaviour: CharBehaviour, *, uuid: str, service: str, flags: list[str]
    ) -> None:
        super().__init__("org.bluez.GattCharacteristic1")
        self.behaviour = behaviour
        self.uuid, self.service, self.flags = uuid, service, flags
        self.value = b""
        self.notifying = False

    @dbus_method()
    def ReadValue(self, options: Options) -> Bytes:  # noqa: N802
        self.value = self.behaviour.read()
        return self.value

    @dbus_method()
    def WriteValue(self, value: Bytes, options: Options) -> None:  # noqa: N802
        if "write" not in self.flags and "write-without-response" not in self.flags:
            raise DBusError("org.bluez.Error.NotPermitted", "Write not permitted")
        self.value = value

    @dbus_method()
    def StartNotify(self) -> None:  # noqa: N802
        self.behaviour.start_notify()

    @dbus_method()
    def StopNotify(self) -> None:  # noqa: N802
        self.behaviour.stop_notify()

    @dbus_property(access=READ)
    def UUID(self) -> Str:  # noqa: N802
        return self.uuid

    @dbus_property(access=READ)
    def Service(self) -> Path:  # noqa: N802
        return self.service

    @dbus_property(access=READ)
    def Value(self) -> Bytes:  # noqa: N802
        return self.value

    @dbus_property(access=READ)
    def Notifying(self) -> Bool:  # noqa: N802
        return self.notifying

    @dbus_property(access=READ)
    def Flags(self) -> Strs:  # noqa: N802
        return self.flags

    @dbus_property(access=READ)
    def MTU(self) -> UInt16:  # noqa: N802
        return 247


class GattDescriptor1(ServiceInterface):
    """``org.bluez.GattDescriptor1`` at ``<characteristic>/descXXXX`` (the CCCD)."""

    def __init__(self, uuid: str, characteristic: str) -> None:
        super().__init__("org.bluez.GattDescriptor1")
        self.uuid, self.characteristic = uuid, characteristic
        self.value = b"\x00\x00"

    @dbus_method()
    def ReadValue(self, options: Options) -> Bytes:  # noqa: N802
        return self.value

    @dbus_property(access=READ)
    def UUID(self) -> Str:  # noqa: N802
        return self.uuid

    @dbus_property(access=READ)
    def Characteristic(self) -> Path:  # noqa: N802
        return self.characteristic

    @dbus_property(access=READ)
    def Value(self) -> Bytes:  # noqa: N802
        return self.value
