"""Resolving relative targets for an athlete, and the words cues use for targets."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

import pytest

from hiitd.coach import daniels
from hiitd.coach.profile import AthleteProfile
from hiitd.coach.resolve import describe_target, resolve_target, resolve_workout
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
    Workout,
)
from hiitd.errors import WorkoutError

VDOT = daniels.vdot_from_race(5000, 1500)
FULL = AthleteProfile(
    max_hr=190,
    max_hr_estimated=False,
    resting_hr=50,
    lthr=170,
    threshold_speed_mps=daniels.threshold_speed(VDOT),
    vdot=VDOT,
    ftp_w=250.0,
)
AGE_ONLY = AthleteProfile(180, True, None, None, None, None, age=40)


def rel(
    kind: TargetType, ref: Reference, low: float | None, high: float | None, **kw: Any
) -> Target:
    return Target(kind, relative=Relative(ref, low, high, **kw))


def bounds(t: Target) -> tuple[float | None, float | None]:
    return t.low, t.high


def test_hr_zone_uses_friel_when_lthr_is_known() -> None:
    """hr_zone 4 with LTHR 170 is Friel's Z4, 162-169 bpm."""
    t = resolve_target(rel(TargetType.HR, Reference.HR_ZONE, 4, 4), FULL)
    assert bounds(t) == (162, 169)
    assert t.resolved


def test_hr_zone_5_spans_friel_5a_to_max() -> None:
    """hr_zone 5 covers Friel's 5a-5c: from LTHR up to max HR."""
    t = resolve_target(rel(TargetType.HR, Reference.HR_ZONE, 5, 5), FULL)
    assert bounds(t) == (170, 190)


def test_hr_zone_falls_back_to_karvonen_then_percent_max() -> None:
    """Without LTHR a resting HR gives Karvonen zones; with neither, % of max HR."""
    z2 = rel(TargetType.HR, Reference.HR_ZONE, 2, 2)
    assert bounds(resolve_target(z2, replace(FULL, lthr=None))) == (134, 147)
    assert bounds(resolve_target(z2, replace(FULL, lthr=None, resting_hr=None))) == (114, 132)


def test_hr_zone_range() -> None:
    """hr_zone [1, 2] with Friel zones is a ceiling at the top of Z2."""
    t = resolve_target(rel(TargetType.HR, Reference.HR_ZONE, 1, 2), FULL)
    assert bounds(t) == (None, 152)


def test_percent_targets_round_to_whole_bpm() -> None:
    """90-95 % of max 190 is 171-181 (180.5 rounds up); % HRR and % LTHR likewise."""
    assert bounds(resolve_target(rel(TargetType.HR, Reference.PCT_MAX_HR, 90, 95), FULL)) == (
        171,
        181,
    )
    assert bounds(resolve_target(rel(TargetType.HR, Reference.PCT_HRR, 50, None), FULL)) == (
        120,
        None,
    )
    assert bounds(resolve_target(rel(TargetType.HR, Reference.PCT_LTHR, None, 100), FULL)) == (
        None,
        170,
    )


def test_pace_relative_targets_are_speeds() -> None:
    """% threshold and pace zones scale the threshold speed; race pace comes from VDOT."""
    ts = FULL.threshold_speed_mps
    assert ts is not None
    t = resolve_target(rel(TargetType.SPEED, Reference.PCT_THRESHOLD_SPEED, 95, 105), FULL)
    assert t.low == pytest.approx(ts * 0.95, abs=1e-4)
    assert t.high == pytest.approx(ts * 1.05, abs=1e-4)
    z = resolve_target(rel(TargetType.SPEED, Reference.PACE_ZONE, 5, 5), FULL)
    assert z.low == pytest.approx(ts, abs=1e-4)
    assert z.high is None
    r = resolve_target(rel(TargetType.SPEED, Reference.PCT_RACE_SPEED, 100, 100, race_m=5000), FULL)
    assert r.low == pytest.approx(5000 / 1500, abs=1e-3)


def test_pct_ftp_needs_an_ftp() -> None:
    """% FTP scales the profile's FTP, and without one it is refused."""
    t = rel(TargetType.POWER, Reference.PCT_FTP, 90, 100)
    assert bounds(resolve_target(t, FULL)) == (225, 250)
    with pytest.raises(WorkoutError, match="FTP"):
        resolve_target(t, AGE_ONLY)


