"""Heart Rate Service parsers: Heart Rate Measurement (0x2A37) and Body Sensor Location (0x2A38).

Layouts from the Heart Rate Service specification v1.0 (HRS), §3.1 and §3.2, and
the GATT Specification Supplement entries for the same characteristics.

Heart Rate Measurement, little endian::

    flags        uint8    bit0  value format: 0 = uint8, 1 = uint16
                          bit1  sensor contact detected (meaningful only with bit2)
                          bit2  sensor contact supported
                          bit3  Energy Expended present
                          bit4  RR-Interval present
    value        uint8 | uint16   beats per minute
    energy       uint16           kJ since the last reset (optional)
    rr[...]      uint16 each      1/1024 s, oldest first (optional, one or more)

The parser is on the hot path (one call per notification, and a benchmark runs a
million), so the layout of a payload is worked out once per (flags, length) and
kept as a ready ``struct.Struct``: a valid payload then costs one dict lookup and
one ``unpack_from``.
"""

from __future__ import annotations

import enum
import struct
from collections.abc import Callable
from dataclasses import dataclass
from typing import Final

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt._types import Payload, slot_setter

__all__ = [
    "BodySensorLocation",
    "HeartRateMeasurement",
    "parse_body_sensor_location",
    "parse_heart_rate",
]

UUID_HRM: Final = "2a37"
UUID_BODY_SENSOR_LOCATION: Final = "2a38"

_VALUE_UINT16 = 0x01
_ENERGY_PRESENT = 0x08
_RR_PRESENT = 0x10
# The flag bits that change where fields sit; the contact bits do not.
_LAYOUT_BITS = _VALUE_UINT16 | _ENERGY_PRESENT | _RR_PRESENT

# Indexed by flags bits 2..1 (HRS v1.0 §3.1, Flags field): 0b0x "not supported" -> None,
# 0b10 supported but not detected, 0b11 supported and detected.
_CONTACT: Final[tuple[bool | None, ...]] = (None, None, False, True)

# 1/1024 s in ms is 0.9765625 exactly in binary, so rr_ms is exact.
_MS_PER_RR_UNIT = 1000 / 1024

# ATT caps an attribute value at 512 bytes (Core v5.x, Vol 3, Part F, §3.2.9);
# layouts for longer (bogus) payloads are not cached, keeping the cache bounded
# (8 flag combinations x 513 lengths) whatever a misbehaving device sends.
_MAX_ATTRIBUTE_LEN = 512

_Unpack = Callable[[Payload], tuple[int, ...]]
# unpack_from of the whole payload, whether energy is present, index of the first RR.
_Layout = tuple[_Unpack, bool, int]
_LAYOUTS: dict[int, _Layout] = {}


@dataclass(frozen=True, slots=True)
class HeartRateMeasurement:
    """One decoded Heart Rate Measurement notification.

    ``contact`` is None when the sensor does not support contact detection.
    ``rr_raw`` are RR intervals in 1/1024 s, oldest first (HRS v1.0 §3.1, RR-Interval field).
    """

    bpm: int
    contact: bool | None
    energy_kj: int | None
    rr_raw: tuple[int, ...]

    @property
    def rr_ms(self) -> tuple[float, ...]:
        """RR intervals in milliseconds, oldest first."""
        return tuple([rr * _MS_PER_RR_UNIT for rr in self.rr_raw])


_new = object.__new__
# The slots' own setters, which bypass the frozen __setattr__ (for the parser only).
_set_bpm = slot_setter(HeartRateMeasurement, "bpm")
_set_contact = slot_setter(HeartRateMeasurement, "contact")
_set_energy = slot_setter(HeartRateMeasurement, "energy_kj")
_set_rr = slot_setter(HeartRateMeasurement, "rr_raw")


