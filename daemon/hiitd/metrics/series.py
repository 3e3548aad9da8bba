"""A session record as time series with honest gaps. Pure; the base of every metric.

A sample *holds* its value from its own time until the next sample of the same
sensor, but for at most ``MAX_HOLD_S``: past that the stretch is a gap, never
interpolated or filled with the last value (docs/architecture.md, Principles 2). Paused
time (every ``PauseRecord``) is cut out of every series, so a metric built on
segments counts moving time only.
"""

from __future__ import annotations

import bisect
import itertools
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable, Sequence

    from hiitd.record.session_record import SessionRecord

# BLE heart-rate straps notify about once a second and RSC footpods one to two
# times a second; three missed notifications in a row is a dropout, not data.
MAX_HOLD_S = 3.0
# Faster than any human runs (Bolt's peak was about 12.4 m/s): a footpod total
# that grows faster than this between two notifications is a glitch.
_MAX_PLAUSIBLE_SPEED = 12.5
_DISTANCE_SLACK_M = 10.0  # rounding and notification jitter on top of that

Span = tuple[float, float]


@dataclass(frozen=True, slots=True)
class Segment:
    """A stretch ``[t0, t1)`` of moving time during which a sensor read ``value``."""

    t0: float
    t1: float
    value: float

    @property
    def dt(self) -> float:
        """Its length in seconds."""
        return self.t1 - self.t0


def _finite(x: float | None) -> bool:
    return x is not None and math.isfinite(x)


def session_end(record: SessionRecord) -> float:
    """The session's elapsed end (``end_t``, or the last sample while running); 0 if none."""
    end = record.duration_s
    return end if math.isfinite(end) and end > 0 else 0.0


def pause_spans(record: SessionRecord) -> tuple[Span, ...]:
    """The paused spans, clipped to the session and merged; an open pause runs to the end."""
    end = session_end(record)
    spans = []
    for p in record.pauses:
        a = p.start_t if _finite(p.start_t) else 0.0
        b = p.end_t if p.end_t is not None and math.isfinite(p.end_t) else end
        a, b = max(a, 0.0), min(b, end)
        if b > a:
            spans.append((a, b))
    spans.sort()
    merged: list[Span] = []
    for a, b in spans:
        if merged and a <= merged[-1][1]:
            merged[-1] = (merged[-1][0], max(merged[-1][1], b))
        else:
            merged.append((a, b))
    return tuple(merged)


def subtract(t0: float, t1: float, holes: Sequence[Span]) -> list[Span]:
    """``[t0, t1)`` less the (sorted, disjoint) ``holes``: the pieces left, in order."""
    pieces: list[Span] = []
    cur = t0
    for a, b in holes:
        if b <= cur:
            continue
        if a >= t1:
            break
        if a > cur:
            pieces.append((cur, a))
        cur = max(cur, b)
        if cur >= t1:
            break
    if cur < t1:
        pieces.append((cur, t1))
    return pieces


def moving_overlap(t0: float, t1: float, pauses: Sequence[Span]) -> float:
    """Seconds of ``[t0, t1)`` that are not paused."""
    return sum(b - a for a, b in subtract(t0, t1, pauses))


def moving_time(record: SessionRecord) -> float:
    """Elapsed time less every pause, in seconds."""
    return moving_overlap(0.0, session_end(record), pause_spans(record))


def hold_segments(
    points: Iterable[tuple[float, float | None]], end: float, pauses: Sequence[Span]
) -> tuple[Segment, ...]:
    """Segments from ``(t, value)`` samples: each holds until the next, ``MAX_HOLD_S`` at most.

    A ``None`` value ends the previous hold (no data from then on). Samples
    outside ``[0, end]`` and non-finite ones are ignored; paused time is cut out.
    """
    pts = sorted(
        ((t, v) for t, v in points if _finite(t) and 0.0 <= t <= end),
        key=lambda p: p[0],
    )
    out: list[Segment] = []
    for i, (t, v) in enumerate(pts):
        if v is None or not math.isfinite(v):
            continue
        nxt = pts[i + 1][0] if i + 1 < len(pts) else end
        t1 = min(nxt, t + MAX_HOLD_S, end)
        out.extend(Segment(a, b, v) for a, b in subtract(t, t1, pauses) if b > a)
    return tuple(out)


def hr_segments(record: SessionRecord) -> tuple[Segment, ...]:
    """Heart rate (bpm) over moving time; no contact or no value is a gap, never 0 bpm."""
    pts = (
        (
            p.t,
            None if p.bpm is None or p.bpm <= 0 or p.contact is False else float(p.bpm),
        )
        for p in record.hr
    )
    return hold_segments(pts, session_end(record), pause_spans(record))


