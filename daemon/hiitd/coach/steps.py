"""One running step: where it is, what it targets right now, and its summary."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from hiitd.coach.cues import pace_text, step_label
from hiitd.coach.events import EndedBy, StepSummary, StepView, TargetView, Zone
from hiitd.coach.resolve import describe_target
from hiitd.coach.scoring import Policy, StepStats, ZoneJudge
from hiitd.coach.smoothing import Hold
from hiitd.coach.workout_model import DurationType, PlannedStep, Target, TargetType

if TYPE_CHECKING:
    from hiitd.coach.workout_model import TextCue


def _lerp(a: float | None, b: float | None, p: float) -> float | None:
    if a is None or b is None:
        return a
    return a + (b - a) * p


def target_mid(low: float | None, high: float | None) -> float | None:
    """The middle of a range, or its one bound."""
    if low is not None and high is not None:
        return (low + high) / 2.0
    return low if low is not None else high


@dataclass(slots=True)
class StepRun:
    """The live state of the step being run. Distances and times are session totals.

    A tracker: it changes only through its own methods (and those of its judge,
    stats and holds), called by the engine's collaborators.
    """

    ps: PlannedStep
    policy: Policy
    start_moving: float
    start_distance: float
    est_speed_mps: float  # for distance-step estimates (halfway, quiet time)
    judge: ZoneJudge
    window_s: float  # the speed/cadence smoothing window of this step
    pace_grace_from: float = 0.0  # step seconds at which the pace grace restarted (resume)
    hr_grace_from: float = 0.0  # step seconds at which the HR grace restarted (restore)
    stats: StepStats = field(default_factory=StepStats)
    countdown_said: frozenset[int] = frozenset()
    halfway_said: bool = False
    text_next: int = 0
    hr_condition: Hold = field(default_factory=Hold)
    set_first: int | None = None  # the first step of the repeat set it is in (set_start)
    # "below"/"above": the set's last two reps of this step were both mostly that side
    missed_sides: frozenset[str] = frozenset()

    # ------------------------------------------------------------- changes

    @property
    def zone(self) -> Zone:
        """The current verdict (``none`` in grace, gaps and pauses)."""
        return self.judge.zone

    def restart_pace_grace(self, at: float) -> None:
        """Pace grace starts again ``at`` step seconds (a resume: back up to speed)."""
        self.pace_grace_from = at

    def rewind(self, at: float, *, said_halfway: bool) -> None:
        """A step continued after a crash ``at`` step seconds: both graces start again, and
        what was said before (halfway, the workout's texts up to ``at``) is not said again."""
        self.pace_grace_from = self.hr_grace_from = at
        self.halfway_said = said_halfway
        self.text_next = sum(1 for t in self.ps.step.text_cues if t.offset_s <= at)

    def take_texts(self, elapsed: float) -> list[TextCue]:
        """The workout's text cues due by ``elapsed`` step seconds and not said yet."""
        if self.text_next >= len(self.ps.step.text_cues):
            return []  # all said (or none at all): the common case, every tick
        texts = sorted(self.ps.step.text_cues, key=lambda c: c.offset_s)
        due = []
        while self.text_next < len(texts) and elapsed >= texts[self.text_next].offset_s:
            due.append(texts[self.text_next])
            self.text_next += 1
        return due

    def mark_halfway(self) -> None:
        """The halfway cue was said."""
        self.halfway_said = True

    def note_countdown(self, said: frozenset[int]) -> None:
        """The countdown numbers said so far before the next step."""
        self.countdown_said = said

    # ---------------------------------------------------------------- where

    def elapsed(self, moving_s: float) -> float:
        """Moving seconds in this step."""
        return max(0.0, moving_s - self.start_moving)

    def covered(self, distance_m: float) -> float:
        """Metres in this step."""
        return max(0.0, distance_m - self.start_distance)

    def remaining_s(self, moving_s: float) -> float | None:
        """Seconds left for time steps (or up to an HR step's max_s)."""
        d = self.ps.step.duration
        if d.type is DurationType.TIME and d.value is not None:
            return max(0.0, d.value - self.elapsed(moving_s))
        if d.type in (DurationType.HR_BELOW, DurationType.HR_ABOVE) and d.max_s is not None:
            return max(0.0, d.max_s - self.elapsed(moving_s))
        return None

    def remaining_m(self, distance_m: float) -> float | None:
        """Metres left for distance steps."""
        d = self.ps.step.duration
        if d.type is DurationType.DISTANCE and d.value is not None:
            return max(0.0, d.value - self.covered(distance_m))
        return None

    def eta_s(self, moving_s: float, distance_m: float, speed: float | None) -> float | None:
        """Estimated seconds to the step end; None when it ends on HR or a lap."""
        left = self.remaining_s(moving_s)
        if left is not None:
            return left
        metres = self.remaining_m(distance_m)
        if metres is None:
            return None
        v = speed if speed is not None and speed > 0.5 else self.est_speed_mps
        return metres / v

    def planned_s(self) -> float | None:
        """The planned length in seconds (estimated for distance steps)."""
        d = self.ps.step.duration
        if d.type is DurationType.TIME:
            return d.value
        if d.type is DurationType.DISTANCE and d.value is not None:
            return d.value / self.est_speed_mps
        return None

    def progress(self, moving_s: float, distance_m: float) -> float:
        """0..1 through the step (ramps); 0 for open and HR-ended steps."""
        d = self.ps.step.duration
        if d.value is None:
            return 0.0
        if d.type is DurationType.TIME:
            return min(1.0, self.elapsed(moving_s) / d.value)
        if d.type is DurationType.DISTANCE:
            return min(1.0, self.covered(distance_m) / d.value)
        return 0.0

    # ---------------------------------------------------------------- what

    @property
    def target(self) -> Target:
        """The step's (start) target."""
        return self.ps.step.target

    def bounds(self, moving_s: float, distance_m: float) -> tuple[float | None, float | None]:
        """The target range now; a ramp moves linearly from its start to ``ramp_to``."""
        t, end = self.ps.step.target, self.ps.step.ramp_to
        if end is None or end.type is not t.type:
            return t.low, t.high
        p = self.progress(moving_s, distance_m)
        return _lerp(t.low, end.low, p), _lerp(t.high, end.high, p)

    def view(self, moving_s: float, distance_m: float) -> TargetView:
        """The target as published."""
        low, high = self.bounds(moving_s, distance_m)
        ttype = self.ps.step.target.type
        return TargetView(ttype.value, low, high, describe_target(Target(ttype, low, high)))

    @property
    def label(self) -> str:
        """ "Interval 3 of 8"."""
        return step_label(self.ps)

    def step_view(self, count: int, moving_s: float, distance_m: float) -> StepView:
        """The step as published in ``session/state``."""
        ps = self.ps
        return StepView(
            index=ps.index,
            count=count,
            name=ps.step.name,
            intensity=ps.step.intensity.value,
            target=self.view(moving_s, distance_m),
            remaining_s=self.remaining_s(moving_s),
            remaining_m=self.remaining_m(distance_m),
            elapsed_s=self.elapsed(moving_s),
            distance_m=self.covered(distance_m),
            label=self.label,
            rep=ps.rep,
            rep_count=ps.rep_count,
            work_number=ps.work_number,
            work_count=ps.work_count,
        )

    # ------------------------------------------------------------- summary

    def summary(self, moving_s: float, distance_m: float, ended_by: EndedBy) -> StepSummary:
        """The step's summary as it ends now."""
        st, step = self.stats, self.ps.step
        avg_speed = st.speed.mean
        return StepSummary(
            index=self.ps.index,
            name=step.name,
            intensity=step.intensity.value,
            label=self.label,
            planned_type=step.duration.type.value,
            planned_value=step.duration.value,
            duration_s=self.elapsed(moving_s),
            distance_m=self.covered(distance_m),
            avg_hr=st.hr.mean,
            max_hr=None if st.hr.max is None else round(st.hr.max),
            avg_speed_mps=avg_speed,
            avg_pace_s_per_km=1000.0 / avg_speed if avg_speed else None,
            avg_cadence_spm=st.cadence.mean,
            target=self.view(moving_s, distance_m),
            pct_in=st.pct(st.in_s),
            pct_below=st.pct(st.below_s),
            pct_above=st.pct(st.above_s),
            scored_s=st.scored_s,
            gap_s=st.gap_s,
            ended_by=ended_by,
            laps_s=tuple(st.laps_s),
            in_s=st.in_s,
            below_s=st.below_s,
            above_s=st.above_s,
            unscored=self.policy.unscored,
        )


def step_end_text(s: StepSummary) -> str:
    """ "Interval 3 of 8 done: 4:12 per km, 85 % in target." (the target was said at the
    start; the share in it says how the rep went)."""
    head = f"{s.label} done"
    t = s.target
    parts: list[str] = []
    if t.type == TargetType.SPEED and s.avg_speed_mps:
        said = pace_text(s.avg_speed_mps)
        parts.append("stopped" if said == "standing" else f"{said} per km")
    elif t.type == TargetType.CADENCE and s.avg_cadence_spm:
        parts.append(f"cadence {s.avg_cadence_spm:.0f}")
    elif s.avg_hr is not None:
        parts.append(f"heart rate {s.avg_hr:.0f} average")
    if s.pct_in is not None:
        parts.append(f"{s.pct_in:.0f} % in target")
    return f"{head}: {', '.join(parts)}." if parts else f"{head}."


def set_start(steps: tuple[PlannedStep, ...], index: int) -> int | None:
    """The index of the first step of the repeat set ``index`` is in (None: not in one)."""
    rep, of = steps[index].rep, steps[index].rep_count
    if rep is None:
        return None
    j = index
    while j > 0:
        prev = steps[j - 1].rep
        if prev is None or steps[j - 1].rep_count != of or prev > rep:
            break
        rep, j = prev, j - 1
    return j
