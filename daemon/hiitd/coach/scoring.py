"""Zone checking: what a step judges, hysteretic verdicts, and time-in-target accounting.

Two views of the same smoothed value against the same target widened by the
same margin (the one compliance definition: ``compliance.py``):

* the *verdict* (``ZoneJudge``) drives cues and the published ``zone``: it turns
  "out" only after the value has stayed beyond target plus margin for a while
  (the hold), so one stride or one beat does not start a correction, and "in"
  as soon as it is back within target plus margin;
* the *accounting* (``StepStats``) counts each scored second by where the value
  is at that second (no hold): the step's in/below/above seconds.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from hiitd.coach.compliance import ceiling_only, unscored_reason
from hiitd.coach.events import CueKind, Zone
from hiitd.coach.smoothing import Hold, Mean
from hiitd.coach.workout_model import DurationType, Intensity, PlannedStep, TargetType


class Metric(enum.StrEnum):
    """A quantity a step can be judged by."""

    HR = "hr"
    SPEED = "speed"
    CADENCE = "cadence"


_CUE_FOR: dict[tuple[Metric, Zone], CueKind] = {
    (Metric.SPEED, Zone.BELOW): CueKind.SPEED_UP,
    (Metric.SPEED, Zone.ABOVE): CueKind.SLOW_DOWN,
    (Metric.HR, Zone.BELOW): CueKind.HR_LOW,
    (Metric.HR, Zone.ABOVE): CueKind.HR_HIGH,
    (Metric.CADENCE, Zone.BELOW): CueKind.CADENCE_UP,
    (Metric.CADENCE, Zone.ABOVE): CueKind.CADENCE_DOWN,
}


def correction_kind(metric: Metric, zone: Zone) -> CueKind | None:
    """The correction for being ``zone`` on ``metric`` (None when in or no verdict)."""
    return _CUE_FOR.get((metric, zone))


_EASY = frozenset({Intensity.RECOVERY, Intensity.REST, Intensity.WARMUP, Intensity.COOLDOWN})


@dataclass(frozen=True, slots=True)
class Policy:
    """How one step is coached."""

    metric: Metric | None  # the primary target; None for open and power (no power source)
    hr_ceiling_only: bool  # judge only the upper HR bound
    allow_up: bool  # may we ever say speed_up / hr_low / cadence_up?
    autopause: bool  # may standing still pause the session?
    unscored: str | None = None  # why the step's compliance is not scored (compliance.py)


def is_short_hr_work(ps: PlannedStep, short_s: float, est_speed_mps: float) -> bool:
    """A work step too short for heart rate to reach its target range.

    HR follows effort with a ~60 s time constant, so it needs ~3 minutes (3 tau)
    to settle; a shorter rep steered by HR alone would always read "too low".
    Distance steps are converted with an estimated running speed.
    """
    step = ps.step
    if step.intensity is not Intensity.ACTIVE or step.target.type is not TargetType.HR:
        return False
    d = step.duration
    if d.type is DurationType.TIME and d.value is not None:
        return d.value < short_s
    if d.type is DurationType.DISTANCE and d.value is not None and est_speed_mps > 0:
        return d.value / est_speed_mps < short_s
    if d.type in (DurationType.HR_ABOVE, DurationType.HR_BELOW) and d.max_s is not None:
        return d.max_s < short_s
    return False


def policy_for(
    ps: PlannedStep, short_s: float, est_speed_mps: float, *, hr_coaching: bool = True
) -> Policy:
    """Decide what a step judges and which corrections it may give.

    Recovery, rest, warm-up and cool-down are *easy* steps: the only useful
    correction there is "ease off" (too fast, HR too high). Telling a runner to
    push during a recovery defeats the recovery, and HR is still falling from
    the last rep (recovery kinetics are slower than on-kinetics).
    Auto-pause is off in rest and recovery steps: standing or walking is what
    they are for, and the recovery clock must keep running.
    ``hr_coaching`` False (beta blockers): a heart-rate step is run by feel (RPE),
    neither corrected nor scored, with the reason (``compliance.BETA_BLOCKERS``).
    """
    step = ps.step
    ttype = step.target.type
    metric = {
        TargetType.HR: Metric.HR,
        TargetType.SPEED: Metric.SPEED,
        TargetType.CADENCE: Metric.CADENCE,
    }.get(ttype)
    easy = step.intensity in _EASY
    if ttype is TargetType.HR and not hr_coaching:
        reason = unscored_reason(ttype.value, None, None, hr_coaching=False)
        return Policy(None, hr_ceiling_only=False, allow_up=False, autopause=not easy,
                      unscored=reason)  # fmt: skip
    short = is_short_hr_work(ps, short_s, est_speed_mps)
    ceiling = ceiling_only(ttype.value, step.intensity.value, short_hr_work=short)
    return Policy(
        metric=metric,
        hr_ceiling_only=ceiling,
        allow_up=not easy and not short,
        autopause=step.intensity not in (Intensity.REST, Intensity.RECOVERY),
        unscored=unscored_reason(
            ttype.value, step.target.low, step.target.high, short_hr_work=short
        ),
    )


class ZoneJudge:
    """A hysteretic below/in/above verdict for one metric over one step."""

    __slots__ = ("_above", "_below", "hold_s", "zone")

    def __init__(self, hold_s: float) -> None:
        self.hold_s = hold_s
        self.zone = Zone.NONE
        self._below = Hold()
        self._above = Hold()

    def reset(self) -> None:
        """No verdict (step start, grace, gap, pause): start afresh."""
        self.zone = Zone.NONE
        self._below.reset()
        self._above.reset()

    def update(
        self,
        now: float,
        value: float,
        low: float | None,
        high: float | None,
        *,
        margin_low: float,
        margin_high: float,
    ) -> Zone:
        """Judge ``value`` at ``now``; returns the (possibly unchanged) verdict."""
        # The margins are the scoring rule's (compliance.py): the live zone and the
        # score agree on what "in" is; the hold only delays turning "out".
        out_below = low is not None and value < low - margin_low
        out_above = high is not None and value > high + margin_high
        held_below = self._below.update(now, out_below)
        held_above = self._above.update(now, out_above)
        if self.zone is Zone.NONE:
            # The first verdict after grace gives the benefit of the doubt: a
            # runner is "in" until the hold proves otherwise.
            self.zone = Zone.IN
        if out_below and held_below >= self.hold_s:
            self.zone = Zone.BELOW
        elif out_above and held_above >= self.hold_s:
            self.zone = Zone.ABOVE
        elif not out_below and not out_above:
            self.zone = Zone.IN
        return self.zone


@dataclass(slots=True)
class StepStats:
    """Accumulators for one step's summary."""

    in_s: float = 0.0
    below_s: float = 0.0
    above_s: float = 0.0
    gap_s: float = 0.0
    hr: Mean = field(default_factory=Mean)
    speed: Mean = field(default_factory=Mean)
    cadence: Mean = field(default_factory=Mean)
    laps_s: list[float] = field(default_factory=list)

    def account(self, dt: float, zone: Zone | None) -> None:
        """Count ``dt`` moving seconds: a zone is scored, None is a data gap."""
        if zone is None:
            self.gap_s += dt
        elif zone is Zone.IN:
            self.in_s += dt
        elif zone is Zone.BELOW:
            self.below_s += dt
        elif zone is Zone.ABOVE:
            self.above_s += dt

    def mark_lap(self, at: float) -> None:
        """A lap mark ``at`` seconds into the step."""
        self.laps_s.append(at)

    @property
    def scored_s(self) -> float:
        """Seconds that got a verdict."""
        return self.in_s + self.below_s + self.above_s

    def pct(self, part: float) -> float | None:
        """``part`` as a % of scored seconds, None when nothing was scored."""
        total = self.scored_s
        return 100.0 * part / total if total > 0 else None
