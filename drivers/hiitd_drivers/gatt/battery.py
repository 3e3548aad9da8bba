"""Battery Service parser: Battery Level (0x2A19), Battery Service v1.0 §3.1.

One uint8, a percentage 0..100; 101..255 are reserved, so a value above 100 is
a malformed payload rather than something to clamp (honest data: no invented level).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Final

from hiitd_drivers.driver_errors import GattParseError

if TYPE_CHECKING:
    from hiitd_drivers.gatt._types import Payload

__all__ = ["parse_battery_level"]

UUID_BATTERY_LEVEL: Final = "2a19"
_MAX_LEVEL = 100


def parse_battery_level(payload: Payload) -> int:
    """Decode Battery Level (0x2A19) to a percentage; raise ``GattParseError`` when malformed."""
    if not payload:
        raise GattParseError(
            UUID_BATTERY_LEVEL, bytes(payload), "empty payload: expected one uint8"
        )
    level = payload[0]
    if level > _MAX_LEVEL:
        raise GattParseError(
            UUID_BATTERY_LEVEL,
            bytes(payload),
            f"level {level} is out of range 0..{_MAX_LEVEL} percent",
        )
    return level
