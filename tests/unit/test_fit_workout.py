"""The FIT workout importer: the shared SDK examples import; broken or foreign FIT is refused."""

from __future__ import annotations

from typing import TYPE_CHECKING

import pytest
from fuzz_rig import fuzz
from hypothesis import given
from hypothesis import strategies as st

from hiitd.coach.workout_model import DurationType, Intensity, Reference, TargetType
from hiitd.errors import WorkoutError
from hiitd.workouts.fit_workout import parse_fit_workout
from hiitd.workouts.loader import load_workout_file

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path


def _fit(shared_data: Path, name: str) -> Path:
    return shared_data / "fit_workouts" / f"fitdecode__{name}.fit"


def test_every_shared_fit_workout_imports(shared_data: Path) -> None:
    """Every FIT workout in shared/data imports through the loader."""
    files = sorted((shared_data / "fit_workouts").glob("*.fit"))
    assert len(files) == 4
    for path in files:
        workout = load_workout_file(path)
        assert workout.name.startswith("Example")
        assert workout.expand()


def test_individual_steps_durations_and_zone_targets(shared_data: Path) -> None:
    """IndividualSteps: 60 s HR zone 2, 2 x 500 m power zones 5/3, until HR < 125 bpm (225-100)."""
    planned = load_workout_file(_fit(shared_data, "WorkoutIndividualSteps")).expand()
    steps = [p.step for p in planned]
    assert [(s.duration.type, s.duration.value) for s in steps] == [
        (DurationType.TIME, 60.0),
        (DurationType.DISTANCE, 500.0),
        (DurationType.DISTANCE, 500.0),
        (DurationType.HR_BELOW, 125.0),
    ]
    assert [s.intensity for s in steps] == [
        Intensity.WARMUP, Intensity.ACTIVE, Intensity.ACTIVE, Intensity.COOLDOWN,
    ]  # fmt: skip
    assert steps[0].target.relative is not None
    assert steps[0].target.relative.reference is Reference.HR_ZONE
    assert steps[0].target.relative.low == 2
    power = steps[1].target
    assert power.type is TargetType.POWER
    assert power.relative is not None
    assert (power.relative.reference, power.relative.low, power.relative.high) == (
        Reference.PCT_FTP, 106, 120,
    )  # fmt: skip
    assert [s.name for s in steps] == ["_A_", "B1_", "B2_", "_C_"]


def test_custom_values_use_the_hr_and_power_offsets(shared_data: Path) -> None:
    """CustomTargetValues: HR 50-60 is % of max HR; power 1300-1310 is 300-310 W."""
    steps = [
        p.step for p in load_workout_file(_fit(shared_data, "WorkoutCustomTargetValues")).expand()
    ]
    hr = steps[0].target
    assert hr.type is TargetType.HR
    assert hr.relative is not None
    assert (hr.relative.reference, hr.relative.low, hr.relative.high) == (
        Reference.PCT_MAX_HR, 50, 60,
    )  # fmt: skip
    assert [(s.target.low, s.target.high) for s in steps[1:]] == [
        (300, 310),
        (260, 270),
        (220, 230),
    ]
    assert all(s.target.resolved for s in steps[1:])


def test_repeat_until_steps_complete_is_a_repeat(shared_data: Path) -> None:
    """RepeatSteps: steps 1-2 repeated 3 times: 1 + 6 + 1 = 8 expanded steps."""
    workout = load_workout_file(_fit(shared_data, "WorkoutRepeatSteps"))
    planned = workout.expand()
    assert len(planned) == 8
    assert [p.step.name for p in planned] == ["_A_"] + ["B1_", "B2_"] * 3 + ["_C_"]
    assert [(p.rep, p.rep_count) for p in planned[1:3]] == [(1, 3), (1, 3)]
    assert planned[6].rep == 3
    assert workout.description == ""


def test_repeat_until_hr_is_run_once_and_says_so(shared_data: Path) -> None:
    """RepeatGreaterThanStep: 'repeat until HR > 80 %' runs once, noted in the description."""
    workout = load_workout_file(_fit(shared_data, "WorkoutRepeatGreaterThanStep"))
    assert len(workout.expand()) == 4
    assert "repeat_until_hr_greater_than" in workout.description
    assert "run once" in workout.description


def test_activity_file_is_rejected(shared_data: Path) -> None:
    """A FIT activity is not a workout: rejected at file_id, saying what it is."""
    path = shared_data / "fit_activities" / "runalyze__HRV-example.fit"
    with pytest.raises(WorkoutError) as info:
        load_workout_file(path)
    assert info.value.source == str(path)
    assert info.value.position == "file_id"
    assert "'activity'" in str(info.value)


@pytest.mark.parametrize(
    ("damage", "position"),
    [
        (lambda d: d[:-1], "file CRC"),
        (lambda d: d[:60], "file CRC"),
        (lambda d: d[:-2] + bytes([d[-2] ^ 0xFF, d[-1]]), "file CRC"),
        (lambda d: d[:20] + bytes([d[20] ^ 0x01]) + d[21:], "file CRC"),
        (lambda d: d[:8] + b".TXT" + d[12:], "header"),
        (lambda _: b"", "header"),
    ],
)
def test_damaged_fit_is_rejected(
    shared_data: Path, damage: Callable[[bytes], bytes], position: str
) -> None:
    """Truncated, bit-flipped, bad-CRC or non-FIT bytes are refused whole with a position."""
    data = _fit(shared_data, "WorkoutRepeatSteps").read_bytes()
    with pytest.raises(WorkoutError) as info:
        parse_fit_workout(damage(data), "bad.fit")
    assert info.value.source == "bad.fit"
    assert info.value.position == position


@fuzz(300)
@given(st.binary(max_size=300))
def test_random_bytes_raise_only_workout_error(data: bytes) -> None:
    """Random bytes raise WorkoutError (never anything else)."""
    with pytest.raises(WorkoutError):
        parse_fit_workout(data, "r.fit")


@fuzz(200)
@given(st.data())
def test_random_corruption_of_a_real_file_raises_only_workout_error(
    shared_data: Path, data: st.DataObject
) -> None:
    """A real workout with random bytes overwritten either imports or raises WorkoutError."""
    raw = bytearray(_fit(shared_data, "WorkoutCustomTargetValues").read_bytes())
    for _ in range(data.draw(st.integers(1, 4))):
        raw[data.draw(st.integers(0, len(raw) - 1))] = data.draw(st.integers(0, 255))
    try:
        parse_fit_workout(bytes(raw), "r.fit")
    except WorkoutError as exc:
        error: WorkoutError | None = exc
    else:
        error = None
    assert error is None or error.position is not None
