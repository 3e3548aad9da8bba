"""The intensity estimate of a planned workout (plan/intensity.py) against hand-worked numbers."""

from __future__ import annotations

import pytest

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
from hiitd.plan.intensity import FREE_RUN_RPE, estimate_rpe, race_pct_of_threshold, step_rpe
from hiitd.plan.ladders import LADDERS, plan_name, plan_workout
from hiitd.plan.plan_values import Kind
from hiitd.workouts._library_parts import EASY_HR, hr, pace, race
from hiitd.workouts.library import get_builtin


def timed(intensity: Intensity, seconds: float, target: Target | None = None) -> Step:
    return Step(intensity, Duration(DurationType.TIME, seconds), target or Target())


def test_the_anchors_threshold_is_7_and_an_easy_run_3() -> None:
    """100 % of threshold speed is RPE 7; the easy ceiling (75 % of max HR) counts at 70 %: 3."""
    assert step_rpe(timed(Intensity.ACTIVE, 600, pace(98, 102))) == pytest.approx(7.0)
    assert step_rpe(timed(Intensity.ACTIVE, 600, EASY_HR)) == pytest.approx(3.0)
    assert step_rpe(timed(Intensity.ACTIVE, 60, pace(108, 113))) == pytest.approx(7 + 2 * 10.5 / 11)
    assert step_rpe(timed(Intensity.ACTIVE, 60, hr(85, 95))) == pytest.approx(7.0)  # 90 %
    # Heart-rate reserve: 70 % HRR is 32 + 0.68 x 70 = 79.6 % of max: 3 + 2 x 9.6/10 = 4.92.
    hrr = Target(TargetType.HR, relative=Relative(Reference.PCT_HRR, 65, 75))
    assert step_rpe(timed(Intensity.ACTIVE, 60, hrr)) == pytest.approx(4.92)
    # 5 km race pace is ~106 % of threshold at VDOT 45: between 7 (100 %) and 9 (111 %).
    assert race_pct_of_threshold(5000) == pytest.approx(106.2, abs=0.1)
    five_k = step_rpe(timed(Intensity.ACTIVE, 60, race(100, 100, 5000)))
    assert five_k == pytest.approx(7 + 2 * 6.2 / 11, abs=0.02)


def test_open_steps_count_by_what_they_are_for() -> None:
    """No target: warm-up 3, recovery 2, rest 1, work 7; a cadence target is no intensity."""
    assert step_rpe(timed(Intensity.WARMUP, 300)) == 3.0
    assert step_rpe(timed(Intensity.RECOVERY, 60)) == 2.0
    assert step_rpe(timed(Intensity.REST, 60)) == 1.0
    assert step_rpe(timed(Intensity.ACTIVE, 60)) == 7.0
    cadence = Target(TargetType.CADENCE, 170, 180)
    assert step_rpe(timed(Intensity.ACTIVE, 60, cadence)) == 7.0


def test_absolute_targets_count_only_with_the_athletes_numbers() -> None:
    """171 bpm of a 190 max is 90 %: RPE 7; without max HR the step counts as open work."""
    step = timed(Intensity.ACTIVE, 300, Target(TargetType.HR, 166, 176))
    assert step_rpe(step, max_hr=190) == pytest.approx(7.0)
    assert step_rpe(step) == 7.0  # the open-work default, by coincidence the same
    jog = timed(Intensity.RECOVERY, 300, Target(TargetType.SPEED, 2.5, 2.9))  # 2.7 m/s
    assert step_rpe(jog, threshold_mps=3.6) == pytest.approx(3.0)  # 75 % of threshold
    assert step_rpe(jog) == 2.0


def test_estimate_is_time_weighted_over_the_steps() -> None:
    """10 min easy (3), 4 x (3 min at threshold (7), 2 min walk (2)), 10 min easy (3).

    (600 x 3 + 4 x (180 x 7 + 120 x 2) + 600 x 3) / 2400 = 9600 / 2400 = 4.0.
    """
    w = Workout(
        "t",
        (
            timed(Intensity.WARMUP, 600, EASY_HR),
            Repeat(
                4,
                (
                    timed(Intensity.ACTIVE, 180, pace(100, 100)),
                    timed(Intensity.RECOVERY, 120),
                ),
            ),
            timed(Intensity.COOLDOWN, 600, EASY_HR),
        ),
    )
    assert estimate_rpe(w) == pytest.approx(4.0)
    # Stopped after 12 min: 10 min warm-up and 2 min of the first rep.
    assert estimate_rpe(w, minutes=12) == pytest.approx((600 * 3 + 120 * 7) / 720)


def test_distance_and_open_steps_get_a_duration() -> None:
    """400 m at threshold (3.6 m/s given: 111 s) weighs against 100 s at rest; a lap step 5 min."""
    rep = Step(Intensity.ACTIVE, Duration(DurationType.DISTANCE, 400), pace(100, 100))
    w = Workout("d", (rep, timed(Intensity.REST, 100)))
    t = 400 / 3.6
    assert estimate_rpe(w, threshold_mps=3.6) == pytest.approx((t * 7 + 100 * 1) / (t + 100))
    lap = Step(Intensity.WARMUP, Duration(DurationType.OPEN), Target())
    w = Workout("o", (lap, timed(Intensity.ACTIVE, 300, pace(100, 100))))
    assert estimate_rpe(w) == pytest.approx((300 * 3 + 300 * 7) / 600)


def test_an_interval_session_is_harder_per_minute_than_an_easy_run() -> None:
    """Every intervals rung and the Norwegian 4x4 estimate above the 30 min easy run (3.0)."""
    easy = estimate_rpe(plan_workout("plan-easy-30"))
    assert easy == pytest.approx(3.0) == FREE_RUN_RPE
    rungs = [estimate_rpe(plan_workout(plan_name(Kind.INTERVALS, n))) for n in range(1, 13)]
    assert all(r > easy for r in rungs)
    assert len(rungs) == len(LADDERS[Kind.INTERVALS])
    # 10 min easy, 4 x (4 min at 102.5 % of threshold: 7.45, 3 min jog under 80 %: 3), 5 min
    # easy: (900 x 3 + 960 x 7.4545 + 720 x 3) / 2580 = 4.66.
    norwegian = estimate_rpe(get_builtin("norwegian-4x4"))
    assert norwegian == pytest.approx((900 * 3 + 960 * (7 + 2 * 2.5 / 11) + 720 * 3) / 2580)
    assert norwegian > easy + 1.5


def test_a_stopped_session_counts_what_it_reached() -> None:
    """A Billat session stopped in its 15 min warm-up was an easy run so far."""
    billat = plan_workout("plan-intervals-4")
    assert estimate_rpe(billat, minutes=10) == pytest.approx(3.0)
    assert estimate_rpe(billat) > estimate_rpe(billat, minutes=20) > 3.0


def test_tabata_is_harder_per_minute_than_an_easy_run_but_only_just() -> None:
    """10 min easy (3), 8 x (20 s all out, open work: 7; 10 s rest: 1), 10 min easy (3).

    (1200 x 3 + 160 x 7 + 80 x 1) / 1440 = 4800 / 1440 = 3.33 a minute: above the easy
    run's 3.0, and for 24 min 80 AU where 24 easy minutes are 72. Time-weighted, the
    four minutes of Tabata barely show: a rating says more (the module's caveat).
    """
    tabata = estimate_rpe(get_builtin("tabata"))
    easy = estimate_rpe(plan_workout("plan-easy-30"))
    assert tabata == pytest.approx(4800 / 1440)
    assert tabata > easy
    assert tabata * 24 == pytest.approx(80.0)
