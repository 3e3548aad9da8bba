"""The built-in library: every workout is well formed, resolves, and is what its name says."""

from __future__ import annotations

import dataclasses
import re

import pytest

from hiitd.coach.profile import profile_from_settings
from hiitd.coach.resolve import resolve_workout
from hiitd.coach.workout_model import DurationType, Intensity, Repeat, TargetType, Workout
from hiitd.errors import WorkoutError
from hiitd.settings import AthleteSettings, RaceResult
from hiitd.workouts._library_parts import hr
from hiitd.workouts.library import builtin_workouts, foot_contacts, get_builtin, title

TYPICAL = profile_from_settings(
    AthleteSettings(
        age=40, resting_hr=55, lthr=165, race=RaceResult(distance_m=10000, time="50:00")
    )
)
AGE_ONLY = profile_from_settings(AthleteSettings(age=40))
ALL = builtin_workouts()
# Workouts steered by heart rate or effort alone resolve with just an age.
HR_ONLY = {
    "run-walk-beginner",
    "hill-sprints",
    "strength-basics",
    "plyo-low",
    "plyo-core-circuit",
    "plyo-single-leg",
    "tabata",
}


def ids(w: Workout) -> str:
    return w.name


def test_there_are_fourteen_with_unique_slug_names() -> None:
    """Fourteen built-ins, each named by a unique lower-case slug."""
    names = [w.name for w in ALL]
    assert len(names) == 14
    assert len(set(names)) == len(names)
    assert all(re.fullmatch(r"[a-z0-9]+(-[a-z0-9]+)*", n) for n in names)


@pytest.mark.parametrize("w", ALL, ids=ids)
def test_builtin_is_well_formed(w: Workout) -> None:
    """Each has a title, a one-line description, a level, source builtin, and steps."""
    assert title(w) != w.name
    assert w.description.startswith(title(w) + ": ")
    assert "\n" not in w.description
    assert w.level in {"beginner", "intermediate", "advanced"}
    assert w.source == "builtin"
    assert len(w.expand()) >= 5


@pytest.mark.parametrize("w", ALL, ids=ids)
def test_builtin_warms_up_first_and_cools_down_last(w: Workout) -> None:
    """The first expanded step is a warm-up and the last a cool-down."""
    steps = w.expand()
    assert steps[0].step.intensity is Intensity.WARMUP
    assert steps[-1].step.intensity is Intensity.COOLDOWN


@pytest.mark.parametrize("w", ALL, ids=ids)
def test_builtin_resolves_for_a_typical_profile(w: Workout) -> None:
    """Against a profile with age, resting HR, LTHR and a race every target becomes absolute."""
    resolved = resolve_workout(w, TYPICAL)
    for ps in resolved.expand():
        assert ps.step.target.resolved
        assert ps.step.target.relative is None
        assert ps.step.cue


@pytest.mark.parametrize("w", ALL, ids=ids)
def test_builtin_with_age_only_resolves_or_says_what_to_set(w: Workout) -> None:
    """With only an age, HR-steered ones resolve; pace-steered ones ask for a pace or race."""
    if w.name in HR_ONLY:
        assert all(ps.step.target.resolved for ps in resolve_workout(w, AGE_ONLY).expand())
    else:
        with pytest.raises(WorkoutError, match=r"set athlete\.threshold_pace or athlete\.race"):
            resolve_workout(w, AGE_ONLY)


def test_beginner_run_walk_is_8_runs_of_60_s() -> None:
    """8 work steps of 60 s run with 90 s walks, level beginner."""
    w = get_builtin("run-walk-beginner")
    work = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.ACTIVE]
    walks = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.RECOVERY]
    assert w.level == "beginner"
    assert len(work) == 8
    assert all((s.duration.type, s.duration.value) == (DurationType.TIME, 60) for s in work)
    assert all(s.duration.value == 90 for s in walks)


def test_tabata_is_advanced_and_warns_beginners() -> None:
    """Tabata is level advanced, 8 x 20 s / 10 s, and says it is not for beginners."""
    w = get_builtin("tabata")
    assert w.level == "advanced"
    assert "not for beginners" in w.description
    work = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.ACTIVE]
    rest = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.REST]
    assert [s.duration.value for s in work] == [20] * 8
    assert [s.duration.value for s in rest] == [10] * 8


