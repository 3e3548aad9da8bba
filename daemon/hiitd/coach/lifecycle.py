"""The engine's commands and session lifecycle: what is allowed when, and what it does.

An invalid command is refused with a reason and changes nothing (DESIGN
principle 3). ``lap`` ends OPEN steps (that is what they wait for); in a timed
or distance step it only records a lap mark, unless ``lap_ends_any_step``: a
fumbled button must not cut an interval short, and ``skip`` exists for that.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.coach import step_coaching as coaching
from hiitd.coach.cues import CueBook, metres_phrase, seconds_phrase
from hiitd.coach.events import (
    Command,
    CueKind,
    EndedBy,
    Notice,
    SessionEnded,
    SessionSummary,
    State,
    StepView,
)
from hiitd.coach.scoring import is_short_hr_work
from hiitd.coach.steps import target_mid
from hiitd.coach.workout_model import DurationType, Intensity, TargetType
from hiitd.errors import WorkoutError

if TYPE_CHECKING:
    from hiitd.coach.engine import Engine
    from hiitd.coach.workout_model import Workout

ACTIVE = (State.COUNTDOWN, State.RUNNING, State.PAUSED)

_ALLOWED: dict[str, tuple[State, ...]] = {
    "pause": (State.RUNNING,),
    "resume": (State.PAUSED,),
    "skip": ACTIVE,
    "lap": (State.RUNNING, State.PAUSED),
    "stop": ACTIVE,
}


def invalid(e: Engine, cmd: Command) -> str | None:
    """Why ``cmd`` cannot be applied now, or None when it can."""
    s, a = e.state, cmd.action
    if a in ("workout", "start") and s in ACTIVE:
        verb = "selecting" if a == "workout" else "starting"
        return f"a session is {s}: send 'stop' before {verb} another"
    if a == "workout" and cmd.workout is None:
        return "'workout' needs a workout (a name or a file)"
    if a == "start" and cmd.workout is None and e.workout is None:
        return "no workout selected: send 'workout' first, or 'start' with one"
    allowed = _ALLOWED.get(a)
    if allowed is None or s in allowed:
        return None
    if a == "pause" and s is State.PAUSED:
        return "already paused"
    if a == "resume" and s is State.RUNNING:
        return "not paused: the session is already running"
    if a == "pause" and s is State.COUNTDOWN:
        return "the session has not started yet: 'stop' cancels the countdown"
    return f"cannot {a}: the session is {s}"


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


def short_hr_notice(e: Engine) -> Notice | None:
    """A warning for work steps too short to be steered by heart rate alone."""
    limit = e.config.short_hr_step_s
    short = [ps for ps in e.steps if is_short_hr_work(ps, limit, e.est_speed())]
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


def reset_session(e: Engine, now: float) -> None:
    """Fresh per-session state (a new session, or one restored after a crash)."""
    e.book = CueBook(e.session_id or "none")
    e.moving_s, e.distance_m, e.started_at = 0.0, 0.0, now
    e.step_summaries, e.run, e.paused_by = [], None, None
    e.safety_hold.reset()
    e.safety_last = None
    e.countdown_said = set()
    e.restores = 0
    # The ceiling is fixed for the session: a max HR learned during it must
    # not silence the safety cue that the same high reading deserves.
    e.ceiling = e.config.safety_ceiling_bpm or e.profile.max_hr


def start_session(e: Engine, now: float) -> None:
    """A new session of the selected workout, from its countdown."""
    e.session_no += 1
    e.session_id = f"{e.session_prefix}{e.session_no}-{int(now * 1000):x}"
    reset_session(e, now)
    e.countdown_end = now + e.config.countdown_s
    e.state = State.COUNTDOWN
    if e.config.countdown_s <= 0:
        e.begin_running(now)


def skip(e: Engine, now: float) -> None:
    """End the countdown, or the current step, now."""
    if e.state is State.COUNTDOWN:
        e.countdown_end = now
        e.begin_running(now)
        return
    e.end_step(now, EndedBy.SKIP)


def lap(e: Engine, now: float) -> None:
    """End an OPEN step; elsewhere mark a lap (see the module docstring)."""
    run = e.run
    if run is None:
        return
    if run.ps.step.duration.type is DurationType.OPEN or e.config.lap_ends_any_step:
        e.end_step(now, EndedBy.LAP)
        return
    at = run.elapsed(e.moving_s)
    run.stats.laps_s.append(at)
    e.emit(Notice(f"Lap marked {at:.0f} s into {run.label}; the step continues.", "lap_marked"))


def stop(e: Engine, now: float) -> None:
    """Cancel a countdown (nothing to record) or end the session."""
    if e.state is State.COUNTDOWN:
        e.state, e.run = State.IDLE, None
        return
    e.end_step(now, EndedBy.STOP)


def finish(e: Engine, now: float, *, completed: bool) -> None:
    """The session_end cue and the session summary; state finished."""
    steps = tuple(e.step_summaries)
    scored = sum(s.scored_s for s in steps)
    in_s = sum((s.pct_in or 0.0) * s.scored_s / 100.0 for s in steps)
    compliance = 100.0 * in_s / scored if scored > 0 else None
    words = [seconds_phrase(e.moving_s), metres_phrase(e.distance_m)]
    if compliance is not None:
        words.append(f"{compliance:.0f} % in target")
    head = "Workout done" if completed else "Workout stopped"
    e.run = None
    e.cue(
        CueKind.SESSION_END,
        f"{head}. {', '.join(words)}.",
        "last step ended" if completed else "stop command",
        value=compliance,
    )
    e.emit(
        SessionEnded(
            SessionSummary(
                session_id=e.session_id or "",
                workout=e.workout.name if e.workout else "",
                started_at=e.started_at,
                ended_at=now,
                moving_s=e.moving_s,
                distance_m=e.distance_m,
                steps=steps,
                compliance_pct=compliance,
                cue_count=e.book.count,
                completed=completed,
            )
        )
    )
    e.state, e.paused_by = State.FINISHED, None


def step_view(e: Engine) -> StepView | None:
    """The current step for ``session/state`` (the first one during the countdown)."""
    run = e.run
    if run is None:
        if e.state is State.COUNTDOWN and e.steps:
            run = coaching.new_run(e, e.steps[0], e.moving_s)
        else:
            return None
    return run.step_view(len(e.steps), e.moving_s, e.distance_m)


# Recreational runners' threshold speed (~5:00 /km): the guess when the profile has none.
DEFAULT_THRESHOLD_MPS = 3.3


def target_speed(e: Engine) -> float | None:
    """What the current step asks for in m/s; a guess for HR and open targets."""
    if e.state is State.COUNTDOWN or (e.state is State.PAUSED and e.paused_by == "manual"):
        return 0.0
    run = e.run
    if run is None or e.state not in ACTIVE:
        return None
    step = run.ps.step
    low, high = run.bounds(e.moving_s, e.distance_m)
    goal = target_mid(low, high)
    thr = e.est_speed()
    if step.target.type is TargetType.SPEED and goal is not None:
        return goal
    if step.intensity is Intensity.REST:
        return 0.0
    if step.target.type is TargetType.HR and goal is not None:
        # Fraction of HR reserve ~ fraction of VO2 reserve ~ speed / vVO2max
        # (Swain & Leutholtz 1997); threshold is ~88 % of vVO2max (Billat 1996).
        rest = e.profile.resting_hr or 60
        frac = (goal - rest) / max(1, e.profile.max_hr - rest)
        return max(1.0, min(thr / 0.88, thr / 0.88 * frac))
    factor = {Intensity.ACTIVE: 1.0, Intensity.RECOVERY: 0.6}.get(step.intensity, 0.75)
    return thr * factor
