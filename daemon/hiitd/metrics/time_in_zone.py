"""Time in heart-rate and pace zones, and how well each workout step hit its target. Pure.

Zones come from ``hiitd.coach.zones`` (the same bounds the coach steered by);
here they are only counted. Gaps and pauses count in no zone (docs/architecture.md,
principle 2): every figure is over *scored* time, the moving time during which
the metric had data. Compliance is raw: heart rate trails effort by about a
minute, so a short rep steered by heart rate shows "below" at its start; the
coach is lag-aware, this report deliberately is not, so it stays comparable.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.metrics import series

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.coach.zones import HrZone, PaceZone
    from hiitd.metrics.series import Segment
    from hiitd.record.session_record import SessionRecord, StepRecord


@dataclass(frozen=True, slots=True)
class ZoneTime:
    """Seconds spent in one zone; ``low``/``high`` in bpm or m/s, ``None`` for an open end."""

    label: str
    name: str
    low: float | None
    high: float | None
    seconds: float


@dataclass(frozen=True, slots=True)
class ZoneTimes:
    """Time in every zone, plus time under the lowest and over the highest bound."""

    zones: tuple[ZoneTime, ...]
    below_s: float
    above_s: float

    @property
    def total_s(self) -> float:
        """All scored time (zones plus below and above)."""
        return sum(z.seconds for z in self.zones) + self.below_s + self.above_s


def _zone_times(segments: Sequence[Segment], bounds: Sequence[ZoneTime]) -> ZoneTimes:
    """Count segments into contiguous zones by their lower edges (the coach's own rule).

    A value belongs to the last zone whose lower edge it reaches, so integer-bpm
    tables (Z2 ends at 142, Z3 starts at 143) leave no crack for 142.5 to fall
    into. Under the first zone's floor is ``below``; over a closed top, ``above``.
    """
    secs = [0.0] * len(bounds)
    below = above = 0.0
    top = bounds[-1].high if bounds else None
    for s in segments:
        if not bounds:
            break
        if top is not None and s.value > top:
            above += s.dt
            continue
        idx = -1
        for i, z in enumerate(bounds):
            if z.low is None or s.value >= z.low:
                idx = i
        if idx < 0:
            below += s.dt
        else:
            secs[idx] += s.dt
    zones = tuple(
        ZoneTime(z.label, z.name, z.low, z.high, sec) for z, sec in zip(bounds, secs, strict=True)
    )
    return ZoneTimes(zones, below, above)


def hr_zone_times(segments: Sequence[Segment], zones: Sequence[HrZone]) -> ZoneTimes:
    """Time in each heart-rate zone (bpm bounds inclusive, as ``coach.zones`` makes them)."""
    bounds = [
        ZoneTime(
            z.label,
            z.name,
            None if z.low_bpm is None else float(z.low_bpm),
            None if z.high_bpm is None else float(z.high_bpm),
            0.0,
        )
        for z in zones
    ]
    return _zone_times(segments, bounds)


def pace_zone_times(segments: Sequence[Segment], zones: Sequence[PaceZone]) -> ZoneTimes:
    """Time in each pace zone, by speed; standing still (0 m/s) counts in the slowest zone."""
    bounds = [ZoneTime(z.label, z.name, z.low_mps, z.high_mps, 0.0) for z in zones]
    return _zone_times(segments, bounds)


@dataclass(frozen=True, slots=True)
class StepCompliance:
    """One step as run, against its target. Percentages are of ``scored_s``; ``None`` if 0."""

    index: int
    name: str
    label: str
    intensity: str
    target_type: str
    target_low: float | None
    target_high: float | None
    start_t: float
    end_t: float
    moving_s: float
    scored_s: float  # moving time with data for the target's metric
    in_pct: float | None
    below_pct: float | None
    above_pct: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_speed_mps: float | None  # time-weighted mean of speed
    avg_pace_s_per_km: float | None  # 1000 / avg_speed_mps
    avg_cadence_spm: float | None
    avg_vs_target: str | None  # where the step's average of the metric fell: below, in, above


@dataclass(frozen=True, slots=True)
class Compliance:
    """In/below/above target over the scored time of every step with a scored target."""

    scored_s: float
    in_pct: float
    below_pct: float
    above_pct: float


# target_type -> which series scores it. "power" has no recorded source yet and
# "open" has nothing to hit: both score nothing.
_SCORED = ("hr", "speed", "cadence")


def _where(value: float, low: float | None, high: float | None) -> str:
    if low is not None and value < low:
        return "below"
    if high is not None and value > high:
        return "above"
    return "in"


def _split(segs: Sequence[Segment], low: float | None, high: float | None) -> dict[str, float]:
    out = {"in": 0.0, "below": 0.0, "above": 0.0}
    for s in segs:
        out[_where(s.value, low, high)] += s.dt
    return out


def _pcts(split: dict[str, float], total: float) -> tuple[float | None, ...]:
    if total <= 0:
        return (None, None, None)
    return tuple(100.0 * split[k] / total for k in ("in", "below", "above"))


@dataclass(frozen=True, slots=True)
class _Series:
    hr: tuple[Segment, ...]
    speed: tuple[Segment, ...]
    cadence: tuple[Segment, ...]

    def of(self, target_type: str) -> tuple[Segment, ...]:
        return {"hr": self.hr, "speed": self.speed, "cadence": self.cadence}[target_type]


def _step(
    step: StepRecord, s: _Series, end: float, pauses: Sequence[series.Span]
) -> StepCompliance:
    t0 = max(step.start_t, 0.0)
    t1 = min(step.end_t if step.end_t is not None else end, end)
    t1 = max(t1, t0)
    hr = series.clip(s.hr, t0, t1)
    speed = series.clip(s.speed, t0, t1)
    cadence = series.clip(s.cadence, t0, t1)
    scored_s = 0.0
    pcts: tuple[float | None, ...] = (None, None, None)
    vs: str | None = None
    low, high = step.target_low, step.target_high
    if step.target_type in _SCORED and (low is not None or high is not None):
        segs = series.clip(s.of(step.target_type), t0, t1)
        scored_s = series.covered(segs)
        pcts = _pcts(_split(segs, low, high), scored_s)
        mean = series.time_weighted_mean(segs)
        vs = None if mean is None else _where(mean, low, high)
    avg_speed = series.time_weighted_mean(speed)
    return StepCompliance(
        index=step.index,
        name=step.name,
        label=step.label,
        intensity=step.intensity,
        target_type=step.target_type,
        target_low=low,
        target_high=high,
        start_t=t0,
        end_t=t1,
        moving_s=series.moving_overlap(t0, t1, pauses),
        scored_s=scored_s,
        in_pct=pcts[0],
        below_pct=pcts[1],
        above_pct=pcts[2],
        avg_hr=series.time_weighted_mean(hr),
        max_hr=max((x.value for x in hr), default=None),
        avg_speed_mps=avg_speed,
        avg_pace_s_per_km=None if not avg_speed else 1000.0 / avg_speed,
        avg_cadence_spm=series.time_weighted_mean(cadence),
        avg_vs_target=vs,
    )


def step_compliance(record: SessionRecord) -> tuple[StepCompliance, ...]:
    """Compliance for every step in the record (a running step is scored up to now)."""
    s = _Series(
        series.hr_segments(record), series.speed_segments(record), series.cadence_segments(record)
    )
    end = series.session_end(record)
    pauses = series.pause_spans(record)
    return tuple(_step(step, s, end, pauses) for step in record.steps)


def overall_compliance(steps: Sequence[StepCompliance]) -> Compliance | None:
    """Scored-time-weighted in/below/above over all steps; ``None`` when nothing was scored."""
    total = sum(st.scored_s for st in steps)
    if total <= 0:
        return None
    parts = {"in": 0.0, "below": 0.0, "above": 0.0}
    for st in steps:
        for key, pct in (("in", st.in_pct), ("below", st.below_pct), ("above", st.above_pct)):
            if pct is not None:
                parts[key] += pct * st.scored_s / 100.0
    return Compliance(
        scored_s=total,
        in_pct=100.0 * parts["in"] / total,
        below_pct=100.0 * parts["below"] / total,
        above_pct=100.0 * parts["above"] / total,
    )
