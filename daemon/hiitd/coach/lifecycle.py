"""The engine's commands and session lifecycle: what is allowed when, and what it does.

An invalid command is refused with a reason and changes nothing
(docs/architecture.md, "Principles"). ``lap`` ends OPEN steps (that is what
they wait for); in a timed or distance step it only records a lap mark,
unless ``lap_ends_any_step``: a fumbled button must not cut an interval
short, and ``skip`` exists for that. Each function takes the state and
returns the next one with its events (``session_state.Next``).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hiitd.coach.ceiling import safety_ceiling
from hiitd.coach.compliance import StepScore, work_compliance, work_phrases
from hiitd.coach.cues import CueBook, metres_phrase, seconds_phrase, summary_spoken
from hiitd.coach.events import (
    Command,
    CueKind,
    EndedBy,
    Notice,
    SessionEnded,
    SessionSummary,
    State,
    StepEnded,
    StepView,
)
from hiitd.coach.scoring import is_short_hr_work
from hiitd.coach.session_state import ACTIVE, Progress
from hiitd.coach.smoothing import Hold
from hiitd.coach.speech import SpeechLog
from hiitd.coach.steps import step_end_text, target_mid
from hiitd.coach.transitions import begin_running, new_run, start_step
from hiitd.coach.workout_model import DurationType, Intensity, TargetType
from hiitd.errors import WorkoutError

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import Event
    from hiitd.coach.session_state import Next, SessionState
    from hiitd.coach.workout_model import Workout

_ALLOWED: dict[str, tuple[State, ...]] = {
    "pause": (State.RUNNING,),
    "resume": (State.PAUSED,),
    "skip": ACTIVE,
    "lap": (State.RUNNING, State.PAUSED),
    "stop": ACTIVE,
}


def invalid(s: SessionState, cmd: Command) -> str | None:
    """Why ``cmd`` cannot be applied now, or None when it can."""
    st, a = s.state, cmd.action
    if a in ("workout", "start") and st in ACTIVE:
        verb = "selecting" if a == "workout" else "starting"
        return f"a session is {st}: send 'stop' before {verb} another"
    if a == "workout" and cmd.workout is None:
        return "'workout' needs a workout (a name or a file)"
    if a == "start" and cmd.workout is None and s.workout is None:
        return "no workout selected: send 'workout' first, or 'start' with one"
    allowed = _ALLOWED.get(a)
    if allowed is None or st in allowed:
        return None
    if a == "pause" and st is State.PAUSED:
        return "already paused"
    if a == "resume" and st is State.RUNNING:
        return "not paused: the session is already running"
    if a == "pause" and st is State.COUNTDOWN:
        return "the session has not started yet: 'stop' cancels the countdown"
    return f"cannot {a}: the session is {st}"


def check_resolved(workout: Workout) -> None:
    """``WorkoutError`` unless every target is absolute (resolved against the profile)."""
    for ps in workout.expand():
        for t in (ps.step.target, ps.step.ramp_to):
            if t is not None and not t.resolved:
                raise WorkoutError(
                    "targets must be absolute: resolve the workout against the profile",
                    source=workout.source or None,
                    position=f"step {ps.index + 1}",
                )


def planned_s(workout: Workout, est_speed_mps: float) -> float:
    """The workout's planned length: time steps, distance steps at ``est_speed_mps``, and
    heart-rate steps at their maximum; open steps count nothing."""
    total = 0.0
    for ps in workout.expand():
        d = ps.step.duration
        if d.type is DurationType.TIME and d.value is not None:
            total += d.value
        elif d.type is DurationType.DISTANCE and d.value is not None:
            total += d.value / est_speed_mps
        elif d.max_s is not None:
            total += d.max_s
    return total


def check_length(workout: Workout, cfg: CoachConfig, est_speed_mps: float) -> None:
    """``WorkoutError`` for a workout planned longer than ``coach.max_session_h``."""
    hours = planned_s(workout, est_speed_mps) / 3600.0
    if hours > cfg.max_session_h:
        raise WorkoutError(
            f"the workout is planned {hours:,.1f} h long; a session may last at most "
            f"{cfg.max_session_h:g} h (coach.max_session_h)",
            source=workout.source or None,
        )


def time_limit(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """A session still going after ``max_session_h`` is stopped, and says why."""
    if (
        s.state not in (State.RUNNING, State.PAUSED)
        or now - s.started_at < cfg.max_session_h * 3600
    ):
        return s, []
    why = f"the session reached its {cfg.max_session_h:g}-hour limit (coach.max_session_h)"
    return end_step(s, cfg, now, EndedBy.STOP, reason=why)


def short_hr_notice(s: SessionState, cfg: CoachConfig) -> Notice | None:
    """A warning for work steps too short to be steered by heart rate alone."""
    limit = cfg.short_hr_step_s
    short = [ps for ps in s.steps if is_short_hr_work(ps, limit, s.est_speed())]
    if not short:
        return None
    which = ", ".join(str(ps.index + 1) for ps in short)
    return Notice(
        f"Steps {which} are work steps shorter than {limit:.0f} s with only a heart-rate "
        "target. Heart rate lags effort by about a minute, so it cannot settle in a short "
        "rep: it is used as a ceiling there (no 'push harder'). Add a pace or cadence "
        "target to steer these reps.",
        code="short_hr_step",
    )


def fresh_session(s: SessionState, cfg: CoachConfig, now: float) -> SessionState:
    """Fresh per-session state (a new session, or one restored after a crash)."""
    return replace(
        s,
        book=CueBook(s.session_id or "none"),
        speech=SpeechLog(),
        progress=Progress(),
        started_at=now,
        step_summaries=(),
        run=None,
        paused_by=None,
        safety_hold=Hold(),
        safety_last=None,
        countdown_said=frozenset(),
        restores=0,
        max_hr_proposed=False,
        # The ceiling is fixed for the session: nothing the strap says during it
        # may silence the safety cue that the same high reading deserves.
        ceiling=safety_ceiling(cfg, s.profile),
    )


def start_session(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """A new session of the selected workout, from its countdown."""
    number = s.session_no + 1
    s = replace(s, session_no=number, session_id=f"{s.session_prefix}{number}-{int(now * 1000):x}")
    s = replace(
        fresh_session(s, cfg, now), countdown_end=now + cfg.countdown_s, state=State.COUNTDOWN
    )
    if cfg.countdown_s <= 0:
        return begin_running(s, cfg, now)
    return s, []


def skip(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """End the countdown, or the current step, now."""
    if s.state is State.COUNTDOWN:
        return begin_running(replace(s, countdown_end=now), cfg, now)
    return end_step(s, cfg, now, EndedBy.SKIP)


def lap(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """End an OPEN step; elsewhere mark a lap (see the module docstring)."""
    run = s.run
    if run is None:
        return s, []
    if run.ps.step.duration.type is DurationType.OPEN or cfg.lap_ends_any_step:
        return end_step(s, cfg, now, EndedBy.LAP)
    at = run.elapsed(s.moving_s)
    run.stats.mark_lap(at)
    return s, [Notice(f"Lap marked {at:.0f} s into {run.label}; the step continues.", "lap_marked")]


def stop(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """Cancel a countdown (nothing to record) or end the session."""
    if s.state is State.COUNTDOWN:
        return replace(s, state=State.IDLE, run=None), []
    return end_step(s, cfg, now, EndedBy.STOP)


def end_step(
    s: SessionState,
    cfg: CoachConfig,
    now: float,
    ended_by: EndedBy,
    boundary: float | None = None,
    *,
    reason: str = "stop command",
) -> Next:
    """The running step ends (its summary); the next starts, or the session finishes."""
    run = s.run
    if run is None:
        return s, []
    at = s.moving_s if boundary is None else min(boundary, s.moving_s)
    summary = run.summary(at, s.distance_m, ended_by)
    s = replace(s, step_summaries=(*s.step_summaries, summary))
    said: list[Event] = [StepEnded(summary)]
    if ended_by is EndedBy.STOP:
        s, more = finish(s, now, completed=False, reason=reason)
        return s, said + more
    last = run.ps.index + 1 >= len(s.steps)
    if summary_spoken(run.ps, len(s.steps)):
        said.append(
            s.cue(
                CueKind.STEP_END,
                step_end_text(summary),
                f"step {run.ps.index + 1} ended by {ended_by.value}",
                target=summary.target,
                value=summary.pct_in,
            )
        )
    if not last:
        s, more = start_step(s, cfg, now, run.ps.index + 1, at)
    else:
        s, more = finish(s, now, completed=True)
    return s, said + more


def finish(s: SessionState, now: float, *, completed: bool, reason: str = "stop command") -> Next:
    """The session_end cue and the session summary; state finished."""
    steps = s.step_summaries
    work = work_compliance(
        StepScore(x.intensity, x.in_s, x.below_s, x.above_s, x.unscored) for x in steps
    )
    words = [seconds_phrase(s.moving_s), metres_phrase(s.distance_m), *work_phrases(work)]
    head = "Workout done" if completed else "Workout stopped"
    s = replace(s, run=None)
    in_pct = None if work is None else work.in_pct
    cue = s.cue(
        CueKind.SESSION_END,
        f"{head}. {', '.join(words)}.",
        "last step ended" if completed else reason,
        value=in_pct,
    )
    summary = SessionSummary(
        session_id=s.session_id or "",
        workout=s.workout.name if s.workout else "",
        started_at=s.started_at,
        ended_at=now,
        moving_s=s.moving_s,
        distance_m=s.distance_m,
        steps=steps,
        compliance_pct=in_pct,
        cue_count=s.book.count,
        completed=completed,
        work=work,
    )
    return replace(s, state=State.FINISHED, paused_by=None), [cue, SessionEnded(summary)]


def step_view(s: SessionState, cfg: CoachConfig) -> StepView | None:
    """The current step for ``session/state`` (the first one during the countdown)."""
    run = s.run
    if run is None:
        if s.state is State.COUNTDOWN and s.steps:
            run = new_run(s, cfg, s.steps[0], s.moving_s)
        else:
            return None
    return run.step_view(len(s.steps), s.moving_s, s.distance_m)


def target_speed(s: SessionState) -> float | None:
    """What the current step asks for in m/s; a guess for HR and open targets."""
    if s.state is State.COUNTDOWN or (s.state is State.PAUSED and s.paused_by == "manual"):
        return 0.0
    run = s.run
    if run is None or s.state not in ACTIVE:
        return None
    step = run.ps.step
    low, high = run.bounds(s.moving_s, s.distance_m)
    goal = target_mid(low, high)
    thr = s.est_speed()
    if step.target.type is TargetType.SPEED and goal is not None:
        return goal
    if step.intensity is Intensity.REST:
        return 0.0
    if step.target.type is TargetType.HR and goal is not None:
        # Fraction of HR reserve ~ fraction of VO2 reserve ~ speed / vVO2max
        # (Swain & Leutholtz 1997); threshold is ~88 % of vVO2max (Billat 1996).
        rest = s.profile.resting_hr or 60
        frac = (goal - rest) / max(1, s.profile.max_hr - rest)
        return max(1.0, min(thr / 0.88, thr / 0.88 * frac))
    factor = {Intensity.ACTIVE: 1.0, Intensity.RECOVERY: 0.6}.get(step.intensity, 0.75)
    return thr * factor