def speed_segments(record: SessionRecord) -> tuple[Segment, ...]:
    """Footpod speed (m/s) over moving time; 0 m/s is a value (standing), not a gap."""
    pts = ((p.t, p.speed_mps if p.speed_mps >= 0 else None) for p in record.pod)
    return hold_segments(pts, session_end(record), pause_spans(record))


def cadence_segments(record: SessionRecord) -> tuple[Segment, ...]:
    """Footpod cadence (steps/min) over moving time, where the runner moves (cadence > 0)."""
    pts = ((p.t, p.cadence_spm if p.cadence_spm > 0 else None) for p in record.pod)
    return hold_segments(pts, session_end(record), pause_spans(record))


def stride_segments(record: SessionRecord) -> tuple[Segment, ...]:
    """Stride length (m) as the footpod reported it, over moving time; absent is a gap."""
    pts = (
        (p.t, p.stride_m if p.stride_m is not None and p.stride_m > 0 else None) for p in record.pod
    )
    return hold_segments(pts, session_end(record), pause_spans(record))


def covered(segments: Iterable[Segment]) -> float:
    """Seconds with data."""
    return sum(s.dt for s in segments)


def time_weighted_mean(segments: Iterable[Segment]) -> float | None:
    """The mean value weighted by duration; ``None`` with no data."""
    total = weighted = 0.0
    for s in segments:
        total += s.dt
        weighted += s.value * s.dt
    return weighted / total if total > 0 else None


def clip(segments: Sequence[Segment], t0: float, t1: float) -> tuple[Segment, ...]:
    """The parts of ``segments`` (in time order, not overlapping) inside ``[t0, t1)``.

    A binary search finds the first one: scoring every step of an hour scanned
    all ~10,000 segments per step, a third of a replay's time (tests/bench/bench_replay.py).
    """
    out = []
    for i in range(bisect.bisect_right(segments, t0, key=_end), len(segments)):
        s = segments[i]
        if s.t0 >= t1:
            break
        a, b = max(s.t0, t0), min(s.t1, t1)
        if b > a:
            out.append(Segment(a, b, s.value))
    return tuple(out)


def _end(s: Segment) -> float:
    return s.t1


def joint(
    a: Sequence[Segment], b: Sequence[Segment]
) -> tuple[tuple[float, float, float, float], ...]:
    """``(t0, t1, value_a, value_b)`` over the time both series have data (both sorted)."""
    out = []
    i = j = 0
    while i < len(a) and j < len(b):
        t0, t1 = max(a[i].t0, b[j].t0), min(a[i].t1, b[j].t1)
        if t1 > t0:
            out.append((t0, t1, a[i].value, b[j].value))
        if a[i].t1 <= b[j].t1:
            i += 1
        else:
            j += 1
    return tuple(out)


def integrate(segments: Sequence[Segment], t0: float, t1: float) -> float:
    """The integral of the value over ``[t0, t1)`` (gaps add nothing)."""
    return sum(s.value * s.dt for s in clip(segments, t0, t1))


@dataclass(frozen=True, slots=True)
class Distance:
    """Distance run (m) and how it was found: ``footpod_total`` or ``speed_integral``."""

    metres: float
    method: str


def distance(record: SessionRecord) -> Distance | None:
    """Moving distance from the footpod's running total, else from integrated speed.

    The running total keeps counting through a radio dropout, so it is the better
    source. Between two totals the increase counts for the unpaused share of the
    interval. A decrease (the pod restarted its counter after a reconnect) or an
    impossible jump is replaced by the integrated speed over that interval.
    ``None`` without a footpod.
    """
    if not record.pod:
        return None
    end = session_end(record)
    pauses = pause_spans(record)
    speeds = speed_segments(record)
    totals = [
        (p.t, p.distance_m)
        for p in record.pod
        if p.distance_m is not None
        and math.isfinite(p.distance_m)
        and math.isfinite(p.t)
        and 0.0 <= p.t <= end
    ]
    totals.sort(key=lambda x: x[0])
    if len(totals) < 2:
        return Distance(integrate(speeds, 0.0, end), "speed_integral")
    metres = integrate(speeds, 0.0, totals[0][0])
    for (t0, d0), (t1, d1) in itertools.pairwise(totals):
        delta, dt = d1 - d0, t1 - t0
        if delta < 0 or delta > _MAX_PLAUSIBLE_SPEED * dt + _DISTANCE_SLACK_M:
            metres += integrate(speeds, t0, t1)
        elif dt > 0:
            metres += delta * moving_overlap(t0, t1, pauses) / dt
        elif not any(a <= t0 < b for a, b in pauses):
            metres += delta
    metres += integrate(speeds, totals[-1][0], end)
    return Distance(metres, "footpod_total")
