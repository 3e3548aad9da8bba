"""Encoders: the inverse of the parsers, building real GATT payloads.

The simulator sends what a real strap or pod would send, and the property tests
check ``parse(encode(x)) == x``. Every value is checked against the range of its
field so an encoder never silently wraps or truncates: out of range is a
``ValueError`` naming the field.

Layouts: Heart Rate Service v1.0 §3.1 (Heart Rate Measurement), Running Speed
and Cadence Service v1.0 §3.1 (RSC Measurement), Battery Service v1.0 §3.1.
"""

from __future__ import annotations

import math
import struct
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

__all__ = ["encode_battery", "encode_heart_rate", "encode_rsc"]

_UINT8_MAX = 0xFF
_UINT16_MAX = 0xFFFF
_UINT32_MAX = 0xFFFF_FFFF

# Heart Rate Measurement flags, HRS v1.0 §3.1 (Flags field).
_HR_VALUE_UINT16 = 0x01
_HR_CONTACT_DETECTED = 0x02
_HR_CONTACT_SUPPORTED = 0x04
_HR_ENERGY_PRESENT = 0x08
_HR_RR_PRESENT = 0x10

# RSC Measurement flags, RSCS v1.0 §3.1 (Flags field).
_RSC_STRIDE_PRESENT = 0x01
_RSC_DISTANCE_PRESENT = 0x02
_RSC_RUNNING = 0x04

# Field resolutions from the same sections: speed 1/256 m/s, stride 1/100 m,
# total distance 1/10 m.
_SPEED_PER_MPS = 256
_STRIDE_PER_M = 100
_DISTANCE_PER_M = 10


def _check_int(name: str, value: int, maximum: int) -> int:
    # bool is an int subclass; True as a bpm is a caller bug, not 1 bpm.
    if isinstance(value, bool) or not isinstance(value, int):
        raise TypeError(f"{name} must be an int, got {value!r}")
    if not 0 <= value <= maximum:
        raise ValueError(f"{name} must be in 0..{maximum}, got {value}")
    return value


def _scaled(name: str, value: float, per_unit: int, maximum: int) -> int:
    """Convert a physical value to its fixed-point field, rounding to the nearest step."""
    if not math.isfinite(value):
        raise ValueError(f"{name} must be a finite number, got {value!r}")
    raw = round(value * per_unit)
    if not 0 <= raw <= maximum:
        raise ValueError(
            f"{name} must be in 0..{maximum / per_unit:g} (field resolution 1/{per_unit}), "
            f"got {value!r}"
        )
    return raw


def encode_heart_rate(
    bpm: int,
    *,
    contact: bool | None = None,
    energy_kj: int | None = None,
    rr_raw: Sequence[int] = (),
    force_uint16: bool = False,
) -> bytes:
    """Build a Heart Rate Measurement (0x2A37) payload.

    ``contact`` None means the sensor does not support contact detection.
    ``rr_raw`` are RR intervals in 1/1024 s, oldest first. The value is sent as
    uint16 when ``bpm`` > 255 or ``force_uint16`` is set.
    """
    _check_int("bpm", bpm, _UINT16_MAX)
    flags = 0
    uint16 = force_uint16 or bpm > _UINT8_MAX
    if uint16:
        flags |= _HR_VALUE_UINT16
    if contact is not None:
        flags |= _HR_CONTACT_SUPPORTED | (_HR_CONTACT_DETECTED if contact else 0)
    if energy_kj is not None:
        _check_int("energy_kj", energy_kj, _UINT16_MAX)
        flags |= _HR_ENERGY_PRESENT
    for index, rr in enumerate(rr_raw):
        _check_int(f"rr_raw[{index}]", rr, _UINT16_MAX)
    if rr_raw:
        flags |= _HR_RR_PRESENT
    fmt = "<B" + ("H" if uint16 else "B") + ("H" if energy_kj is not None else "")
    fmt += "H" * len(rr_raw)
    fields = [flags, bpm, *(() if energy_kj is None else (energy_kj,)), *rr_raw]
    return struct.pack(fmt, *fields)


def encode_rsc(
    speed_mps: float,
    cadence_spm: int,
    *,
    stride_m: float | None = None,
    distance_m: float | None = None,
    running: bool = True,
) -> bytes:
    """Build an RSC Measurement (0x2A53) payload.

    Values are rounded to the field resolution: speed 1/256 m/s, stride 1/100 m,
    distance 1/10 m. ``cadence_spm`` is what the pod sends, in 1/min.
    """
    speed_raw = _scaled("speed_mps", speed_mps, _SPEED_PER_MPS, _UINT16_MAX)
    _check_int("cadence_spm", cadence_spm, _UINT8_MAX)
    flags = _RSC_RUNNING if running else 0
    fmt = "<BHB"
    fields = [flags, speed_raw, cadence_spm]
    if stride_m is not None:
        fields.append(_scaled("stride_m", stride_m, _STRIDE_PER_M, _UINT16_MAX))
        fmt += "H"
        flags |= _RSC_STRIDE_PRESENT
    if distance_m is not None:
        fields.append(_scaled("distance_m", distance_m, _DISTANCE_PER_M, _UINT32_MAX))
        fmt += "I"
        flags |= _RSC_DISTANCE_PRESENT
    fields[0] = flags
    return struct.pack(fmt, *fields)


def encode_battery(level: int) -> bytes:
    """Build a Battery Level (0x2A19) payload: one uint8 percentage, 0..100."""
    _check_int("level", level, 100)
    return bytes((level,))
