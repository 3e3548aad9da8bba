"""A session as one timeline of per-second points and per-step laps (pure; shared by every export).

Each export format wants the same things from a ``SessionRecord``: samples
merged on one clock, a distance that only grows, which step and whether the
timer ran at each moment, and per-lap totals. They are computed once here, so
FIT, TCX, CSV and the chart never disagree.

Rules (docs/architecture.md, Principles 2: honest data):

- A point exists for each whole second that has at least one sample; a second
  with no sample at all (a dropout) has no point, and nothing is interpolated.
- ``bpm`` is None when the strap sent "no contact"; a second with only
  footpod samples has ``has_hr`` False. Neither is ever written as 0 bpm.
- Distance is the footpod's running total made monotonic: a reset (the total
  going down, e.g. after the pod reconnects) restarts the count from the new
  value; with no total, speed is integrated between samples less than
  ``MAX_INTEGRATION_GAP_S`` apart. Distance covered while the timer is stopped
  is not counted, as a watch would not count it.
"""

from __future__ import annotations

import math
import zlib
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from hiitd.record.session_record import PauseRecord, PodPoint, SessionRecord, StepRecord

__all__ = [
    "MAX_INTEGRATION_GAP_S",
    "LapSpan",
    "Point",
    "Totals",
    "build_track",
    "lap_spans",
    "paused_at",
    "session_serial",
    "timer_seconds",
    "totals",
    "utc_iso",
]

# Speed is integrated only across short gaps: footpods notify at 1-4 Hz, so two
# samples further apart than this straddle a dropout, and distance there is unknown.
MAX_INTEGRATION_GAP_S = 5.0
# A fall in the pod total smaller than this is rounding (RSC distance is in 1/10 m).
_RESET_TOLERANCE_M = 0.5


@dataclass(frozen=True, slots=True)
class Point:
    """One whole second of the session with at least one sample in it."""

    sec: int  # floor of the sample times: the FIT record timestamp offset from the start
    t: float  # time of the newest sample in the second (for step and pause lookup)
    has_hr: bool  # a heart-rate notification arrived in this second
    bpm: int | None  # None: no contact / no data (never 0)
    rr_ms: tuple[float, ...]  # every RR interval notified in this second, in order
    has_pod: bool
    speed_mps: float | None
    cadence_spm: float | None  # steps per minute
    stride_m: float | None  # one step
    distance_m: float | None  # monotonic session distance; None with no footpod sample
    step_index: int | None
    paused: bool


@dataclass(frozen=True, slots=True)
class LapSpan:
    """A stretch of the session that becomes one lap: a workout step, or the whole run."""

    start_t: float
    end_t: float
    step: StepRecord | None


@dataclass(frozen=True, slots=True)
class Totals:
    """Summary values over a span, counting only seconds when the timer ran."""

    elapsed_s: float
    timer_s: float
    distance_m: float
    avg_hr: int | None
    max_hr: int | None
    avg_speed_mps: float | None  # distance / timer time, as watches compute it
    max_speed_mps: float | None
    avg_cadence_spm: float | None  # over seconds with the runner moving
    max_cadence_spm: float | None
    avg_stride_m: float | None


def paused_at(pauses: Sequence[PauseRecord], t: float) -> bool:
    """Whether the timer was stopped at ``t`` (a pause with no end lasts to the end)."""
    return any(p.start_t <= t < (math.inf if p.end_t is None else p.end_t) for p in pauses)


def timer_seconds(pauses: Sequence[PauseRecord], start: float, end: float) -> float:
    """Seconds in ``[start, end)`` with the timer running."""
    stopped = 0.0
    for p in pauses:
        p_end = end if p.end_t is None else p.end_t
        stopped += max(0.0, min(end, p_end) - max(start, p.start_t))
    return max(0.0, (end - start) - stopped)


def _pod_distances(pod: Sequence[PodPoint], pauses: Sequence[PauseRecord]) -> list[float]:
    """Monotonic session distance at each footpod point (see the module docstring)."""
    out: list[float] = []
    total = 0.0
    prev: PodPoint | None = None
    for p in pod:
        delta = 0.0
        if prev is not None:
            dt = p.t - prev.t
            if p.distance_m is not None and prev.distance_m is not None:
                delta = p.distance_m - prev.distance_m
                if delta < -_RESET_TOLERANCE_M:
                    # The pod restarted its count: what it counted since is known,
                    # what it ran between the last total and the restart is not.
                    delta = p.distance_m
                delta = max(0.0, delta)
            elif 0.0 < dt <= MAX_INTEGRATION_GAP_S:
                delta = 0.5 * (p.speed_mps + prev.speed_mps) * dt
            if paused_at(pauses, p.t):
                delta = 0.0
        total += delta
        out.append(total)
        prev = p
    return out