def test_missing_settings_are_named() -> None:
    """HRR needs resting_hr, % LTHR needs lthr, pace needs threshold_pace or race."""
    cases = [
        (rel(TargetType.HR, Reference.PCT_HRR, 60, 70), "athlete.resting_hr"),
        (rel(TargetType.HR, Reference.PCT_LTHR, 90, 95), "athlete.lthr"),
        (
            rel(TargetType.SPEED, Reference.PACE_ZONE, 3, 3),
            "athlete.threshold_pace or athlete.race",
        ),
        (
            rel(TargetType.SPEED, Reference.PCT_RACE_SPEED, 100, 100, race_m=5000),
            "athlete.threshold_pace or athlete.race",
        ),
    ]
    for target, advice in cases:
        with pytest.raises(WorkoutError, match=advice):
            resolve_target(target, AGE_ONLY)


def test_a_zone_number_out_of_range_is_refused() -> None:
    """Zone 6 or zone 2.5 is a WorkoutError, not a guess."""
    for low in (6, 2.5, 0):
        with pytest.raises(WorkoutError, match="zone"):
            resolve_target(rel(TargetType.HR, Reference.HR_ZONE, low, low), FULL)


def test_a_reference_of_the_wrong_unit_is_refused() -> None:
    """A speed target relative to max HR is a mistake in the workout."""
    with pytest.raises(WorkoutError, match="must be a hr target"):
        resolve_target(rel(TargetType.SPEED, Reference.PCT_MAX_HR, 80, 90), FULL)


def test_absolute_targets_pass_unchanged() -> None:
    """An absolute or open target is returned as it is."""
    t = Target(TargetType.CADENCE, 170, 180)
    assert resolve_target(t, AGE_ONLY) is t
    assert resolve_target(Target(), AGE_ONLY) == Target()


def _workout(target: Target) -> Workout:
    time = Duration(DurationType.TIME, 60)
    return Workout(
        "w",
        (
            Step(Intensity.WARMUP, time),
            Repeat(2, (Step(Intensity.ACTIVE, time, target, name="Fast"),)),
        ),
        source="my.toml",
    )


def test_resolve_workout_resolves_nested_steps() -> None:
    """Every step in every repeat comes back absolute."""
    w = resolve_workout(_workout(rel(TargetType.HR, Reference.PCT_MAX_HR, 80, 90)), FULL)
    assert all(ps.step.target.resolved for ps in w.expand())
    assert bounds(w.expand()[1].step.target) == (152, 171)


def test_resolve_workout_error_names_step_source_and_setting() -> None:
    """An unresolvable step is reported with the file, its place and what to configure."""
    w = _workout(rel(TargetType.SPEED, Reference.PCT_THRESHOLD_SPEED, 100, 105))
    with pytest.raises(WorkoutError) as info:
        resolve_workout(w, AGE_ONLY)
    err = info.value
    assert (err.source, err.position) == ("my.toml", "step 2 > step 1")
    assert "'Fast'" in str(err)
    assert "set athlete.threshold_pace or athlete.race" in str(err)


def test_describe_absolute_targets() -> None:
    """Cue words: pace fast-slow per km, bpm, spm, W, one-sided bounds and open."""
    assert describe_target(Target(TargetType.SPEED, 1000 / 260, 1000 / 245)) == "4:05-4:20 /km"
    assert describe_target(Target(TargetType.HR, 150, 160)) == "150-160 bpm"
    assert describe_target(Target(TargetType.CADENCE, 170, 180)) == "170-180 spm"
    assert describe_target(Target(TargetType.POWER, 250, 270)) == "250-270 W"
    assert describe_target(Target(TargetType.HR, None, 160)) == "under 160 bpm"
    assert describe_target(Target(TargetType.SPEED, 1000 / 300, None)) == "5:00 /km or faster"
    assert describe_target(Target(TargetType.SPEED, None, 1000 / 400)) == "6:40 /km or slower"
    assert describe_target(Target()) == "open"


def test_describe_relative_targets() -> None:
    """Unresolved targets read as the workout states them."""
    assert describe_target(rel(TargetType.HR, Reference.HR_ZONE, 4, 4)) == "HR zone 4"
    assert describe_target(rel(TargetType.SPEED, Reference.PACE_ZONE, 2, 3)) == "pace zones 2-3"
    assert describe_target(rel(TargetType.HR, Reference.PCT_MAX_HR, 90, 95)) == "90-95 % max HR"
    race = rel(TargetType.SPEED, Reference.PCT_RACE_SPEED, 100, 104, race_m=5000)
    assert describe_target(race) == "100-104 % 5k pace"


def test_a_zero_speed_bound_is_open_ended() -> None:
    """A speed range starting at 0 m/s reads as 'or slower', not a division by zero."""
    from hiitd.coach.resolve import describe_target  # noqa: PLC0415
    from hiitd.coach.workout_model import Target, TargetType  # noqa: PLC0415

    assert describe_target(Target(TargetType.SPEED, 0.0, 3.0)) == "5:33 /km or slower"
