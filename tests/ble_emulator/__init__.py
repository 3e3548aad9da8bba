"""BLE without a radio: a private dbus-daemon and an emulated BlueZ for bleak's real backend."""

from .bluez import ADAPTER_PATH, EmulatedBlueZ
from .bus import PrivateBus
from .peripheral import ABORT_BY_LOCAL, Char, Peripheral, Service

__all__ = [
    "ABORT_BY_LOCAL",
    "ADAPTER_PATH",
    "Char",
    "EmulatedBlueZ",
    "Peripheral",
    "PrivateBus",
    "Service",
]
