"""hiitd's TOML workouts: the examples load, every field parses, bad files are refused whole."""

from __future__ import annotations

import contextlib
from dataclasses import replace
from pathlib import Path

import pytest
from fuzz_rig import fuzz
from hypothesis import given
from hypothesis import strategies as st

from hiitd.coach.daniels import MILE_M
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Reference,
    Relative,
    Repeat,
    Step,
    Target,
    TargetType,
    TextCue,
    Workout,
)
from hiitd.errors import WorkoutError
from hiitd.workouts.library import builtin_workouts
from hiitd.workouts.loader import load_workout_file
from hiitd.workouts.toml_format import dump_toml_workout, load_toml_workout, parse_toml_workout

EXAMPLES = Path(__file__).resolve().parents[2] / "config" / "workouts"


def write(tmp_path: Path, text: str, name: str = "mine.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


def error_of(text: str, tmp_path: Path) -> WorkoutError:
    path = write(tmp_path, text)
    with pytest.raises(WorkoutError) as info:
        load_toml_workout(path)
    assert info.value.source == str(path)
    return info.value


MINIMAL = """
[[step]]
intensity = "warmup"
time = "10:00"

[[step]]
intensity = "cooldown"
time = 300
"""


def test_example_6x800_loads() -> None:
    """config/workouts/6x800m.toml is 6 x 800 m at an absolute pace with 400 m jogs."""
    w = load_toml_workout(EXAMPLES / "6x800m.toml")
    work = [ps.step for ps in w.expand() if ps.step.intensity is Intensity.ACTIVE]
    assert (w.name, w.level, len(work)) == ("6x800m", "intermediate", 6)
    assert work[0].duration == Duration(DurationType.DISTANCE, 800)
    assert work[0].target == Target(TargetType.SPEED, 1000 / 295, 1000 / 285)


def test_example_hills_loads() -> None:
    """config/workouts/hills-5x3min.toml: 5 x 3 min at HR zone 4, recoveries until HR < 130."""
    w = load_toml_workout(EXAMPLES / "hills-5x3min.toml")
    steps = [ps.step for ps in w.expand()]
    work = [s for s in steps if s.intensity is Intensity.ACTIVE]
    rec = [s for s in steps if s.intensity is Intensity.RECOVERY]
    assert len(work) == 5
    assert work[0].target.relative == Relative(Reference.HR_ZONE, 4, 4)
    assert work[0].text_cues == (TextCue(90, "Halfway: keep the effort steady, not faster"),)
    assert rec[0].duration == Duration(DurationType.HR_BELOW, 130, 90, 240)


def test_examples_load_through_the_workout_loader() -> None:
    """The generic loader reads the examples to the same workouts."""
    for path in sorted(EXAMPLES.glob("*.toml")):
        assert load_workout_file(path) == load_toml_workout(path)


def test_name_defaults_to_the_file_name(tmp_path: Path) -> None:
    """Without name the workout is named after the file."""
    w = load_toml_workout(write(tmp_path, MINIMAL, "easy-day.toml"))
    assert w.name == "easy-day"
    assert w.source == str(tmp_path / "easy-day.toml")
    assert [ps.step.duration.value for ps in w.expand()] == [600, 300]


def test_every_target_and_duration_form(tmp_path: Path) -> None:
    """Each target key and duration key maps to the model as documented."""
    text = """
name = "all"
[[step]]
intensity = "warmup"
until = "lap"
hr = { max = 140 }
[[step]]
intensity = "active"
distance_m = 1000
pace = { fastest = "4:00" }
[[step]]
intensity = "active"
time = "1:00:00"
pct_race_pace = [98, 102]
race = "mile"
[[step]]
intensity = "recovery"
hr_above = 150
max = "2:00"
cadence = [170, 180]
[[step]]
intensity = "active"
time = 30
pace_zone = [3, 4]
[[step]]
intensity = "cooldown"
time = "5:00"
pct_threshold_pace = { min = 60, max = 80 }
"""
    steps = [ps.step for ps in load_toml_workout(write(tmp_path, text)).expand()]
    assert steps[0].duration == Duration(DurationType.OPEN)
    assert steps[0].target == Target(TargetType.HR, None, 140)
    assert steps[1].target == Target(TargetType.SPEED, None, 1000 / 240)
    assert steps[2].duration.value == 3600
    assert steps[2].target.relative == Relative(Reference.PCT_RACE_SPEED, 98, 102, MILE_M)
    assert steps[3].duration == Duration(DurationType.HR_ABOVE, 150, None, 120)
    assert steps[3].target == Target(TargetType.CADENCE, 170, 180)
    assert steps[4].target.relative == Relative(Reference.PACE_ZONE, 3, 4)
    assert steps[5].target.relative == Relative(Reference.PCT_THRESHOLD_SPEED, 60, 80)


def test_pace_range_in_either_order(tmp_path: Path) -> None:
    """pace = ["4:20", "4:05"] is the same range as ["4:05", "4:20"]."""
    text = MINIMAL.replace('time = "10:00"', 'time = "10:00"\npace = ["4:20", "4:05"]')
    w = load_toml_workout(write(tmp_path, text))
    assert w.expand()[0].step.target == Target(TargetType.SPEED, 1000 / 260, 1000 / 245)


NESTED_TYPO = """name = "typo"

[[step]]
intensity = "warmup"
time = "10:00"

[[step]]
repeat = 3

  [[step.step]]
  intensity = "active"
  time = "1:00"
  paec = ["4:00", "4:10"]
"""


def test_unknown_key_names_file_position_and_line(tmp_path: Path) -> None:
    """A misspelt key in a repeat is refused with file, 'step 2 > step 1', its line and a hint."""
    err = error_of(NESTED_TYPO, tmp_path)
    assert err.position == "step 2 > step 1, line 10"
    assert "unknown key 'paec'" in err.reason
    assert "did you mean 'pace'" in err.reason
    assert str(err).startswith(f"{tmp_path / 'mine.toml'}, step 2 > step 1, line 10: ")


@pytest.mark.parametrize(
    ("text", "position", "message"),
    [
        ("colour = 1\n" + MINIMAL, None, "unknown key 'colour'"),
        ("", None, "at least one [[step]]"),
        (
            MINIMAL.replace("time = 300", "time = 300\ndistance_m = 1"),
            "step 2, line 6",
            "exactly one",
        ),
        (MINIMAL.replace("time = 300", ""), "step 2, line 6", "got none"),
        (MINIMAL.replace('"warmup"', '"interval"'), "step 1, line 2", "intensity 'interval'"),
        (
            MINIMAL.replace("time = 300", 'time = 300\nhr = [150, 160]\npace = ["4:00", "4:10"]'),
            "step 2, line 6",
            "one target",
        ),
        (
            MINIMAL.replace("time = 300", 'time = 300\npace = ["4:70", "5:00"]'),
            "step 2, line 6",
            "pace like",
        ),
        (MINIMAL.replace("time = 300", 'time = "5 min"'), "step 2, line 6", "time must look like"),
        (MINIMAL.replace("time = 300", "time = -5"), "step 2, line 6", "outside"),
        (
            MINIMAL.replace("time = 300", 'time = 300\nmin = "1:00"'),
            "step 2, line 6",
            "only go with hr_below",
        ),
        (
            MINIMAL.replace("time = 300", "time = 300\npct_race_pace = [100, 102]"),
            "step 2, line 6",
            "needs race",
        ),
        (
            MINIMAL.replace("time = 300", "time = 300\nhr = [160, 150]"),
            "step 2, line 6",
            "above high",
        ),
        (MINIMAL.replace("time = 300", "time = 300\nhr_zone = 6"), "step 2, line 6", "zone 1-5"),
        (MINIMAL.replace("time = 300", "time = true"), "step 2, line 6", "must be a number"),
        (
            '[[step]]\nrepeat = 0\n[[step.step]]\nintensity = "active"\ntime = 1\n',
            "step 1, line 1",
            "repeat count",
        ),
        ("[[step]]\nrepeat = 2\n", "step 1, line 1", "a repeat needs"),
        ('[[step]]\nrepeat = 2\nintensity = "active"\n', "step 1, line 1", "unknown key"),
        ('level = "expert"\n' + MINIMAL, None, "level 'expert'"),
        ("[[step]\nintensity =", "line 1", "not valid TOML"),
    ],
)
def test_bad_files_are_refused_with_position(
    tmp_path: Path, text: str, position: str | None, message: str
) -> None:
    """Each kind of mistake is a WorkoutError naming the file, the place and what is wrong."""
    err = error_of(text, tmp_path)
    assert err.position == position
    assert message in err.reason


def test_a_huge_repeat_is_refused(tmp_path: Path) -> None:
    """Nested repeats that unroll past the engine's limit are refused for the whole file."""
    text = (
        "[[step]]\nrepeat = 1000\n  [[step.step]]\n  repeat = 1000\n"
        '    [[step.step.step]]\n    intensity = "active"\n    time = 1\n'
    )
    assert "unrolls to" in error_of(text, tmp_path).reason


def test_missing_file_is_named(tmp_path: Path) -> None:
    """A missing file is a WorkoutError naming it."""
    with pytest.raises(WorkoutError, match="no such file"):
        load_toml_workout(tmp_path / "nope.toml")


@pytest.mark.parametrize("w", builtin_workouts(), ids=lambda w: w.name)
def test_builtins_round_trip(w: Workout) -> None:
    """Every built-in written as TOML reads back equal."""
    assert parse_toml_workout(dump_toml_workout(w), "rt.toml") == replace(w, source="rt.toml")


def test_examples_round_trip() -> None:
    """The example files dumped and re-read are the same workouts."""
    for path in EXAMPLES.glob("*.toml"):
        w = load_toml_workout(path)
        assert parse_toml_workout(dump_toml_workout(w), str(path)) == w


def test_ramps_cannot_be_written() -> None:
    """A ramp step (from .zwo) is refused by dump rather than written wrong."""
    ramp = Step(
        Intensity.WARMUP,
        Duration(DurationType.TIME, 60),
        Target(TargetType.POWER, 100, 100),
        ramp_to=Target(TargetType.POWER, 200, 200),
    )
    with pytest.raises(WorkoutError, match="ramp"):
        dump_toml_workout(Workout("r", (ramp,)))


_bound = st.one_of(st.none(), st.integers(40, 200).map(float))


def _absolute(kind: TargetType, a: float | None, b: float | None) -> Target:
    if a is not None and b is not None:
        a, b = min(a, b), max(a, b)
    return Target(kind, a, b)


_targets = st.one_of(
    st.just(Target()),
    st.builds(
        _absolute,
        st.sampled_from([TargetType.HR, TargetType.CADENCE, TargetType.POWER]),
        _bound,
        _bound,
    ).filter(lambda t: (t.low, t.high) != (None, None)),
    st.tuples(st.floats(1.0, 7.0), st.floats(0.0, 1.0)).map(
        lambda t: Target(TargetType.SPEED, t[0], t[0] + t[1])
    ),
    st.integers(180, 600).map(lambda s: Target(TargetType.SPEED, None, 1000 / s)),
)
_durations = st.one_of(
    st.floats(1, 20000).map(lambda s: Duration(DurationType.TIME, s)),
    st.integers(1, 50000).map(lambda m: Duration(DurationType.DISTANCE, m)),
    st.just(Duration(DurationType.OPEN)),
    st.tuples(st.integers(60, 200), st.one_of(st.none(), st.integers(0, 600))).map(
        lambda t: Duration(DurationType.HR_BELOW, t[0], t[1])
    ),
)
_steps = st.builds(
    Step,
    st.sampled_from(list(Intensity)),
    _durations,
    _targets,
    st.text(max_size=20),
    st.one_of(st.none(), st.text(max_size=30)),
)
_items = st.recursive(
    _steps,
    lambda inner: st.builds(
        Repeat, st.integers(1, 5), st.lists(inner, min_size=1, max_size=3).map(tuple)
    ),
    max_leaves=8,
)


@given(st.lists(_items, min_size=1, max_size=4), st.text(min_size=1, max_size=20))
def test_round_trip_of_any_workout(items: list[Step | Repeat], name: str) -> None:
    """dump then parse gives back any workout the format can express."""
    if not name.strip():
        name = "w"
    w = Workout(name.strip(), tuple(items), source="h.toml")
    assert parse_toml_workout(dump_toml_workout(w), "h.toml") == w


@fuzz(300)
@given(st.text(max_size=400))
def test_random_text_raises_only_workout_error(text: str) -> None:
    """Random text either imports or raises WorkoutError, never anything else."""
    with contextlib.suppress(WorkoutError):
        parse_toml_workout(text, "fuzz.toml")