def _step_at(steps: Sequence[StepRecord], t: float, end: float) -> int | None:
    for s in steps:
        s_end = end if s.end_t is None else s.end_t
        if s.start_t <= t < s_end:
            return s.index
    return None


def build_track(record: SessionRecord) -> tuple[Point, ...]:
    """Merge heart rate and footpod samples into per-second points, in time order."""
    end = record.duration_s
    hr_by_sec: dict[int, list[int]] = {}
    pod_by_sec: dict[int, int] = {}
    for i, h in enumerate(record.hr):
        hr_by_sec.setdefault(math.floor(h.t), []).append(i)
    for i, _ in enumerate(record.pod):
        pod_by_sec[math.floor(record.pod[i].t)] = i  # the newest sample in the second wins
    distances = _pod_distances(record.pod, record.pauses)
    points: list[Point] = []
    for sec in sorted(hr_by_sec.keys() | pod_by_sec.keys()):
        hr_idx = hr_by_sec.get(sec, [])
        pod_i = pod_by_sec.get(sec)
        last_hr = record.hr[hr_idx[-1]] if hr_idx else None
        pod = record.pod[pod_i] if pod_i is not None else None
        t = max(x.t for x in (last_hr, pod) if x is not None)
        points.append(
            Point(
                sec=sec,
                t=t,
                has_hr=last_hr is not None,
                bpm=last_hr.bpm if last_hr is not None else None,
                rr_ms=tuple(rr for i in hr_idx for rr in record.hr[i].rr_ms),
                has_pod=pod is not None,
                speed_mps=pod.speed_mps if pod is not None else None,
                cadence_spm=pod.cadence_spm if pod is not None else None,
                stride_m=pod.stride_m if pod is not None else None,
                distance_m=distances[pod_i] if pod_i is not None else None,
                step_index=_step_at(record.steps, t, end),
                paused=paused_at(record.pauses, t),
            )
        )
    return tuple(points)


def lap_spans(record: SessionRecord) -> tuple[LapSpan, ...]:
    """One span per recorded step (in order); the whole session when no step was recorded."""
    end = record.duration_s
    if not record.steps:
        return (LapSpan(0.0, end, None),)
    return tuple(
        LapSpan(s.start_t, end if s.end_t is None else s.end_t, s)
        for s in sorted(record.steps, key=lambda s: s.start_t)
    )


def _mean(values: Iterable[float]) -> float | None:
    vals = list(values)
    return sum(vals) / len(vals) if vals else None


def totals(
    points: Sequence[Point], pauses: Sequence[PauseRecord], start: float, end: float
) -> Totals:
    """Totals over the points with ``start <= t < end`` while the timer ran."""
    inside = [p for p in points if start <= p.t < end and not p.paused]
    before = [p.distance_m for p in points if p.t < start and p.distance_m is not None]
    dists = [p.distance_m for p in inside if p.distance_m is not None]
    base = before[-1] if before else (dists[0] if dists else 0.0)
    distance = max(0.0, dists[-1] - base) if dists else 0.0
    bpms = [p.bpm for p in inside if p.bpm is not None]
    speeds = [p.speed_mps for p in inside if p.speed_mps is not None]
    # Cadence while standing is 0 and would drag the average down; watches
    # average cadence over moving time (FIT Profile, lap.avg_running_cadence).
    cadences = [p.cadence_spm for p in inside if p.cadence_spm and p.speed_mps]
    strides = [p.stride_m for p in inside if p.stride_m and p.speed_mps]
    timer = timer_seconds(pauses, start, end)
    avg_hr = _mean(bpms)
    return Totals(
        elapsed_s=max(0.0, end - start),
        timer_s=timer,
        distance_m=distance,
        avg_hr=round(avg_hr) if avg_hr is not None else None,
        max_hr=max(bpms, default=None),
        avg_speed_mps=distance / timer if timer > 0 and speeds else None,
        max_speed_mps=max(speeds, default=None),
        avg_cadence_spm=_mean(cadences),
        max_cadence_spm=max(cadences, default=None),
        avg_stride_m=_mean(strides),
    )


def utc_iso(unix_s: float, *, millis: bool = False) -> str:
    """Unix seconds -> ISO 8601 UTC with a ``Z`` (TCX xsd:dateTime; what CSV readers expect)."""
    stamp = datetime.fromtimestamp(unix_s, tz=UTC)
    spec = "milliseconds" if millis else "seconds"
    return stamp.isoformat(timespec=spec).replace("+00:00", "Z")


def session_serial(session_id: str) -> int:
    """A stable, non-zero uint32 from the session id (FIT file_id.serial_number, TCX UnitId).

    Garmin Connect recognises a re-upload by file_id (serial_number,
    time_created); exporting a session twice gives the same pair.
    """
    return zlib.crc32(session_id.encode("utf-8")) or 1  # uint32z: 0 is "invalid"
