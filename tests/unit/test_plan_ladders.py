"""Ladders: every rung is a runnable workout, and stored sessions map back to their rung."""

from __future__ import annotations

import pytest

from hiitd.coach.workout_model import Intensity
from hiitd.errors import WorkoutError
from hiitd.plan import Kind, plan_workout
from hiitd.plan.ladders import LADDERS, entry_step, locate, plan_name

LEVELS = ("beginner", "intermediate", "advanced")


@pytest.mark.parametrize("kind", list(LADDERS))
def test_every_rung_builds_and_work_grows_up_the_ladder(kind: Kind) -> None:
    """Each rung expands; levels never go down along a ladder; within a workout reps grow."""
    previous_level, previous = 0, None
    for n, rung in enumerate(LADDERS[kind], 1):
        w = plan_workout(plan_name(kind, n))
        assert w.name == plan_name(kind, n)
        work = sum(1 for s in w.expand() if s.step.intensity is Intensity.ACTIVE)
        level = LEVELS.index(rung.level)
        assert level >= previous_level
        if previous is not None and previous[0] == rung.workout:
            assert work > previous[1]
        previous_level, previous = level, (rung.workout, work)


def test_locate_maps_plan_names_and_builtins_to_rungs() -> None:
    """plan-intervals-3 is intervals step 3; the built-in norwegian-4x4 (4 reps) its 4-rep rung."""
    assert locate("plan-intervals-3") == (Kind.INTERVALS, 3)
    assert locate("norwegian-4x4") == (Kind.INTERVALS, 9)
    assert locate("tabata") == (Kind.INTERVALS, 12)
    assert locate("pyramid") is None
    assert locate("plan-intervals-99") is None
    assert locate(None) is None


def test_easy_run_and_bad_names() -> None:
    """plan-easy-30 is one 30-minute easy step; unknown plan names are a WorkoutError."""
    w = plan_workout("plan-easy-30")
    assert [s.step.duration.value for s in w.expand()] == [1800]
    with pytest.raises(WorkoutError):
        plan_workout("plan-easy-500")
    with pytest.raises(WorkoutError):
        plan_workout("plan-sprints-1")


def test_entry_step_never_starts_at_the_advanced_rungs() -> None:
    """Experience picks the first (or last) intermediate rung at most."""
    for kind, ladder in LADDERS.items():
        for exp in ("none", "beginner", "intermediate", "advanced"):
            assert ladder[entry_step(kind, exp) - 1].level != "advanced"
