"""The shared export timeline: per-second points, monotonic distance, timer time, honest gaps."""

from __future__ import annotations

from dataclasses import replace

import pytest
from export_rig import HR_DROPOUT, PAUSE, POD_DROPOUT, four_by_four, free_run

from hiitd.export._track import build_track, lap_spans, timer_seconds, totals
from hiitd.record.session_record import PauseRecord, PodPoint


def test_distance_survives_a_footpod_reset() -> None:
    """The pod's total restarts at 0 after its dropout; the session distance keeps growing."""
    record = four_by_four()
    raw = [p.distance_m for p in record.pod if p.distance_m is not None]
    assert min(raw[len(raw) // 2 :]) < max(raw)  # the rig really resets the pod total
    points = build_track(record)
    distances = [p.distance_m for p in points if p.distance_m is not None]
    assert distances == sorted(distances)
    before = max(p.distance_m or 0 for p in points if p.t < POD_DROPOUT[0])
    after = min(p.distance_m or 1e9 for p in points if p.t > POD_DROPOUT[1])
    assert 0 <= after - before < 40  # the 8 s dropout is not made up, nothing goes backwards


def test_speed_is_integrated_when_the_pod_sends_no_total() -> None:
    """Without distance totals, distance is speed integrated over short gaps only."""
    pod = tuple(PodPoint(float(t), 3.0, 170.0) for t in (*range(10), *range(30, 40)))
    record = replace(free_run(), hr=(), pod=pod, end_t=40.0)
    points = build_track(record)
    assert points[-1].distance_m == pytest.approx(3.0 * 9 + 3.0 * 9)  # the 20 s gap adds nothing


def test_dropout_seconds_have_no_heart_rate() -> None:
    """In the strap dropout the points come from the footpod alone, with no bpm."""
    inside = [p for p in build_track(four_by_four()) if HR_DROPOUT[0] + 1 <= p.t < HR_DROPOUT[1]]
    assert inside
    assert not any(p.has_hr or p.bpm is not None or p.rr_ms for p in inside)


def test_timer_time_skips_pauses_including_an_open_one() -> None:
    """Timer time is elapsed minus pauses; an unfinished pause lasts to the end."""
    pauses = (PauseRecord(10, 20), PauseRecord(50, None, auto=True))
    assert timer_seconds(pauses, 0, 60) == 40
    assert timer_seconds(pauses, 15, 30) == 10


def test_laps_tile_the_session_and_totals_add_up() -> None:
    """Lap spans are the steps; their distances add up to the session's."""
    record = four_by_four()
    points = build_track(record)
    spans = lap_spans(record)
    assert [s.step.index for s in spans if s.step] == list(range(9))
    total = totals(points, record.pauses, 0, record.duration_s)
    parts = [totals(points, record.pauses, s.start_t, s.end_t) for s in spans]
    assert sum(p.distance_m for p in parts) == pytest.approx(total.distance_m)
    assert total.timer_s == record.duration_s - (PAUSE[1] - PAUSE[0])
    assert lap_spans(free_run())[0].step is None
