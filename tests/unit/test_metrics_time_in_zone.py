"""Time in zone and per-step compliance: gaps and pauses count nowhere."""

from __future__ import annotations

from dataclasses import replace

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


def test_hr_step_scored_after_the_heart_rate_grace() -> None:
    """A 6-min HR 140-160 rep: 3 min at 130 then 3 min at 150. The first 75 s (the HR
    grace: heart rate lags effort) are not scored; then 105 s below and 180 s in."""
    rec = record(
        end_t=360.0,
        hr=hr_points(0, 180, 130) + hr_points(180, 360, 150),
        steps=[step(0, 0.0, 360.0, target="hr", low=140, high=160)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.scored_by == "samples"
    assert st.scored_s == pytest.approx(285.0)
    assert (st.in_s, st.below_s, st.above_s) == pytest.approx((180.0, 105.0, 0.0))
    assert (st.in_pct, st.below_pct, st.above_pct) == pytest.approx((63.16, 36.84, 0.0), 1e-3)
    assert st.avg_hr == pytest.approx(140.0)
    assert st.max_hr == 150.0
    assert st.avg_vs_target == "in"


def test_the_margin_counts_as_in() -> None:
    """The live zone's margin (2 bpm) is the score's: 138.5 against a 140 floor is in,
    137 is below."""
    rec = record(
        end_t=400.0,
        hr=hr_points(0, 200, 138.5) + hr_points(200, 400, 137.0),
        steps=[step(0, 0.0, 400.0, target="hr", low=140, high=160)],
    )
    (st,) = tz.step_compliance(rec)
    assert (st.in_s, st.below_s) == pytest.approx((125.0, 200.0))


def test_speed_step_scored_after_the_pace_grace() -> None:
    """3.0 m/s for 30 s then 4.0 m/s for 90 s against 3.5-4.5 m/s: the first 12 s are the
    pace grace, then 18 s below and 90 s in; averages cover the whole step."""
    rec = record(
        end_t=120.0,
        pod=pod_points(0, 30, 3.0, 160.0) + pod_points(30, 120, 4.0, 180.0),
        steps=[step(0, 0.0, 120.0, target="speed", low=3.5, high=4.5)],
    )
    (st,) = tz.step_compliance(rec)
    assert (st.in_s, st.below_s, st.above_s) == pytest.approx((90.0, 18.0, 0.0))
    assert st.in_pct == pytest.approx(100 * 90 / 108)
    assert st.avg_speed_mps == pytest.approx(3.75)
    assert st.avg_pace_s_per_km == pytest.approx(1000.0 / 3.75)
    assert st.avg_cadence_spm == pytest.approx(175.0)
    assert st.avg_hr is None


def test_the_grace_counts_moving_time() -> None:
    """A pause 5 s into a speed step does not eat its grace: scoring starts 12 moving s in."""
    rec = record(
        end_t=100.0,
        pod=pod_points(0, 100, 3.0),
        pauses=[PauseRecord(5.0, 45.0)],
        steps=[step(0, 0.0, 100.0, target="speed", low=3.5, high=4.5)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.below_s == pytest.approx(100.0 - 52.0)


def test_a_gap_in_a_step_is_not_scored() -> None:
    """A strap dropout over half of a 6-min HR step: neither in nor out, only covered
    time after the grace is scored."""
    rec = record(
        end_t=360.0,
        hr=hr_points(0, 200, 175),
        steps=[step(0, 0.0, 360.0, target="hr", low=140, high=160)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.scored_s == pytest.approx(202.0 - 75.0)
    assert st.above_pct == pytest.approx(100.0)
    assert st.moving_s == pytest.approx(360.0)


def test_unscorable_steps_say_why() -> None:
    """Open, power and short heart-rate-capped work steps have no percentages, keep their
    averages, and say why they are not scored."""
    rec = record(
        end_t=200.0,
        hr=hr_points(0, 200, 150),
        steps=[
            step(0, 0.0, 50.0),
            step(1, 50.0, 100.0, target="power", low=200, high=250),
            step(2, 100.0, 200.0, target="hr", low=None, high=170),
        ],
    )
    steps = tz.step_compliance(rec)
    for st in steps:
        assert st.in_pct is None
        assert st.scored_s == 0.0
        assert st.avg_hr == pytest.approx(150.0)
    assert [st.unscored for st in steps] == [
        "no target: run by feel",
        "a power target: no power source is measured",
        "too short for heart rate to settle: by feel, heart rate only capped",
    ]
    work = tz.work_compliance(steps)
    assert work is not None
    assert work.in_pct is None
    assert work.unscored_work_steps == 3


def test_work_compliance_counts_work_steps_only_and_shows_over_achieving() -> None:
    """A warm-up fully in its cap and two speed reps, one in and one too fast: the
    headline is the reps' 50 % in, 50 % above; the warm-up does not lift it."""
    rec = record(
        end_t=912.0,
        pod=pod_points(0, 600, 2.8) + pod_points(600, 756, 4.0) + pod_points(756, 912, 5.0),
        steps=[
            step(0, 0.0, 600.0, intensity="warmup", target="speed", low=None, high=3.0),
            step(1, 600.0, 756.0, target="speed", low=3.8, high=4.2),
            step(2, 756.0, 912.0, target="speed", low=3.8, high=4.2),
        ],
    )
    work = tz.work_compliance(tz.step_compliance(rec))
    assert work is not None
    assert work.scored_s == pytest.approx(2 * 144.0)
    assert (work.in_pct, work.below_pct, work.above_pct) == pytest.approx((50, 0, 50))
    assert work.verdict in {"in", "above"}
    assert work.work_steps == 2


def test_the_coachs_own_score_is_what_reports_show() -> None:
    """A step the coach scored reports the coach's seconds, not a recount from samples."""
    scored = replace(
        step(0, 0.0, 300.0, target="speed", low=3.5, high=4.5),
        in_s=200.0,
        below_s=40.0,
        above_s=8.0,
        gap_s=40.0,
    )
    rec = record(end_t=300.0, pod=pod_points(0, 300, 2.0), steps=[scored])
    (st,) = tz.step_compliance(rec)
    assert st.scored_by == "coach"
    assert (st.in_s, st.below_s, st.above_s) == (200.0, 40.0, 8.0)
    assert st.in_pct == pytest.approx(100 * 200 / 248)


def test_a_running_step_is_scored_up_to_the_end() -> None:
    """A step with no end yet is scored up to the record's end."""
    rec = record(
        end_t=60.0,
        pod=pod_points(0, 60, 3.0),
        steps=[step(0, 0.0, None, target="speed", low=None, high=3.2)],
    )
    (st,) = tz.step_compliance(rec)
    assert st.end_t == 60.0
    assert st.in_s == pytest.approx(48.0)
    assert st.in_pct == pytest.approx(100.0)
