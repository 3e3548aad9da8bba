"""Continuing a session after a daemon crash: the resume point, and the restored state.

The daemon stores ``Engine.resume_point(now)`` with each checkpoint. When
systemd restarts it after a crash and the last checkpoint is recent, it hands
the point back to a fresh (idle) engine, which continues the *same* session:
same session id and workout, the step it was in with the moving time and
distance already done there, the session's moving time and distance.

What restore does and does not bring back:

* Cue ids continue the session without colliding with those issued before
  the crash: they are ``<session_id>.r<n>.<session_prefix>:<count>``, where
  ``n`` counts the restores of this session (carried in the resume point) and
  the prefix is unique per daemon run (the daemon passes a random one).
* Grace periods restart (pace and HR): the runner just had a gap in coaching,
  so no correction comes right away. The halfway cue and the workout's text
  cues already passed in the step are not said again.
* Sensors start as the engine finds them (a fresh engine: absent); the crash
  gap itself is no ``sensor_lost``.
* An auto-pause is not stored (``paused`` is a *manual* pause only): after a
  restart the footpod decides again, as it does when it is lost while paused.
* The engine holds no summary of the steps completed before the crash: the
  recorder does, and the daemon merges them. The restored step's summary has
  the whole step's duration and distance, but its averages and zone
  percentages cover only the part after the restore. The session summary's
  ``moving_s`` and ``distance_m`` are the whole session's; its ``steps``,
  ``compliance_pct`` and ``cue_count`` cover what this engine saw; its
  ``started_at`` is the restore time (the engine's clock before the crash is
  gone).
"""

from __future__ import annotations

import math
from dataclasses import asdict, dataclass, replace
from typing import TYPE_CHECKING, Any

from hiitd.coach.cues import CueBook, duration_phrase, metres_phrase, seconds_phrase, spoken_target
from hiitd.coach.events import CueKind, State
from hiitd.coach.lifecycle import check_resolved, fresh_session
from hiitd.coach.session_state import ACTIVE, Progress
from hiitd.coach.speech import SpeechLog
from hiitd.coach.transitions import new_run
from hiitd.coach.workout_model import DurationType
from hiitd.errors import HiitdError, WorkoutError

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.session_state import Next, SessionState
    from hiitd.coach.steps import StepRun
    from hiitd.coach.workout_model import Workout

RESTORE_REASON = "restored after restart"


