"""The small state transitions every other part of the engine uses.

Starting a step (its ``StepRun`` and the ``step_start`` cue), the start of the
running phase after the countdown, pause and resume. Each takes the state and
returns the next one with its events (``session_state.Next``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hiitd.coach.compliance import BETA_BLOCKERS
from hiitd.coach.cues import is_short, step_start_text, terse_text
from hiitd.coach.events import CueKind, Priority, State
from hiitd.coach.scoring import Metric, ZoneJudge, policy_for
from hiitd.coach.steps import StepRun, set_start, target_mid
from hiitd.coach.workout_model import DurationType, TargetType

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import Event
    from hiitd.coach.session_state import Next, SessionState
    from hiitd.coach.workout_model import PlannedStep


def new_run(
    s: SessionState,
    cfg: CoachConfig,
    ps: PlannedStep,
    start_moving: float,
    start_distance: float | None = None,
) -> StepRun:
    """The runtime of step ``ps`` starting at ``start_moving`` seconds of moving time."""
    step = ps.step
    est = s.est_speed()
    if step.target.type is TargetType.SPEED:
        est = target_mid(step.target.low, step.target.high) or est
    policy = policy_for(ps, cfg.short_hr_step_s, est, hr_coaching=not s.profile.beta_blockers)
    # Short reps get a shorter speed window (a quarter of the rep, at least 3 s)
    # so a 60 s rep is judged on its own running, not on the standing start.
    length = None
    if step.duration.type is DurationType.TIME:
        length = step.duration.value
    elif step.duration.type is DurationType.DISTANCE and step.duration.value:
        length = step.duration.value / est
    window = cfg.speed_window_s
    if length is not None:
        window = max(cfg.speed_window_min_s, min(window, length * cfg.speed_window_fraction))
    hold = cfg.hold_hr_s if policy.metric is Metric.HR else cfg.hold_pace_s
    first = set_start(s.steps, ps.index)
    return StepRun(
        ps=ps,
        policy=policy,
        start_moving=start_moving,
        start_distance=s.distance_m if start_distance is None else start_distance,
        est_speed_mps=est,
        judge=ZoneJudge(hold),
        window_s=window,
        set_first=first,
        missed_sides=_missed_sides(s, ps, first),
    )


MISSED_PCT = 50.0  # a rep with this much of its scored time on one side missed that way


def _missed_sides(s: SessionState, ps: PlannedStep, first: int | None) -> frozenset[str]:
    """The sides the set's last two reps of this step (before this one) both missed."""
    if first is None:
        return frozenset()
    same = [
        x
        for x in s.step_summaries
        if first <= x.index < ps.index and s.steps[x.index].step == ps.step
    ][-2:]
    if len(same) < 2:
        return frozenset()
    sides = {"below": [x.pct_below for x in same], "above": [x.pct_above for x in same]}
    return frozenset(
        side for side, pct in sides.items() if all(p is not None and p >= MISSED_PCT for p in pct)
    )


def announce(s: SessionState, run: StepRun) -> list[Event]:
    """The step_start cue, then the workout's own words for the step."""
    view = run.view(s.moving_s, s.distance_m)
    ttype = run.ps.step.target.type
    if ttype is TargetType.HR and s.profile.beta_blockers:
        ttype = TargetType.OPEN  # no heart-rate target said: by feel (BETA_BLOCKERS)
    short = is_short(run.ps)
    nxt = s.steps[run.ps.index + 1] if run.ps.index + 1 < len(s.steps) else None
    text = terse_text(run.ps, nxt) if short else step_start_text(run.ps, view, ttype)
    said: list[Event] = [
        s.cue(CueKind.STEP_START, text, f"step {run.ps.index + 1} started", target=view)
    ]
    # The workout's own words for the step, once a set: at its first rep ("Easy jog,
    # recover" ten times over was chatter), and not in a short step, but for a circuit's
    # station, new to the runner in the first round (the speech budget still decides).
    first = run.ps.rep in (None, 1)
    if run.ps.step.cue and first and (not short or run.ps.station is not None):
        said.append(
            s.cue(
                CueKind.STEP_START,
                run.ps.step.cue,
                "workout cue at step start",
                priority=Priority.INFO,
                source="workout",
            )
        )
    return said


def start_step(
    s: SessionState, cfg: CoachConfig, now: float, index: int, start_moving: float
) -> Next:
    """Step ``index`` starts at ``start_moving``: new smoothing, the step_start cue."""
    run = new_run(s, cfg, s.steps[index], start_moving)
    if run.set_first in (None, index):
        # Repeats of a correction start over at each step outside a set and at a set's
        # first rep; within a set the back-off carries on (Billat at 115 %: "Ease back"
        # every 30 s for 19 minutes while it started over at every 30 s rep).
        s.book.calm()
    s.pod.reset_smoothing(run.window_s)
    s.pod.still.reset()
    s = replace(s, run=run)
    said = announce(s, run)
    if s.paused_by == "auto" and not run.policy.autopause:
        s, more = resume(s, now, "rest/recovery steps never auto-pause")
        said += more
    return s, said


BETA_BLOCKER_TEXT = (
    "Heart rate is not used for coaching today: beta blockers blunt it. Go by pace and "
    "feel; there are no heart-rate warnings."
)


def begin_running(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """The countdown is over: the first step starts at moving time 0.

    With beta blockers, said once after the first step's cue: why heart rate
    neither steers, scores nor warns in this session (``compliance.BETA_BLOCKERS``).
    """
    s, said = start_step(replace(s, state=State.RUNNING), cfg, now, 0, 0.0)
    if s.profile.beta_blockers:
        said.append(
            s.cue(CueKind.STEP_START, BETA_BLOCKER_TEXT, BETA_BLOCKERS, priority=Priority.INFO)
        )
    return s, said


def pause(s: SessionState, now: float, by: str, reason: str) -> Next:
    """Pause (``by`` is "manual" or "auto"): no verdict while paused."""
    del now
    s = replace(s, state=State.PAUSED, paused_by=by)
    if s.run is not None:
        s.run.judge.reset()
    return s, [s.cue(CueKind.PAUSED, "Paused.", reason)]


def resume(s: SessionState, now: float, reason: str) -> Next:
    """Running again: the pace grace restarts (getting back up to speed takes strides)."""
    del now
    s = replace(s, state=State.RUNNING, paused_by=None)
    run = s.run
    if run is not None:
        run.restart_pace_grace(run.elapsed(s.moving_s))
        run.judge.reset()
        s.pod.reset_smoothing(run.window_s)
    s.pod.still.reset()
    return s, [s.cue(CueKind.RESUMED, "Resumed.", reason)]
