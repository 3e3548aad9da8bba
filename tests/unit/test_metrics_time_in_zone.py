"""Time in zone and per-step compliance: gaps and pauses count nowhere."""

from __future__ import annotations

import pytest
from metrics_rig import hr_points, pod_points, record, step

from hiitd.coach.zones import hr_zones_max, pace_zones
from hiitd.metrics import series
from hiitd.metrics import time_in_zone as tz
from hiitd.record.session_record import PauseRecord


def _seconds(times: tz.ZoneTimes) -> dict[str, float]:
    return {z.label: z.seconds for z in times.zones}


def test_hr_zone_times_of_a_step_change() -> None:
    """150 bpm for 300 s and 170 bpm for 300 s with max 200 fill zone 3 and zone 4."""
    rec = record(end_t=600.0, hr=hr_points(0, 300, 150) + hr_points(300, 600, 170))
    times = tz.hr_zone_times(series.hr_segments(rec), hr_zones_max(200))
    assert _seconds(times) == pytest.approx({"1": 0, "2": 0, "3": 300, "4": 300, "5": 0})
    assert times.below_s == 0.0
    assert times.above_s == 0.0


def test_gaps_and_pauses_count_in_no_zone() -> None:
    """Only covered, unpaused time counts: 202 s before a dropout, 200 s unpaused after it."""
    hr = hr_points(0, 200, 150) + hr_points(300, 600, 150)
    rec = record(end_t=600.0, hr=hr, pauses=[PauseRecord(400.0, 500.0)])
    times = tz.hr_zone_times(series.hr_segments(rec), hr_zones_max(200))
    assert times.total_s == pytest.approx(202.0 + 200.0)
    assert _seconds(times)["3"] == pytest.approx(402.0)


def test_below_and_above_the_zone_table() -> None:
    """90 bpm is under zone 1 (100 bpm at max 200); 210 bpm is over zone 5's top."""
    rec = record(end_t=20.0, hr=hr_points(0, 10, 90) + hr_points(10, 20, 210))
    times = tz.hr_zone_times(series.hr_segments(rec), hr_zones_max(200))
    assert times.below_s == pytest.approx(10.0)
    assert times.above_s == pytest.approx(10.0)


def test_pace_zone_times() -> None:
    """At threshold 4 m/s, 3.7 m/s is Friel zone 3 and 4.1 m/s zone 5a."""
    rec = record(end_t=200.0, pod=pod_points(0, 100, 3.7) + pod_points(100, 200, 4.1))
    secs = _seconds(tz.pace_zone_times(series.speed_segments(rec), pace_zones(4.0)))
    assert secs["3"] == pytest.approx(100.0)
    assert secs["5a"] == pytest.approx(100.0)
    assert sum(secs.values()) == pytest.approx(200.0)


def test_hr_step_half_below_half_in() -> None:
    """An HR 140-160 step run 60 s at 130 then 60 s at 150 is 50 % below, 50 % in."""
    rec = record(
        end_t=120.0,
        hr=hr_points(0, 60, 130) + hr_points(60, 120, 150),
        steps=[step(0, 0.0, 120.0, target="hr", low=140, high=160)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.scored_s == pytest.approx(120.0)
    assert (st.in_pct, st.below_pct, st.above_pct) == pytest.approx((50.0, 50.0, 0.0))
    assert st.avg_hr == pytest.approx(140.0)
    assert st.max_hr == 150.0
    assert st.avg_vs_target == "in"


def test_speed_step_averages_speed_and_derives_pace() -> None:
    """3.0 m/s for 30 s then 4.0 m/s for 90 s against 3.5-4.5 m/s: 75 % in, pace 1000/3.75."""
    rec = record(
        end_t=120.0,
        pod=pod_points(0, 30, 3.0, 160.0) + pod_points(30, 120, 4.0, 180.0),
        steps=[step(0, 0.0, 120.0, target="speed", low=3.5, high=4.5)],
    )
    (st,) = tz.step_compliance(rec)
    assert (st.in_pct, st.below_pct, st.above_pct) == pytest.approx((75.0, 25.0, 0.0))
    assert st.avg_speed_mps == pytest.approx(3.75)
    assert st.avg_pace_s_per_km == pytest.approx(1000.0 / 3.75)
    assert st.avg_cadence_spm == pytest.approx(175.0)
    assert st.avg_hr is None


def test_a_gap_in_a_step_is_not_scored() -> None:
    """A strap dropout over half an HR step leaves only the covered half scored."""
    rec = record(
        end_t=200.0,
        hr=hr_points(0, 100, 175),
        steps=[step(0, 0.0, 200.0, target="hr", low=140, high=160)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.scored_s == pytest.approx(102.0)
    assert st.above_pct == pytest.approx(100.0)
    assert st.moving_s == pytest.approx(200.0)


def test_open_and_power_targets_score_nothing() -> None:
    """Steps with an open or a power target have no percentages but keep their averages."""
    rec = record(
        end_t=100.0,
        hr=hr_points(0, 100, 150),
        steps=[
            step(0, 0.0, 50.0),
            step(1, 50.0, 100.0, target="power", low=200, high=250),
        ],
    )
    for st in tz.step_compliance(rec):
        assert st.in_pct is None
        assert st.scored_s == 0.0
        assert st.avg_hr == pytest.approx(150.0)
    assert tz.overall_compliance(tz.step_compliance(rec)) is None


def test_overall_compliance_weights_by_scored_time() -> None:
    """100 s fully in and 300 s fully above make 25 % in, 75 % above overall."""
    rec = record(
        end_t=400.0,
        hr=hr_points(0, 100, 150) + hr_points(100, 400, 190),
        steps=[
            step(0, 0.0, 100.0, target="hr", low=140, high=160),
            step(1, 100.0, 400.0, target="hr", low=140, high=160),
        ],
    )
    overall = tz.overall_compliance(tz.step_compliance(rec))
    assert overall is not None
    assert overall.scored_s == pytest.approx(400.0)
    assert (overall.in_pct, overall.below_pct, overall.above_pct) == pytest.approx((25, 0, 75))


def test_a_running_step_is_scored_up_to_the_end() -> None:
    """A step with no end yet is scored up to the record's end."""
    rec = record(
        end_t=60.0,
        hr=hr_points(0, 60, 150),
        steps=[step(0, 0.0, None, target="hr", low=None, high=155)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.end_t == 60.0
    assert st.in_pct == pytest.approx(100.0)