@dataclass(frozen=True, slots=True)
class ResumePoint:
    """Where a session stands: exactly what ``Engine.restore`` needs to continue it.

    Times are moving seconds, distances metres; ``step_*`` are within the step
    at ``step_index`` (0-based, in the expanded workout). ``restores`` counts
    the restores this session already had (it keeps cue ids unique).
    """

    workout: str
    session_id: str
    step_index: int
    step_moving_s: float
    moving_s: float
    distance_m: float
    step_distance_m: float = 0.0
    paused: bool = False
    restores: int = 0

    def __post_init__(self) -> None:
        if not self.session_id:
            raise ValueError("a resume point needs a session id")
        for name in ("step_index", "restores"):
            if getattr(self, name) < 0:
                raise ValueError(f"{name} must not be negative, got {getattr(self, name)}")
        for name in ("step_moving_s", "moving_s", "distance_m", "step_distance_m"):
            value = getattr(self, name)
            if not math.isfinite(value) or value < 0:
                raise ValueError(f"{name} must be a finite number >= 0, got {value}")
        if self.step_moving_s > self.moving_s:
            raise ValueError(
                f"step_moving_s {self.step_moving_s:g} is more than the session's "
                f"moving_s {self.moving_s:g}"
            )
        if self.step_distance_m > self.distance_m:
            raise ValueError(
                f"step_distance_m {self.step_distance_m:g} is more than the session's "
                f"distance_m {self.distance_m:g}"
            )

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict (full precision: it is read back, not shown)."""
        return asdict(self)

    @classmethod
    def from_payload(cls, payload: dict[str, Any]) -> ResumePoint:
        """The point stored by ``to_payload``; ``ValueError`` naming what is wrong."""
        return cls(
            workout=_get(payload, "workout", str),
            session_id=_get(payload, "session_id", str),
            step_index=_get(payload, "step_index", int),
            step_moving_s=float(_get(payload, "step_moving_s", float)),
            moving_s=float(_get(payload, "moving_s", float)),
            distance_m=float(_get(payload, "distance_m", float)),
            step_distance_m=float(_get(payload, "step_distance_m", float, 0.0)),
            paused=_get(payload, "paused", bool, False),
            restores=_get(payload, "restores", int, 0),
        )


_NAMES = {str: "a string", int: "an integer", float: "a number", bool: "true or false"}


def _get(payload: dict[str, Any], key: str, kind: type, default: Any = None) -> Any:
    """``payload[key]`` checked against ``kind`` (an int is a float; a bool is no number)."""
    if key not in payload:
        if default is None:
            raise ValueError(f"resume point lacks {key!r}")
        return default
    value = payload[key]
    kinds = (int, float) if kind is float else (kind,)
    ok = isinstance(value, kinds) and (kind is bool or not isinstance(value, bool))
    if not ok:
        raise ValueError(f"resume point {key!r} must be {_NAMES[kind]}, got {value!r}")
    return value


def resume_point(s: SessionState, now: float, last_now: float | None) -> ResumePoint | None:
    """The point to store at a checkpoint; None when no session is under way.

    Moving time not yet advanced to (from ``last_now``, the engine's last
    call, to ``now``) is included while running. During the start countdown
    the point is the first step's start. An auto-pause is stored as running
    (see the module docstring).
    """
    if s.state not in ACTIVE or s.session_id is None or s.workout is None:
        return None
    if s.state is State.COUNTDOWN or s.run is None:
        return ResumePoint(s.workout.name, s.session_id, 0, 0.0, 0.0, 0.0, restores=s.restores)
    run = s.run
    pending = 0.0
    if s.state is State.RUNNING and last_now is not None:
        pending = max(0.0, now - last_now)
    moving = s.moving_s + pending
    return ResumePoint(
        workout=s.workout.name,
        session_id=s.session_id,
        step_index=run.ps.index,
        step_moving_s=run.elapsed(moving),
        moving_s=moving,
        distance_m=s.distance_m,
        step_distance_m=run.covered(s.distance_m),
        paused=s.state is State.PAUSED and s.paused_by == "manual",
        restores=s.restores,
    )


def check(s: SessionState, workout: Workout, point: ResumePoint) -> None:
    """Raise (and change nothing) unless ``point`` can be restored into ``s`` now."""
    if s.state is not State.IDLE:
        raise HiitdError(
            f"cannot restore a session while the engine is {s.state}: "
            "restore needs an idle engine (a fresh daemon start)"
        )
    if workout.name != point.workout:
        raise WorkoutError(
            f"the session to restore ran workout {point.workout!r}, not {workout.name!r}",
            source=workout.source or None,
        )
    check_resolved(workout)
    count = len(workout.expand())
    if point.step_index >= count:
        raise WorkoutError(
            f"cannot restore at step index {point.step_index} (step {point.step_index + 1}): "
            f"the workout has {count} steps",
            source=workout.source or None,
        )


def restore(
    s: SessionState, cfg: CoachConfig, workout: Workout, point: ResumePoint, now: float
) -> Next:
    """Continue the session of ``point`` (already ``check``-ed) at ``now``, with its cue."""
    s = replace(s, workout=workout, steps=workout.expand(), session_id=point.session_id)
    restores = point.restores + 1
    s = replace(
        fresh_session(s, cfg, now),
        restores=restores,
        book=CueBook(f"{point.session_id}.r{restores}.{s.session_prefix}"),
        speech=SpeechLog(),
        progress=Progress(point.moving_s, point.distance_m),
    )
    ps = s.steps[point.step_index]
    run = new_run(
        s, cfg, ps, point.moving_s - point.step_moving_s, point.distance_m - point.step_distance_m
    )
    # The runner just had a gap in coaching: grace starts again at this point, and
    # what was said before the crash (halfway, the workout's texts) is not said again.
    run.rewind(point.step_moving_s, said_halfway=run.progress(s.moving_s, s.distance_m) >= 0.5)
    s.pod.reset_smoothing(run.window_s)
    s.pod.still.reset()
    paused = point.paused
    s = replace(
        s,
        run=run,
        state=State.PAUSED if paused else State.RUNNING,
        paused_by="manual" if paused else None,
    )
    left = run.remaining_s(s.moving_s)
    cue = s.cue(
        CueKind.PAUSED if paused else CueKind.RESUMED,
        restore_text(s, run, paused=paused),
        RESTORE_REASON + (" (paused)" if paused else ""),
        target=run.view(s.moving_s, s.distance_m),
        value=left if left is not None else run.remaining_m(s.distance_m),  # s, or m
    )
    return s, [cue]


def restore_text(s: SessionState, run: StepRun, *, paused: bool) -> str:
    """ "Back after a restart. Interval 3 of 8, 2 minutes 10 left, 4:05 to 4:20 per km." """
    head = "Back after a restart, paused." if paused else "Back after a restart."
    d = run.ps.step.duration
    left_s = run.remaining_s(s.moving_s)
    left_m = run.remaining_m(s.distance_m)
    if d.type is DurationType.TIME and left_s is not None:
        where = f"{seconds_phrase(left_s)} left"
    elif left_m is not None:
        where = f"{metres_phrase(left_m)} left"
    else:
        where = duration_phrase(d)
    low, high = run.bounds(s.moving_s, s.distance_m)
    said = spoken_target(run.ps.step.target.type, low, high)
    tail = f", {said}" if said else ""
    return f"{head} {run.label}, {where}{tail}."
