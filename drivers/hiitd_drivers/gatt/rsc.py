"""Running Speed and Cadence Service parsers: RSC Measurement (0x2A53) and RSC Feature (0x2A54).

Layouts from the Running Speed and Cadence Service specification v1.0 (RSCS),
§3.1 and §3.2, and the GATT Specification Supplement entries.

RSC Measurement, little endian::

    flags      uint8    bit0  Instantaneous Stride Length present
                        bit1  Total Distance present
                        bit2  status: 0 = walking, 1 = running
    speed      uint16   1/256 m/s
    cadence    uint8    1/min (steps or strides: pods differ, hence cadence_scale)
    stride     uint16   1/100 m (optional)
    distance   uint32   1/10 m (optional)
"""

from __future__ import annotations

import struct
from dataclasses import dataclass
from typing import TYPE_CHECKING, Final

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt._types import slot_setter

if TYPE_CHECKING:
    from hiitd_drivers.gatt._types import Payload

__all__ = ["RscFeature", "RscMeasurement", "parse_rsc", "parse_rsc_feature"]

UUID_RSC_MEASUREMENT: Final = "2a53"
UUID_RSC_FEATURE: Final = "2a54"

_STRIDE_PRESENT = 0x01
_DISTANCE_PRESENT = 0x02
_RUNNING = 0x04

_HEAD = struct.Struct("<BHB")  # flags, speed, cadence: always present
_U16 = struct.Struct("<H")
_U32 = struct.Struct("<I")
# Both optional fields at once, the common case for stride-reporting pods.
_STRIDE_DISTANCE = struct.Struct("<HI")

# Sizes from the layout above; the optional fields follow in flag-bit order.
_HEAD_SIZE = _HEAD.size
_STRIDE_SIZE = 2
_DISTANCE_SIZE = 4

_SPEED_UNIT = 1 / 256  # m/s per raw unit, exact in binary
_STRIDE_UNIT = 100  # raw units per metre
_DISTANCE_UNIT = 10  # raw units per metre


@dataclass(frozen=True, slots=True)
class RscMeasurement:
    """One decoded RSC Measurement notification, in SI units as the pod sent them.

    ``stride_m`` and ``distance_m`` are None when the pod does not send them.
    ``running`` is the pod's own walking/running status bit.
    """

    speed_mps: float
    cadence_spm: int
    stride_m: float | None
    distance_m: float | None
    running: bool


@dataclass(frozen=True, slots=True)
class RscFeature:
    """What a footpod supports, from RSC Feature (RSCS §3.2)."""

    stride_length_supported: bool
    total_distance_supported: bool
    walking_running_status_supported: bool
    calibration_procedure_supported: bool
    multiple_sensor_locations_supported: bool


_new = object.__new__
# The slots' own setters, which bypass the frozen __setattr__ (for the parser only).
_set_speed = slot_setter(RscMeasurement, "speed_mps")
_set_cadence = slot_setter(RscMeasurement, "cadence_spm")
_set_stride = slot_setter(RscMeasurement, "stride_m")
_set_distance = slot_setter(RscMeasurement, "distance_m")
_set_running = slot_setter(RscMeasurement, "running")


def parse_rsc(payload: Payload) -> RscMeasurement:
    """Decode an RSC Measurement (0x2A53); raise ``GattParseError`` when malformed."""
    size = len(payload)
    if size < _HEAD_SIZE:
        raise GattParseError(
            UUID_RSC_MEASUREMENT,
            bytes(payload),
            f"truncated: {size} byte(s), need at least {_HEAD_SIZE} "
            "(flags, uint16 speed, uint8 cadence)",
        )
    flags, speed_raw, cadence = _HEAD.unpack_from(payload)
    stride: float | None = None
    distance: float | None = None
    has_stride = flags & _STRIDE_PRESENT
    has_distance = flags & _DISTANCE_PRESENT
    need = _HEAD_SIZE + (_STRIDE_SIZE if has_stride else 0)
    need += _DISTANCE_SIZE if has_distance else 0
    if size < need:
        fields = " and ".join(
            name
            for name, present in (
                ("Instantaneous Stride Length (uint16)", has_stride),
                ("Total Distance (uint32)", has_distance),
            )
            if present
        )
        raise GattParseError(
            UUID_RSC_MEASUREMENT,
            bytes(payload),
            f"truncated: flags 0x{flags:02x} announce {fields}, "
            f"needing {need} bytes, but the payload has {size}",
        )
    # Trailing bytes are ignored: later spec versions may append fields.
    if has_stride and has_distance:
        stride_raw, distance_raw = _STRIDE_DISTANCE.unpack_from(payload, _HEAD_SIZE)
        stride = stride_raw / _STRIDE_UNIT
        distance = distance_raw / _DISTANCE_UNIT
    elif has_stride:
        stride = _U16.unpack_from(payload, _HEAD_SIZE)[0] / _STRIDE_UNIT
    elif has_distance:
        distance = _U32.unpack_from(payload, _HEAD_SIZE)[0] / _DISTANCE_UNIT
    # Set through the slots, not the frozen __init__: see heart_rate.parse_heart_rate.
    m = _new(RscMeasurement)
    _set_speed(m, speed_raw * _SPEED_UNIT)
    _set_cadence(m, cadence)
    _set_stride(m, stride)
    _set_distance(m, distance)
    _set_running(m, bool(flags & _RUNNING))
    return m


def parse_rsc_feature(payload: Payload) -> RscFeature:
    """Decode RSC Feature (0x2A54), a uint16 bitfield; bits 5..15 are reserved and ignored."""
    if len(payload) < _U16.size:
        raise GattParseError(
            UUID_RSC_FEATURE,
            bytes(payload),
            f"truncated: {len(payload)} byte(s), RSC Feature is a uint16 bitfield",
        )
    (bits,) = _U16.unpack_from(payload)
    return RscFeature(
        stride_length_supported=bool(bits & 0x01),
        total_distance_supported=bool(bits & 0x02),
        walking_running_status_supported=bool(bits & 0x04),
        calibration_procedure_supported=bool(bits & 0x08),
        multiple_sensor_locations_supported=bool(bits & 0x10),
    )
