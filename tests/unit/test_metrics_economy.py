"""Efficiency factor, decoupling, cadence/stride statistics and VO2max estimates."""

from __future__ import annotations

import pytest
from metrics_rig import hr_points, pod_points, record

from hiitd.metrics import economy as eco
from hiitd.metrics import series
from hiitd.record.session_record import AthleteSnapshot, SessionRecord

ATHLETE = AthleteSnapshot(max_hr=190, resting_hr=50)


def _economy(rec: SessionRecord) -> eco.Economy:
    return eco.economy(
        series.hr_segments(rec),
        series.speed_segments(rec),
        series.cadence_segments(rec),
        series.stride_segments(rec),
    )


def test_efficiency_factor() -> None:
    """3 m/s (180 m/min) at 150 bpm is an EF of 1.2."""
    rec = record(end_t=600.0, hr=hr_points(0, 600, 150), pod=pod_points(0, 600, 3.0))
    assert _economy(rec).efficiency_factor == pytest.approx(1.2)


def test_decoupling_of_a_heart_rate_drift() -> None:
    """Same 3 m/s, HR 150 then 165 over two 10 min halves: (1.2 - 1.0909) / 1.2 = 9.09 %."""
    rec = record(
        end_t=1200.0,
        hr=hr_points(0, 600, 150) + hr_points(600, 1200, 165),
        pod=pod_points(0, 1200, 3.0),
    )
    assert _economy(rec).decoupling_pct == pytest.approx((1.2 - 180 / 165) / 1.2 * 100)


def test_walking_and_short_runs_give_no_decoupling() -> None:
    """Walking (1 m/s) is not steady running time, and 4 min of running is too short to split."""
    rec = record(
        end_t=840.0,
        hr=hr_points(0, 840, 150),
        pod=pod_points(0, 600, 1.0) + pod_points(600, 840, 3.0),
    )
    econ = _economy(rec)
    assert econ.steady_s == pytest.approx(240.0)
    assert econ.decoupling_pct is None


def test_cadence_and_stride_statistics() -> None:
    """Cadence 170 then 180 for 100 s each: mean 175, sd 5, range 170-180."""
    rec = record(
        end_t=200.0,
        pod=pod_points(0, 100, 3.0, 170.0, 1.05) + pod_points(100, 200, 3.0, 180.0, 1.0),
    )
    econ = _economy(rec)
    assert econ.cadence is not None
    assert (econ.cadence.mean, econ.cadence.sd) == pytest.approx((175.0, 5.0))
    assert (econ.cadence.min, econ.cadence.max) == (170.0, 180.0)
    assert econ.stride is not None
    assert econ.stride.mean == pytest.approx(1.025)
    assert econ.efficiency_factor is None


def test_uth_vo2max_estimate() -> None:
    """Uth 2004: 15.3 x 190 / 50 = 58.14 ml/kg/min, marked as an estimate."""
    est = eco.vo2max_uth(190, 50)
    assert est is not None
    assert est.value == pytest.approx(58.14)
    assert est.estimate is True
    assert eco.vo2max_uth(190, None) is None


def test_acsm_vo2max_extrapolation() -> None:
    """180 m/min is VO2 39.5; at 71.43 % HRR that extrapolates to 3.5 + 36 / 0.7143 = 53.9."""
    rec = record(end_t=600.0, hr=hr_points(0, 600, 150), pod=pod_points(0, 600, 3.0))
    est = eco.vo2max_acsm(series.hr_segments(rec), series.speed_segments(rec), ATHLETE)
    assert est is not None
    assert est.value == pytest.approx(53.9)
    assert est.method == "acsm_running_hrr"


def test_acsm_needs_enough_running_time_in_range() -> None:
    """Below 134 m/min or at a low %HRR the ACSM estimate is not made."""
    slow = record(end_t=600.0, hr=hr_points(0, 600, 150), pod=pod_points(0, 600, 2.0))
    easy = record(end_t=600.0, hr=hr_points(0, 600, 100), pod=pod_points(0, 600, 3.0))
    for rec in (slow, easy):
        hr, speed = series.hr_segments(rec), series.speed_segments(rec)
        assert eco.vo2max_acsm(hr, speed, ATHLETE) is None
