"""A workout of 29,400 hours is refused; a session left running stops after 6 hours."""

from __future__ import annotations

import pytest
from engine_rig import PROFILE, Rig, timed, workout

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command
from hiitd.coach.lifecycle import check_length, planned_s
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Repeat,
    Step,
    Target,
    TargetType,
    Workout,
)
from hiitd.errors import WorkoutError

A = Intensity.ACTIVE


def _huge() -> Workout:
    """4,900 steps of 6 hours: the issue's 29,400-hour workout."""
    step = Step(A, Duration(DurationType.TIME, 6 * 3600.0), Target(TargetType.OPEN))
    return Workout("huge", (Repeat(4900, (step,)),))


def test_the_planned_length_counts_time_distance_and_hr_maximums() -> None:
    """10 min + 1 km at 4 m/s + an HR step of at most 5 min + an open step: 20:10 planned."""
    w = Workout(
        "mix",
        (
            Step(A, Duration(DurationType.TIME, 600.0), Target(TargetType.OPEN)),
            Step(A, Duration(DurationType.DISTANCE, 1000.0), Target(TargetType.OPEN)),
            Step(A, Duration(DurationType.HR_BELOW, 120.0, max_s=300.0), Target(TargetType.OPEN)),
            Step(A, Duration(DurationType.OPEN), Target(TargetType.OPEN)),
        ),
    )
    assert planned_s(w, 4.0) == 600 + 250 + 300


def test_a_workout_longer_than_the_limit_is_refused_naming_the_setting() -> None:
    """29,400 hours: WorkoutError naming its length and coach.max_session_h; nothing starts."""
    with pytest.raises(WorkoutError, match=r"29,400.0 h long.*coach.max_session_h"):
        check_length(_huge(), CoachConfig(), 3.3)
    e = Engine(PROFILE, CoachConfig(countdown_s=0))
    outcome = e.command(Command("start", _huge()), 0.0)
    assert outcome.ok is False
    assert "coach.max_session_h" in (outcome.error or "")
    assert e.state == "idle"


def test_a_session_still_going_after_the_limit_is_stopped_and_says_why() -> None:
    """An open step never ends by itself: at 1 h (the limit here) the session stops."""
    rig = Rig(
        workout(timed(A, 3000), Step(A, Duration(DurationType.OPEN), Target(TargetType.OPEN))),
        config=CoachConfig(countdown_s=0, max_session_h=1.0),
    )
    rig.start()
    rig.run(3599, mps=3.0)
    assert rig.e.state == "running"
    rig.run(2, mps=3.0)
    assert rig.e.state == "finished"
    [(_, end)] = [(t, c) for t, c in rig.cue_objs() if c.kind == "session_end"]
    assert "1-hour limit" in end.reason