def _layout(flags: int, payload: Payload) -> _Layout:
    """Work out (and cache) the field layout, or raise naming the first missing field."""
    size = len(payload)
    uint16 = flags & _VALUE_UINT16
    has_energy = bool(flags & _ENERGY_PRESENT)
    value_size = 2 if uint16 else 1
    after_value = size - 1 - value_size
    if after_value < 0:
        kind = "uint16" if uint16 else "uint8"
        raise GattParseError(
            UUID_HRM,
            bytes(payload),
            f"truncated: flags 0x{flags:02x} announce a {kind} heart rate value "
            f"but {size - 1} byte(s) follow the flags",
        )
    rest = after_value
    if has_energy:
        rest -= 2
        if rest < 0:
            raise GattParseError(
                UUID_HRM,
                bytes(payload),
                f"truncated: flags 0x{flags:02x} announce Energy Expended (uint16) "
                f"but {after_value} byte(s) follow the heart rate value",
            )
    rr_count = 0
    if flags & _RR_PRESENT:
        # The field, when flagged present, holds one or more uint16 (HRS v1.0 §3.1,
        # RR-Interval field): the flag with no value is malformed, as Nordic's parser
        # and the shared reference vector 170101 also treat it.
        if rest == 0:
            raise GattParseError(
                UUID_HRM,
                bytes(payload),
                "flags announce RR-Interval but no RR-Interval value follows",
            )
        if rest % 2:
            raise GattParseError(
                UUID_HRM,
                bytes(payload),
                f"RR-Interval field has an odd number of bytes ({rest}); each interval is a uint16",
            )
        rr_count = rest // 2
    # Without the RR flag, trailing bytes are ignored: GATT lets later spec
    # versions append fields, and the Nordic reference parser ignores them too.
    fmt = "<B" + ("H" if uint16 else "B") + ("H" if has_energy else "") + "H" * rr_count
    layout: _Layout = (struct.Struct(fmt).unpack_from, has_energy, 3 if has_energy else 2)
    if size <= _MAX_ATTRIBUTE_LEN:
        _LAYOUTS[(size << 5) | (flags & _LAYOUT_BITS)] = layout
    return layout


def parse_heart_rate(payload: Payload) -> HeartRateMeasurement:
    """Decode a Heart Rate Measurement (0x2A37); raise ``GattParseError`` when malformed."""
    if not payload:
        raise GattParseError(
            UUID_HRM, bytes(payload), "empty payload: expected a flags byte and a heart rate value"
        )
    flags = payload[0]
    # The key packs the length above the 5 flag bits, so it is unique for any length.
    layout = _LAYOUTS.get((len(payload) << 5) | (flags & _LAYOUT_BITS))
    if layout is None:
        layout = _layout(flags, payload)
    unpack, has_energy, rr_start = layout
    values = unpack(payload)
    # The fields are set through their slots rather than the frozen dataclass's
    # __init__ (one object.__setattr__ per field): half the cost of a parse
    # (py-spy, tests/bench/bench_decode.py). The result is the same frozen value.
    m = _new(HeartRateMeasurement)
    _set_bpm(m, values[1])
    _set_contact(m, _CONTACT[(flags >> 1) & 3])
    _set_energy(m, values[2] if has_energy else None)
    _set_rr(m, values[rr_start:])
    return m


class BodySensorLocation(enum.IntEnum):
    """Body Sensor Location values (HRS v1.0 §3.2); 7..255 are reserved."""

    OTHER = 0
    CHEST = 1
    WRIST = 2
    FINGER = 3
    HAND = 4
    EAR_LOBE = 5
    FOOT = 6

    @property
    def label(self) -> str:
        """The name as the specification spells it, e.g. ``Ear Lobe``."""
        return self.name.replace("_", " ").title()


def parse_body_sensor_location(payload: Payload) -> str:
    """Decode Body Sensor Location (0x2A38) to its name (``Chest``) or ``reserved(N)``.

    A reserved value is kept rather than rejected: a later spec revision may
    define it, and the strap works all the same.
    """
    if not payload:
        raise GattParseError(
            UUID_BODY_SENSOR_LOCATION, bytes(payload), "empty payload: expected one uint8 location"
        )
    code = payload[0]
    try:
        return BodySensorLocation(code).label
    except ValueError:
        return f"reserved({code})"
