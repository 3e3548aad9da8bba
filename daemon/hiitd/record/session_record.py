"""A recorded session as plain values: what the store keeps, metrics read and exports write.

Pure and frozen. Times ``t`` are seconds since the session's start on the
source's monotonic clock (so a clock step on the Pi never bends a record);
``start_wall`` maps ``t = 0`` to Unix time for exports. Gaps stay gaps: a
heart-rate point with ``bpm=None`` is "no data", and a stretch with no points
at all is a dropout, never filled in.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence


class SessionStatus(enum.StrEnum):
    """How a session ended (or that it has not yet)."""

    RUNNING = "running"  # being recorded now
    FINISHED = "finished"  # the last step ended
    STOPPED = "stopped"  # the runner stopped it early
    INTERRUPTED = "interrupted"  # the daemon died and the session was not resumed


@dataclass(frozen=True, slots=True)
class HrPoint:
    """One heart-rate notification; ``bpm`` None means no contact (not zero)."""

    t: float
    bpm: int | None
    rr_ms: tuple[float, ...] = ()
    contact: bool | None = None


@dataclass(frozen=True, slots=True)
class PodPoint:
    """One footpod notification (calibrated): speed m/s, cadence steps/min."""

    t: float
    speed_mps: float
    cadence_spm: float
    stride_m: float | None = None
    distance_m: float | None = None  # the pod's running total, as received


@dataclass(frozen=True, slots=True)
class StepRecord:
    """One workout step as it was run. ``end_t`` is None while it runs."""

    index: int  # position in the expanded workout (FIT lap wkt_step_index)
    name: str
    label: str  # "Interval 3 of 8"
    intensity: str  # warmup, active, recovery, rest, cooldown
    start_t: float
    end_t: float | None
    duration_type: str  # time, distance, open, hr_below, hr_above
    duration_value: float | None
    target_type: str  # open, hr, speed, cadence, power
    target_low: float | None
    target_high: float | None
    ended_by: str | None = None  # time, distance, lap, skip, hr, stop, safety
    # The coach's score as the step ended (coach/compliance.py): scored seconds in,
    # below and above target, seconds without data. None: not scored by hiitd's
    # coach (an imported file, a step still running, a store from before v3).
    in_s: float | None = None
    below_s: float | None = None
    above_s: float | None = None
    gap_s: float | None = None
    unscored: str | None = None  # why the coach did not score it


@dataclass(frozen=True, slots=True)
class PauseRecord:
    """The timer stopped (manual or auto pause) from ``start_t`` to ``end_t``."""

    start_t: float
    end_t: float | None
    auto: bool = False


@dataclass(frozen=True, slots=True)
class CueRecord:
    """A cue the runner heard."""

    t: float
    id: str
    kind: str
    text: str
    step_index: int | None


@dataclass(frozen=True, slots=True)
class DeviceRecord:
    """A sensor used in the session (FIT device_info)."""

    role: str  # hr, footpod
    address: str | None = None
    name: str | None = None
    manufacturer: str | None = None
    model: str | None = None
    serial: str | None = None
    firmware: str | None = None
    battery: int | None = None


@dataclass(frozen=True, slots=True)
class AthleteSnapshot:
    """The profile values the metrics were computed with (kept with the session)."""

    max_hr: int
    resting_hr: int | None = None
    lthr: int | None = None
    age: int | None = None
    sex: str | None = None  # male, female
    weight_kg: float | None = None
    threshold_speed_mps: float | None = None
    vo2max: float | None = None
    beta_blockers: bool = False  # heart rate not used for coaching: HRR60 withheld


@dataclass(frozen=True, slots=True)
class SessionRecord:
    """Everything recorded about one session."""

    session_id: str
    workout: str | None
    start_wall: float  # Unix seconds at t = 0
    status: SessionStatus
    end_t: float | None  # None while running (or interrupted before any checkpoint)
    athlete: AthleteSnapshot
    # Tuples, or compact views while the session is being recorded (point_columns.py).
    hr: Sequence[HrPoint] = ()
    pod: Sequence[PodPoint] = ()
    steps: tuple[StepRecord, ...] = ()
    pauses: tuple[PauseRecord, ...] = ()
    cues: tuple[CueRecord, ...] = ()
    devices: tuple[DeviceRecord, ...] = ()
    sub_sport: str = "generic"  # treadmill or street when known (FIT session sub_sport)
    rpe: int | None = None  # session RPE 0-10, when the runner gave one

    def materialized(self) -> SessionRecord:
        """The same record with its points as tuples (built once: for metrics and exports)."""
        if isinstance(self.hr, tuple) and isinstance(self.pod, tuple):
            return self
        return replace(self, hr=tuple(self.hr), pod=tuple(self.pod))

    @property
    def duration_s(self) -> float:
        """Elapsed time from start to end (or to the last sample while running)."""
        if self.end_t is not None:
            return self.end_t
        last = [p.t for p in self.hr[-1:]] + [p.t for p in self.pod[-1:]]
        return max(last, default=0.0)
