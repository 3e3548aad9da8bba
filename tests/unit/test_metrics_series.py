"""Series helpers: gaps stay gaps, pauses are cut out, distance survives a counter reset."""

from __future__ import annotations

import pytest
from metrics_rig import hr_points, pod_points, record

from hiitd.metrics import series
from hiitd.record.session_record import HrPoint, PauseRecord, PodPoint


def test_constant_hr_covers_the_whole_session() -> None:
    """HR 150 at 1 Hz for 10 min covers 600 s with a mean of 150."""
    rec = record(end_t=600.0, hr=hr_points(0, 600, 150))
    segs = series.hr_segments(rec)
    assert series.covered(segs) == pytest.approx(600.0)
    assert series.time_weighted_mean(segs) == pytest.approx(150.0)


def test_a_dropout_is_a_gap_not_held() -> None:
    """Before a dropout the last point holds only 3 s: 0-99 and 200-299 cover 102 + 100 s."""
    rec = record(end_t=300.0, hr=hr_points(0, 100, 150) + hr_points(200, 300, 150))
    assert series.covered(series.hr_segments(rec)) == pytest.approx(102.0 + 100.0)


def test_no_contact_and_none_are_no_data() -> None:
    """A point with bpm None or contact False ends the previous hold and adds nothing."""
    pts = [
        HrPoint(0.0, 150, (), True),
        HrPoint(1.0, None, (), False),
        HrPoint(2.0, 160, (), False),
        HrPoint(3.0, 170, (), True),
    ]
    segs = series.hr_segments(record(end_t=4.0, hr=pts))
    assert [(s.t0, s.t1, s.value) for s in segs] == [(0.0, 1.0, 150.0), (3.0, 4.0, 170.0)]


def test_weighted_mean_of_a_step_change() -> None:
    """120 bpm for 100 s then 180 bpm for 300 s averages 165 bpm by time."""
    rec = record(end_t=400.0, hr=hr_points(0, 100, 120) + hr_points(100, 400, 180))
    assert series.time_weighted_mean(series.hr_segments(rec)) == pytest.approx(165.0)


def test_pauses_are_cut_from_series_and_moving_time() -> None:
    """A 100 s pause leaves 500 s of moving time and of heart-rate coverage in 600 s."""
    rec = record(
        end_t=600.0, hr=hr_points(0, 600, 150), pauses=[PauseRecord(100.0, 200.0, auto=True)]
    )
    assert series.moving_time(rec) == pytest.approx(500.0)
    assert series.covered(series.hr_segments(rec)) == pytest.approx(500.0)


def test_an_open_pause_runs_to_the_end() -> None:
    """A pause never resumed counts as paused until the session end."""
    rec = record(end_t=600.0, pauses=[PauseRecord(500.0, None)])
    assert series.moving_time(rec) == pytest.approx(500.0)


def test_overlapping_pauses_are_merged() -> None:
    """Two overlapping pauses 100-200 and 150-250 remove 150 s, not 200."""
    rec = record(end_t=600.0, pauses=[PauseRecord(100.0, 200.0), PauseRecord(150.0, 250.0)])
    assert series.moving_time(rec) == pytest.approx(450.0)


def test_distance_by_integrating_speed() -> None:
    """Without a running total, 300 s at 3 m/s is 900 m."""
    dist = series.distance(record(end_t=300.0, pod=pod_points(0, 300, 3.0)))
    assert dist is not None
    assert dist.method == "speed_integral"
    assert dist.metres == pytest.approx(900.0)


def test_distance_from_running_total_survives_a_reset() -> None:
    """The pod restarting its counter at 150 s loses nothing: 300 s at 10/3 m/s is 1000 m."""
    v = 10.0 / 3.0
    pod = [
        PodPoint(float(t), v, 170.0, None, v * t if t < 150 else v * (t - 150)) for t in range(301)
    ]
    dist = series.distance(record(end_t=300.0, pod=pod))
    assert dist is not None
    assert dist.method == "footpod_total"
    assert dist.metres == pytest.approx(1000.0)


def test_running_total_counts_through_a_radio_gap() -> None:
    """The total keeps counting while the pod is out of range; speed alone would miss it."""
    pod = [PodPoint(float(t), 3.0, 170.0, None, 3.0 * t) for t in (*range(100), *range(200, 301))]
    rec = record(end_t=300.0, pod=pod)
    dist = series.distance(rec)
    assert dist is not None
    assert dist.metres == pytest.approx(900.0)


def test_an_impossible_jump_in_the_total_is_ignored() -> None:
    """A 5 km jump in one second is a glitch: that interval counts its speed instead."""
    pod = [
        PodPoint(float(t), 3.0, 170.0, None, 3.0 * t + (5000.0 if t >= 50 else 0.0))
        for t in range(101)
    ]
    dist = series.distance(record(end_t=100.0, pod=pod))
    assert dist is not None
    assert dist.metres == pytest.approx(300.0)


def test_distance_while_paused_is_not_counted() -> None:
    """Walking 100 s at 1 m/s during a pause adds nothing to a 200 s run at 3 m/s."""
    pod, total = [], 0.0
    for t in range(301):
        speed = 1.0 if 100 <= t < 200 else 3.0
        pod.append(PodPoint(float(t), speed, 170.0, None, total))
        total += speed
    dist = series.distance(record(end_t=300.0, pod=pod, pauses=[PauseRecord(100.0, 200.0)]))
    assert dist is not None
    assert dist.metres == pytest.approx(600.0)


def test_no_footpod_means_no_distance() -> None:
    """A strap-only record has distance None, not 0."""
    assert series.distance(record(end_t=60.0, hr=hr_points(0, 60, 140))) is None


def test_empty_record_has_no_series() -> None:
    """A record with no samples and no end yields empty series and zero moving time."""
    rec = record(end_t=None)
    assert series.hr_segments(rec) == ()
    assert series.moving_time(rec) == 0.0
    assert series.time_weighted_mean(()) is None


def test_joint_covers_only_time_both_have_data() -> None:
    """HR points 0-99 s (held to 102 s) and speed over 50-150 s share 52 s."""
    rec = record(end_t=150.0, hr=hr_points(0, 100, 150), pod=pod_points(50, 150, 3.0))
    both = series.joint(series.hr_segments(rec), series.speed_segments(rec))
    assert sum(t1 - t0 for t0, t1, _, _ in both) == pytest.approx(52.0)
