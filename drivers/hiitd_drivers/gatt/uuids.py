"""GATT UUIDs hiitd uses, and one way to spell them.

bleak reports and expects the full, lowercase 128-bit form; people and the CLI
type the 16-bit alias (``2a37``, ``0x2A37``). ``normalize_uuid`` maps both to
the full form so every comparison in hiitd is a plain string comparison.

A 16- or 32-bit alias is shorthand for the Bluetooth Base UUID
``0000xxxx-0000-1000-8000-00805f9b34fb`` (Core Specification v5.x, Vol 3,
Part B, §2.5.1).
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = [
    "BATTERY_LEVEL",
    "BATTERY_SERVICE",
    "BODY_SENSOR_LOCATION",
    "CHARACTERISTIC_NAMES",
    "DEVICE_INFORMATION_SERVICE",
    "FIRMWARE_REVISION",
    "HARDWARE_REVISION",
    "HEART_RATE_MEASUREMENT",
    "HEART_RATE_SERVICE",
    "MANUFACTURER_NAME",
    "MODEL_NUMBER",
    "RSC_FEATURE",
    "RSC_MEASUREMENT",
    "RSC_SERVICE",
    "SERIAL_NUMBER",
    "SOFTWARE_REVISION",
    "normalize_uuid",
    "short_uuid",
]

_BASE_SUFFIX: Final = "-0000-1000-8000-00805f9b34fb"

# Optional 0x, then exactly 4 or 8 hex digits: a 16- or 32-bit alias.
_ALIAS = re.compile(r"(?:0x)?([0-9a-f]{4}|[0-9a-f]{8})")
# The canonical 8-4-4-4-12 form, or the same 32 digits without dashes.
_FULL = re.compile(r"([0-9a-f]{8})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{4})-?([0-9a-f]{12})")


def normalize_uuid(text: str) -> str:
    """Return the full lowercase 128-bit form of a 16-bit, 32-bit or 128-bit UUID.

    Accepts ``2a37``, ``0x2A53``, ``0000180d``, and ``00002a37-0000-1000-8000-00805f9b34fb``
    (with or without dashes). Raises ``ValueError`` for anything else.
    """
    cleaned = text.strip().lower()
    alias = _ALIAS.fullmatch(cleaned)
    if alias is not None:
        return f"{int(alias.group(1), 16):08x}{_BASE_SUFFIX}"
    full = _FULL.fullmatch(cleaned)
    if full is not None:
        return "-".join(full.groups())
    raise ValueError(
        f"not a Bluetooth UUID: {text!r}; give a 16-bit alias like 2a37 or 0x2A37, "
        "or a full UUID like 00002a37-0000-1000-8000-00805f9b34fb"
    )


def short_uuid(text: str) -> str:
    """Return the shortest conventional form: ``2a37`` for base UUIDs, else the full form.

    Raises ``ValueError`` like ``normalize_uuid``.
    """
    full = normalize_uuid(text)
    if full.endswith(_BASE_SUFFIX):
        prefix = full[:8]
        return prefix.removeprefix("0000")
    return full


def _u16(alias: int) -> str:
    return f"{alias:08x}{_BASE_SUFFIX}"


# Services (Bluetooth Assigned Numbers, "Service UUIDs").
HEART_RATE_SERVICE: Final = _u16(0x180D)
RSC_SERVICE: Final = _u16(0x1814)
BATTERY_SERVICE: Final = _u16(0x180F)
DEVICE_INFORMATION_SERVICE: Final = _u16(0x180A)

# Characteristics (Bluetooth Assigned Numbers, "Characteristic UUIDs").
HEART_RATE_MEASUREMENT: Final = _u16(0x2A37)
BODY_SENSOR_LOCATION: Final = _u16(0x2A38)
RSC_MEASUREMENT: Final = _u16(0x2A53)
RSC_FEATURE: Final = _u16(0x2A54)
BATTERY_LEVEL: Final = _u16(0x2A19)
MANUFACTURER_NAME: Final = _u16(0x2A29)
MODEL_NUMBER: Final = _u16(0x2A24)
SERIAL_NUMBER: Final = _u16(0x2A25)
HARDWARE_REVISION: Final = _u16(0x2A27)
FIRMWARE_REVISION: Final = _u16(0x2A26)
SOFTWARE_REVISION: Final = _u16(0x2A28)

# Human names as the Assigned Numbers document spells them, for logs and the CLI.
CHARACTERISTIC_NAMES: Final[Mapping[str, str]] = MappingProxyType(
    {
        HEART_RATE_MEASUREMENT: "Heart Rate Measurement",
        BODY_SENSOR_LOCATION: "Body Sensor Location",
        RSC_MEASUREMENT: "RSC Measurement",
        RSC_FEATURE: "RSC Feature",
        BATTERY_LEVEL: "Battery Level",
        MANUFACTURER_NAME: "Manufacturer Name String",
        MODEL_NUMBER: "Model Number String",
        SERIAL_NUMBER: "Serial Number String",
        HARDWARE_REVISION: "Hardware Revision String",
        FIRMWARE_REVISION: "Firmware Revision String",
        SOFTWARE_REVISION: "Software Revision String",
    }
)
