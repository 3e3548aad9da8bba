"""Keytel calories and Banister TRIMP / HRSS on worked examples."""

from __future__ import annotations

import math

import pytest
from metrics_rig import hr_points, record

from hiitd.metrics import energy as en
from hiitd.metrics import series
from hiitd.metrics import training_load as ld
from hiitd.record.session_record import AthleteSnapshot

MAN = AthleteSnapshot(max_hr=190, resting_hr=50, lthr=170, age=30, sex="male", weight_kg=70.0)


def test_keytel_men_worked_example() -> None:
    """Man, 70 kg, 30 y, HR 150: -55.0969 + 94.635 + 13.916 + 6.051 = 59.5051 kJ/min."""
    assert en.keytel_kj_per_min(150, "male", 70.0, 30) == pytest.approx(59.5051)


def test_keytel_women_worked_example() -> None:
    """Woman, 60 kg, 30 y, HR 150: -20.4022 + 67.08 - 7.578 + 2.22 = 41.3198 kJ/min."""
    assert en.keytel_kj_per_min(150, "female", 60.0, 30) == pytest.approx(41.3198)


def test_keytel_vo2max_variants() -> None:
    """With VO2max 50: men -95.7735 + 95.1 + 20.2 + 27.58 + 8.13; women 41.5046 kJ/min."""
    assert en.keytel_kj_per_min(150, "male", 70.0, 30, 50.0) == pytest.approx(55.2365)
    women = -59.3954 + 0.45 * 150 + 0.380 * 50 + 0.103 * 60 + 0.274 * 30
    assert en.keytel_kj_per_min(150, "female", 60.0, 30, 50.0) == pytest.approx(women)
    assert women == pytest.approx(41.5046)


def test_ten_minutes_at_150_integrates_to_kcal() -> None:
    """10 min at 59.5051 kJ/min is 595.051 kJ, 142.22 kcal, labelled an estimate."""
    rec = record(end_t=600.0, hr=hr_points(0, 600, 150), athlete=MAN)
    est = en.energy(series.hr_segments(rec), MAN)
    assert est.kj == pytest.approx(595.051)
    assert est.kcal == pytest.approx(595.051 / 4.184)
    assert est.kcal == pytest.approx(142.22, abs=0.01)
    assert est.method == "keytel2005"
    assert est.estimate is True


def test_vo2max_selects_the_vo2max_equation() -> None:
    """A known VO2max switches to the paper's VO2max model."""
    athlete = AthleteSnapshot(max_hr=190, age=30, sex="male", weight_kg=70.0, vo2max=50.0)
    rec = record(end_t=60.0, hr=hr_points(0, 60, 150), athlete=athlete)
    est = en.energy(series.hr_segments(rec), athlete)
    assert est.method == "keytel2005_vo2max"
    assert est.kj == pytest.approx(55.2365)


def test_negative_prediction_counts_as_zero() -> None:
    """A woman of 100 kg at HR 40 predicts -13.66 kJ/min: that interval adds 0, not less."""
    athlete = AthleteSnapshot(max_hr=190, age=20, sex="female", weight_kg=100.0)
    rec = record(end_t=120.0, hr=hr_points(0, 60, 40) + hr_points(60, 120, 150), athlete=athlete)
    est = en.energy(series.hr_segments(rec), athlete)
    one_min_at_150 = -20.4022 + 0.4472 * 150 - 0.1263 * 100 + 0.0740 * 20
    assert est.kj == pytest.approx(one_min_at_150)


def test_missing_profile_fields_are_named() -> None:
    """Without weight and sex there is no calorie figure, and the missing fields are named."""
    athlete = AthleteSnapshot(max_hr=190, age=30)
    rec = record(end_t=60.0, hr=hr_points(0, 60, 150), athlete=athlete)
    est = en.energy(series.hr_segments(rec), athlete)
    assert est.kcal is None
    assert est.missing == ("weight_kg", "sex")


def test_gaps_burn_nothing() -> None:
    """Calories cover only heart-rate time: a half-dropped minute counts its covered part."""
    rec = record(end_t=60.0, hr=hr_points(0, 28, 150), athlete=MAN)
    est = en.energy(series.hr_segments(rec), MAN)
    assert est.covered_s == pytest.approx(30.0)
    assert est.kj == pytest.approx(59.5051 / 2)


def test_trimp_worked_example() -> None:
    """30 min at 150 (rest 50, max 190): 30 x 0.7143 x 0.64 x e^(1.92 x 0.7143) = 54.05."""
    rec = record(end_t=1800.0, hr=hr_points(0, 1800, 150), athlete=MAN)
    load = ld.training_load(series.hr_segments(rec), MAN)
    hrr = 100 / 140
    assert load.trimp == pytest.approx(30 * hrr * 0.64 * math.exp(1.92 * hrr))
    assert load.trimp == pytest.approx(54.048, abs=0.001)


def test_hrss_is_100_for_an_hour_at_lthr() -> None:
    """One hour at LTHR scores HRSS 100; 30 min at 150 scores 54.05 / 170.65 x 100."""
    hour = record(end_t=3600.0, hr=hr_points(0, 3600, 170), athlete=MAN)
    assert ld.training_load(series.hr_segments(hour), MAN).hrss == pytest.approx(100.0)
    half = record(end_t=1800.0, hr=hr_points(0, 1800, 150), athlete=MAN)
    load = ld.training_load(series.hr_segments(half), MAN)
    assert load.hrss == pytest.approx(100 * 54.04768 / 170.65109, rel=1e-6)
    assert load.lthr_estimated is False


def test_women_use_banisters_female_weighting() -> None:
    """For a woman the factor is 0.86 e^(1.67 HRr): 30 min at HRr 0.7143 gives 60.75."""
    woman = AthleteSnapshot(max_hr=190, resting_hr=50, sex="female")
    rec = record(end_t=1800.0, hr=hr_points(0, 1800, 150), athlete=woman)
    assert ld.training_load(series.hr_segments(rec), woman).trimp == pytest.approx(60.7495, 1e-5)


def test_lthr_is_estimated_and_said_so() -> None:
    """Without LTHR, HRSS uses 90 % of max HR and says it is estimated."""
    athlete = AthleteSnapshot(max_hr=190, resting_hr=50, sex="male")
    rec = record(end_t=600.0, hr=hr_points(0, 600, 150), athlete=athlete)
    load = ld.training_load(series.hr_segments(rec), athlete)
    assert load.lthr_estimated is True
    assert load.lthr_used == pytest.approx(171.0)
    assert load.notes
    assert load.notes[0].startswith("LTHR estimated")


def test_trimp_needs_resting_hr_and_sex() -> None:
    """No resting HR and no sex: TRIMP is None and both are named."""
    athlete = AthleteSnapshot(max_hr=190)
    load = ld.training_load((), athlete)
    assert load.trimp is None
    assert load.missing == ("resting_hr", "sex")