def test_norwegian_4x4_steers_work_by_pace_and_speaks_the_hr_goal() -> None:
    """4 x 4 min work steps with a pace target and a 90-95 % HR reminder once HR caught up."""
    w = get_builtin("norwegian-4x4")
    work = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.ACTIVE]
    assert [s.duration.value for s in work] == [240] * 4
    for s in work:
        assert s.target.type is TargetType.SPEED
        assert [c.offset_s for c in s.text_cues] == [120]
        assert "90 to 95" in s.text_cues[0].text


def test_hill_sprints_and_circuit_have_no_pace_targets() -> None:
    """Hills and the circuit use heart-rate ceilings only: no speed target, no HR floor."""
    for name in ("hill-sprints", "plyo-core-circuit"):
        for ps in get_builtin(name).expand():
            t = ps.step.target
            assert t.type in {TargetType.OPEN, TargetType.HR}
            if t.type is TargetType.HR:
                assert t.relative is not None
                assert t.relative.low is None


def test_circuit_cues_name_the_exercise() -> None:
    """Each circuit exercise's cue starts with the exercise's name."""
    w = get_builtin("plyo-core-circuit")
    work = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.ACTIVE]
    names = {s.name for s in work}
    assert {"Jump squats", "Bounds", "Plank", "Skipping"} <= names
    for s in work:
        assert s.cue is not None
        assert s.cue.startswith(f"{s.name}: ")


def test_eight_by_400_runs_distance_steps() -> None:
    """8 x 400 m are distance steps at a race-pace-relative target."""
    w = get_builtin("8x400m")
    work = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.ACTIVE]
    assert [(s.duration.type, s.duration.value) for s in work] == [(DurationType.DISTANCE, 400)] * 8


def test_pyramid_is_1_2_3_4_3_2_1_with_equal_recoveries() -> None:
    """Work minutes go 1-2-3-4-3-2-1 and each recovery equals the rep before it."""
    steps = [ps.step for ps in get_builtin("pyramid").expand()][1:-1]
    work = [s.duration.value for s in steps if s.intensity is Intensity.ACTIVE]
    rec = [s.duration.value for s in steps if s.intensity is Intensity.RECOVERY]
    assert work == [60, 120, 180, 240, 180, 120, 60]
    assert rec == work[:-1]


def test_get_builtin_accepts_any_case_titles_and_separators() -> None:
    """Slug, title, upper case and underscores all find the same workout."""
    for name in ("norwegian-4x4", "Norwegian 4x4", "NORWEGIAN_4X4", "  norwegian 4x4 "):
        assert get_builtin(name).name == "norwegian-4x4"
    assert get_builtin("Tabata 20/10").name == "tabata"


def test_get_builtin_unknown_lists_the_names() -> None:
    """An unknown name is a WorkoutError listing every built-in."""
    with pytest.raises(WorkoutError) as info:
        get_builtin("norwegian-5x5")
    for w in ALL:
        assert w.name in str(info.value)


def test_plyometric_volume_is_counted_in_foot_contacts_and_strength_has_none() -> None:
    """Contacts per session as the docs table says; repeats scale them; no jumps in strength."""
    by_name = {w.name: w for w in ALL}
    assert foot_contacts(by_name["strength-basics"]) == 0
    assert foot_contacts(by_name["plyo-low"]) == 80
    assert foot_contacts(by_name["plyo-core-circuit"]) == 112
    assert foot_contacts(by_name["plyo-single-leg"]) == 112
    assert foot_contacts(by_name["norwegian-4x4"]) == 0
    low = by_name["plyo-low"]
    three_rounds = dataclasses.replace(
        low,
        items=tuple(
            dataclasses.replace(i, count=3) if isinstance(i, Repeat) else i for i in low.items
        ),
    )
    assert foot_contacts(three_rounds) == 120
    for name in ("strength-basics", "plyo-low", "plyo-core-circuit", "plyo-single-leg"):
        assert "hiit" not in by_name[name].tags
        capped = [
            p.step.target for p in by_name[name].expand() if p.step.intensity is Intensity.ACTIVE
        ]
        assert capped, name
        assert all(t.relative == hr(None, 85).relative for t in capped), name
