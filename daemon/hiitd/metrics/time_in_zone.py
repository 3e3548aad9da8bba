"""Time in heart-rate and pace zones, and how well each workout step hit its target. Pure.

Zones come from ``hiitd.coach.zones`` (the same bounds the coach steered by);
here they are only counted. Gaps and pauses count in no zone (docs/architecture.md,
principle 2): every figure is over *scored* time, the moving time during which
the metric had data.

Compliance has one definition (``hiitd.coach.compliance``): a step's figure is
the coach's own score, kept with the step as it ended, so a report shows what
the runner heard. A step without one (a file imported from elsewhere, a store
from before the score was kept, a step cut short by a crash) is scored again
from its samples by the same rule (grace, margins, gaps, unscorable steps) with
the default ``[coach]`` settings; ``scored_by`` says which. The session's
headline is work-step compliance.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.coach import compliance
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import Zone
from hiitd.metrics import series

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.coach.events import WorkCompliance
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
    scored_s: float  # scored seconds: after the grace, with data (compliance.py)
    in_pct: float | None
    below_pct: float | None
    above_pct: float | None
    avg_hr: float | None
    max_hr: float | None
    avg_speed_mps: float | None  # time-weighted mean of speed
    avg_pace_s_per_km: float | None  # 1000 / avg_speed_mps
    avg_cadence_spm: float | None
    avg_vs_target: str | None  # where the step's average of the metric fell: below, in, above
    in_s: float = 0.0
    below_s: float = 0.0
    above_s: float = 0.0
    unscored: str | None = None  # why the step is not scored
    scored_by: str = "coach"  # coach: its score as the step ended; samples: scored again


_DEFAULTS = CoachConfig()


def _where(value: float, low: float | None, high: float | None) -> str:
    if low is not None and value < low:
        return "below"
    if high is not None and value > high:
        return "above"
    return "in"


@dataclass(frozen=True, slots=True)
class _Series:
    hr: tuple[Segment, ...]
    speed: tuple[Segment, ...]
    cadence: tuple[Segment, ...]

    def of(self, target_type: str) -> tuple[Segment, ...]:
        return {"hr": self.hr, "speed": self.speed, "cadence": self.cadence}[target_type]


def _after_moving(t0: float, seconds: float, pauses: Sequence[series.Span]) -> float:
    """The time at which ``seconds`` of moving time have passed since ``t0``."""
    t, left = t0, seconds
    for p0, p1 in pauses:
        if p1 <= t:
            continue
        if p0 >= t + left:
            break
        left -= max(0.0, p0 - t)
        t = max(t, p1)
    return t + left


@dataclass(frozen=True, slots=True)
class _Score:
    in_s: float = 0.0
    below_s: float = 0.0
    above_s: float = 0.0
    unscored: str | None = None


def rescore(
    step: StepRecord,
    metric: Sequence[Segment],
    t0: float,
    t1: float,
    *,
    pauses: Sequence[series.Span] = (),
    cfg: CoachConfig = _DEFAULTS,
    hr_coaching: bool = True,
) -> _Score:
    """Score a step from its samples by the coach's rule (compliance.py).

    ``hr_coaching`` False: the runner takes beta blockers; heart rate is not scored.
    """
    ttype, low, high = step.target_type, step.target_low, step.target_high
    planned = step.duration_value if step.duration_type == "time" else None
    length = planned if planned is not None else t1 - t0
    short = step.intensity == "active" and ttype == "hr" and length < cfg.short_hr_step_s
    reason = compliance.unscored_reason(
        ttype, low, high, short_hr_work=short, hr_coaching=hr_coaching
    )
    if reason is not None:
        return _Score(unscored=reason)
    ceiling = compliance.ceiling_only(ttype, step.intensity, short_hr_work=short)
    low = None if ceiling else low
    grace = cfg.grace_hr_s if compliance.grace_kind(ttype) == "hr" else cfg.grace_pace_s

    def margin(bound: float | None) -> float:
        return compliance.margin(
            ttype,
            bound,
            speed_pct=cfg.margin_speed_pct,
            hr_bpm=cfg.margin_hr_bpm,
            cadence_spm=cfg.margin_cadence_spm,
        )

    out = {Zone.IN: 0.0, Zone.BELOW: 0.0, Zone.ABOVE: 0.0}
    for seg in series.clip(metric, _after_moving(t0, grace, pauses), t1):
        out[compliance.scored_zone(seg.value, low, high, margin(low), margin(high))] += seg.dt
    return _Score(out[Zone.IN], out[Zone.BELOW], out[Zone.ABOVE])


def _step(
    step: StepRecord,
    s: _Series,
    end: float,
    pauses: Sequence[series.Span],
    *,
    hr_coaching: bool = True,
) -> StepCompliance:
    t0 = max(step.start_t, 0.0)
    t1 = min(step.end_t if step.end_t is not None else end, end)
    t1 = max(t1, t0)
    hr = series.clip(s.hr, t0, t1)
    speed = series.clip(s.speed, t0, t1)
    cadence = series.clip(s.cadence, t0, t1)
    low, high = step.target_low, step.target_high
    scorable = step.target_type in compliance.SCORED_TARGETS
    if step.in_s is not None:
        score = _Score(step.in_s, step.below_s or 0.0, step.above_s or 0.0, step.unscored)
        scored_by = "coach"
    elif scorable:
        score = rescore(
            step, s.of(step.target_type), t0, t1, pauses=pauses, hr_coaching=hr_coaching
        )
        scored_by = "samples"
    else:
        reason = compliance.unscored_reason(step.target_type, low, high)
        score, scored_by = _Score(unscored=reason), "samples"
    scored_s = score.in_s + score.below_s + score.above_s
    vs: str | None = None
    if scorable and score.unscored is None:
        mean = series.time_weighted_mean(series.clip(s.of(step.target_type), t0, t1))
        vs = None if mean is None else _where(mean, low, high)

    def pct(part: float) -> float | None:
        return 100.0 * part / scored_s if scored_s > 0 else None

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
        in_pct=pct(score.in_s),
        below_pct=pct(score.below_s),
        above_pct=pct(score.above_s),
        avg_hr=series.time_weighted_mean(hr),
        max_hr=max((x.value for x in hr), default=None),
        avg_speed_mps=avg_speed,
        avg_pace_s_per_km=None if not avg_speed else 1000.0 / avg_speed,
        avg_cadence_spm=series.time_weighted_mean(cadence),
        avg_vs_target=vs,
        in_s=score.in_s,
        below_s=score.below_s,
        above_s=score.above_s,
        unscored=score.unscored,
        scored_by=scored_by,
    )


def step_compliance(record: SessionRecord) -> tuple[StepCompliance, ...]:
    """Compliance for every step in the record (a running step is scored up to now)."""
    s = _Series(
        series.hr_segments(record), series.speed_segments(record), series.cadence_segments(record)
    )
    end = series.session_end(record)
    pauses = series.pause_spans(record)
    hr_coaching = not record.athlete.beta_blockers
    return tuple(_step(step, s, end, pauses, hr_coaching=hr_coaching) for step in record.steps)


# FIT's intensity for hard work in files from other programs; hiitd writes "active".
_WORK = frozenset({"active", "interval"})


def work_compliance(steps: Sequence[StepCompliance]) -> WorkCompliance | None:
    """The session's headline: work steps' in/below/above (compliance.py); None without work."""
    return compliance.work_compliance(
        compliance.StepScore(
            compliance.WORK if st.intensity in _WORK else st.intensity,
            st.in_s,
            st.below_s,
            st.above_s,
            st.unscored,
        )
        for st in steps
    )
