"""The sample types: the contract between the drivers and the daemon.

Every source (the BLE adapter, the simulator, the replayer) turns what it receives
into these frozen values, stamped with a monotonic receipt time ``t`` (seconds,
from the source's injected clock). The daemon never sees bytes or bleak objects.

Honest data (docs/architecture.md, Principles 2): "no contact" and "0 bpm" become
``bpm=None``; a sample never holds a previous value.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass


class Role(enum.StrEnum):
    """What a sensor is to the runner."""

    HR = "hr"
    FOOTPOD = "footpod"


class Link(enum.StrEnum):
    """The state of a sensor's link, as the daemon publishes it on ``availability``."""

    UP = "up"
    DOWN = "down"


class RejectReason(enum.StrEnum):
    """Why a value a sensor sent was not believed (plausibility.py has the bounds and why)."""

    HR_RANGE = "hr_range"  # heart rate outside 25-240 bpm
    HR_JUMP = "hr_jump"  # faster than a heart can change, not (yet) confirmed by the next beats
    RR_RANGE = "rr_range"  # an RR interval outside 250-2500 ms
    RR_MISMATCH = "rr_mismatch"  # the frame's RR intervals disagree with its bpm
    SPEED_RANGE = "speed_range"  # footpod speed above 12.5 m/s
    CADENCE_RANGE = "cadence_range"  # cadence above 260 steps per minute


@dataclass(frozen=True, slots=True)
class HeartRateSample:
    """One Heart Rate Measurement notification, cleaned.

    ``bpm`` is None when the strap reports no skin contact or 0 bpm.
    ``rr_ms`` holds the RR intervals in milliseconds, oldest first.
    ``contact`` is None when the strap does not support contact detection.
    ``rejected`` says why a value the strap sent is not here: the plausibility
    gate (plausibility.py) turned an impossible bpm into None, or dropped RR
    intervals.
    """

    t: float
    bpm: int | None
    rr_ms: tuple[float, ...] = ()
    contact: bool | None = None
    energy_kj: int | None = None
    role: Role = Role.HR
    rejected: tuple[RejectReason, ...] = ()


@dataclass(frozen=True, slots=True)
class FootpodSample:
    """One RSC Measurement notification, calibrated.

    ``cadence_spm`` is in steps per minute (after the per-pod cadence scale),
    ``speed_mps`` after the per-pod calibration factor. ``stride_m`` and
    ``distance_m`` are None when the pod does not send them.
    """

    t: float
    speed_mps: float
    cadence_spm: float
    stride_m: float | None = None
    distance_m: float | None = None
    running: bool | None = None
    role: Role = Role.FOOTPOD


@dataclass(frozen=True, slots=True)
class BatterySample:
    """A Battery Level read or notification, in percent."""

    t: float
    role: Role
    level: int


@dataclass(frozen=True, slots=True)
class LinkSample:
    """A sensor's link went up or down; ``reason`` says why in a few words."""

    t: float
    role: Role
    link: Link
    address: str | None = None
    name: str | None = None
    reason: str = ""


@dataclass(frozen=True, slots=True)
class DeviceInfoSample:
    """Device Information Service strings read once after connecting."""

    t: float
    role: Role
    address: str
    name: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    hardware: str | None = None
    software: str | None = None


@dataclass(frozen=True, slots=True)
class ParseErrorSample:
    """A malformed notification was dropped; carried so it can be counted and logged."""

    t: float
    role: Role
    uuid: str
    payload_hex: str
    error: str


@dataclass(frozen=True, slots=True)
class RejectedSample:
    """A measurement the plausibility gate did not believe: a gap, carried to be counted."""

    t: float
    role: Role
    reason: RejectReason
    value: float


Sample = (
    HeartRateSample
    | FootpodSample
    | BatterySample
    | LinkSample
    | DeviceInfoSample
    | ParseErrorSample
    | RejectedSample
)
