"""The simulated runner's fitness day to day: slow to build and to lose, fatigue, illness."""

from __future__ import annotations

import pytest

from hiitd_drivers.sim_fitness import Baseline, TrainingState

BEGINNER = Baseline(threshold_speed_mps=2.4, resting_hr=74, max_hr=182, weekly_minutes=0, age=38)
TRAINED = Baseline(threshold_speed_mps=4.1, resting_hr=47, max_hr=192, weekly_minutes=300, age=31)
# Three 40-minute easy runs a week, as a daily TRIMP pattern (Banister, ~0.62 HRR).
RUN_DAY = 40 * 1.3


def train(state: TrainingState, weeks: int, load: float = RUN_DAY) -> TrainingState:
    """Run on Monday, Wednesday and Friday for ``weeks`` weeks."""
    for day in range(7 * weeks):
        state = state.after_day(load if day % 7 in (0, 2, 4) else 0.0)
    return state


def test_the_start_is_the_habitual_steady_state() -> None:
    """Before the plan the runner is fresh: no fatigue, the persona's threshold and resting HR."""
    fitness = TrainingState.start(TRAINED).fitness()
    assert fitness.fatigue == 0.0
    assert fitness.threshold_speed_mps == pytest.approx(TRAINED.threshold_speed_mps)
    assert fitness.resting_hr == pytest.approx(TRAINED.resting_hr)
    assert TrainingState.start(BEGINNER).fitness().conditioning < 0.05
    assert fitness.conditioning > 0.7


def test_fitness_responds_slowly_to_training() -> None:
    """A beginner training three times a week gains a little in a week, several % in 12 weeks:
    the first week brings under a fifth of what twelve do, and gains are still coming at 8."""
    start = TrainingState.start(BEGINNER)
    base = start.fitness().threshold_speed_mps
    week = train(start, 1).fitness().threshold_speed_mps
    twelve = train(start, 12).fitness()
    eight = train(start, 8).fitness().threshold_speed_mps
    gain = (twelve.threshold_speed_mps - base) / base
    assert 0.03 <= gain <= 0.15
    assert (week - base) / base < gain / 5
    assert base < week < eight < twelve.threshold_speed_mps
    assert twelve.resting_hr < BEGINNER.resting_hr - 1.5
    assert twelve.vagal_tone > start.fitness().vagal_tone


def test_a_trained_runner_gains_little_from_the_same_training() -> None:
    """Diminishing returns: the beginner's 12 weeks move a trained runner's threshold far less."""
    start = TrainingState.start(TRAINED)
    more = train(start, 12, load=3 * RUN_DAY).fitness().threshold_speed_mps
    assert abs(more - TRAINED.threshold_speed_mps) / TRAINED.threshold_speed_mps < 0.03


def test_detraining_is_slow_too() -> None:
    """Four weeks off cost a trained runner a few per cent of threshold speed, not all of it."""
    rested = train(TrainingState.start(TRAINED), 4, load=0.0).fitness()
    loss = 1 - rested.threshold_speed_mps / TRAINED.threshold_speed_mps
    assert 0.01 <= loss <= 0.10


def test_a_sudden_block_shows_as_fatigue_then_clears() -> None:
    """A week far above the habit raises fatigue (resting HR up); a quiet week after clears it."""
    start = TrainingState.start(BEGINNER)
    hard = start
    for _ in range(7):
        hard = hard.after_day(80.0)
    assert hard.fatigue > 0.5
    assert hard.fitness().resting_hr > train(start, 1).fitness().resting_hr
    quiet = train(hard, 2, load=0.0)
    assert quiet.fatigue < hard.fatigue / 2


def test_illness_raises_resting_hr_and_lowers_hrv_then_fades() -> None:
    """While ill resting HR is ~10 bpm up and vagal tone halved; a few days later mostly gone."""
    well = TrainingState.start(TRAINED)
    ill = well.after_day(0.0, ill=True)
    assert ill.fitness().resting_hr - well.fitness().resting_hr == pytest.approx(10, abs=1.5)
    assert ill.fitness().vagal_tone < 0.6 * well.fitness().vagal_tone
    later = ill
    for _ in range(5):
        later = later.after_day(0.0)
    assert later.fitness().resting_hr - well.fitness().resting_hr < 2.0


@pytest.mark.parametrize("load", [-1.0, float("nan"), float("inf")])
def test_a_bad_load_is_rejected(load: float) -> None:
    with pytest.raises(ValueError, match="TRIMP"):
        TrainingState.start(BEGINNER).after_day(load)


def test_the_session_model_is_fitter_when_conditioned() -> None:
    """Conditioning speeds heart-rate kinetics and cuts drift in the session model."""
    untrained = TrainingState.start(BEGINNER).fitness().athlete_model()
    trained = TrainingState.start(TRAINED).fitness().athlete_model(effort=0.9)
    assert trained.hr_time_constant_s < untrained.hr_time_constant_s
    assert trained.hr_fast_recovery_s < untrained.hr_fast_recovery_s
    assert trained.drift_bpm_per_10min < untrained.drift_bpm_per_10min
    assert trained.effort == 0.9
