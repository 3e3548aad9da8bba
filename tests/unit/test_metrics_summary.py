"""compute_metrics: a whole session in one value, robust to partial and random records."""

from __future__ import annotations

import json

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from metrics_rig import breathing_rr, hr_points, pod_points, record, rmssd, step

from hiitd.metrics import SessionMetrics, compute_metrics, series
from hiitd.record.session_record import (
    AthleteSnapshot,
    HrPoint,
    PauseRecord,
    PodPoint,
    SessionRecord,
)

FULL = AthleteSnapshot(
    max_hr=190,
    resting_hr=50,
    lthr=170,
    age=30,
    sex="male",
    weight_kg=70.0,
    threshold_speed_mps=4.0,
)


# Two beats a second through the warm-up, swinging with the breath.
WARM_UP_RR = breathing_rr(600, 460.0, 10.0)


def _hiit() -> SessionRecord:
    hr = hr_points(0, 300, 130) + hr_points(300, 600, 170) + hr_points(600, 900, 130)
    rr = [
        HrPoint(p.t, p.bpm, tuple(WARM_UP_RR[2 * i : 2 * i + 2]) if p.t < 300 else (), True)
        for i, p in enumerate(hr)
    ]
    return record(
        end_t=900.0,
        hr=rr,
        pod=pod_points(0, 300, 2.5) + pod_points(300, 600, 4.0) + pod_points(600, 900, 2.5),
        steps=[
            step(0, 0.0, 300.0, intensity="warmup"),
            step(1, 300.0, 600.0, target="speed", low=3.8, high=4.2),
            step(2, 600.0, 900.0, intensity="cooldown"),
        ],
        athlete=FULL,
    )


def test_a_full_session() -> None:
    """A warm-up, one 5 min rep and a cool-down yield every figure."""
    m = compute_metrics(_hiit())
    assert m.duration_s == 900.0
    assert m.moving_s == 900.0
    assert m.distance_m == pytest.approx(300 * 2.5 * 2 + 300 * 4.0)
    assert m.avg_hr == pytest.approx((130 + 170 + 130) / 3)
    assert m.max_hr == 170.0
    assert m.avg_speed_mps == pytest.approx(3.0)
    assert m.avg_pace_s_per_km == pytest.approx(1000.0 / 3.0)
    assert m.hr_zone_model == "lthr"
    assert m.hr_zones is not None
    assert m.hr_zones.total_s == pytest.approx(900.0)
    assert m.pace_zones is not None
    assert len(m.steps) == 3
    assert m.compliance is not None
    assert m.compliance.in_pct == pytest.approx(100.0)
    assert m.energy.kcal is not None
    assert m.load.trimp is not None
    assert m.load.hrss is not None
    assert len(m.recovery_steps) == 1
    assert m.recovery_session is not None
    # The cool-down is a jog at 2.5 m/s: no speed drop, so the 40 bpm fall is not recovery.
    assert m.recovery_session.drop_bpm is None
    assert m.recovery_session.peak_bpm == 170.0
    assert m.recovery_session.later_bpm == 130.0
    assert m.recovery_session.reason is not None
    assert m.recovery_session.reason.startswith("kept jogging after the work step")
    assert m.hrv.rmssd_ms == pytest.approx(rmssd(WARM_UP_RR))
    assert {v.method for v in m.vo2max} == {"uth2004_hr_ratio", "acsm_running_hrr"}


def test_payload_is_json_ready_and_says_estimate() -> None:
    """to_payload() dumps as strict JSON, rounded, with calories marked as an estimate."""
    payload = compute_metrics(_hiit()).to_payload()
    text = json.dumps(payload, allow_nan=False)
    assert json.loads(text) == payload
    assert payload["calories"]["estimate"] is True
    assert payload["calories"]["method"] == "keytel2005"
    assert payload["hrv"]["rmssd_ms"] == round(rmssd(WARM_UP_RR), 1)
    assert payload["metrics_version"] == 3
    assert payload["hrr60"]["session"]["hrr60_bpm"] is None
    assert payload["hrr60"]["session"]["basis"] is None
    assert payload["hrr60"]["session"]["reason"].startswith("kept jogging")
    assert all(v["estimate"] for v in payload["vo2max"])
    assert payload["speed"]["avg_pace_s_per_km"] == 333.3


def test_empty_record() -> None:
    """A record with nothing in it gives None fields, never an exception."""
    m = compute_metrics(record(end_t=None))
    assert m.duration_s == 0.0
    assert m.distance_m is None
    assert m.avg_hr is None
    assert m.avg_speed_mps is None
    assert m.steps == ()
    assert m.compliance is None
    assert m.energy.kcal is None
    assert m.hrv.rmssd_ms is None
    json.dumps(m.to_payload(), allow_nan=False)


def test_gap_only_record() -> None:
    """Only no-contact points and a footpod standing still: no averages, no crash."""
    hr = [HrPoint(float(t), None, (), False) for t in range(60)]
    m = compute_metrics(record(end_t=60.0, hr=hr, athlete=FULL))
    assert m.avg_hr is None
    assert m.hr_covered_s == 0.0
    assert m.energy.kcal == 0.0
    # No heart rate is no data, not a load of 0: the planner estimates this one's load.
    assert m.load.trimp is None
    assert m.load.hrss is None
    json.dumps(m.to_payload(), allow_nan=False)


def test_footpod_only_and_strap_only() -> None:
    """Without a strap the HR fields are None; without a footpod the speed fields are."""
    pod_only = compute_metrics(record(end_t=60.0, pod=pod_points(0, 60, 3.0), athlete=FULL))
    assert pod_only.avg_hr is None
    assert pod_only.avg_speed_mps == pytest.approx(3.0)
    strap_only = compute_metrics(record(end_t=60.0, hr=hr_points(0, 60, 150), athlete=FULL))
    assert strap_only.distance_m is None
    assert strap_only.avg_speed_mps is None
    assert strap_only.avg_pace_s_per_km is None
    assert strap_only.economy.efficiency_factor is None


def test_missing_profile_values_become_notes() -> None:
    """With only max HR known, calories and TRIMP are None and notes say what to set."""
    m = compute_metrics(record(end_t=60.0, hr=hr_points(0, 60, 150)))
    assert m.energy.kcal is None
    assert m.load.trimp is None
    assert any("athlete.weight_kg" in n for n in m.notes)
    assert any("athlete.resting_hr" in n for n in m.notes)


times = st.floats(min_value=-10.0, max_value=400.0, allow_nan=False)
hr_point = st.builds(
    HrPoint,
    t=times,
    bpm=st.one_of(st.none(), st.integers(min_value=-5, max_value=260)),
    rr_ms=st.lists(st.floats(min_value=0.0, max_value=20000.0), max_size=3).map(tuple),
    contact=st.one_of(st.none(), st.booleans()),
)
pod_point = st.builds(
    PodPoint,
    t=times,
    speed_mps=st.floats(min_value=-1.0, max_value=15.0),
    cadence_spm=st.floats(min_value=0.0, max_value=250.0),
    stride_m=st.one_of(st.none(), st.floats(min_value=0.0, max_value=3.0)),
    distance_m=st.one_of(st.none(), st.floats(min_value=0.0, max_value=10000.0)),
)
pause = st.builds(PauseRecord, start_t=times, end_t=st.one_of(st.none(), times), auto=st.booleans())
athlete = st.builds(
    AthleteSnapshot,
    max_hr=st.integers(min_value=0, max_value=230),
    resting_hr=st.one_of(st.none(), st.integers(min_value=30, max_value=240)),
    lthr=st.one_of(st.none(), st.integers(min_value=100, max_value=230)),
    age=st.one_of(st.none(), st.integers(min_value=10, max_value=90)),
    sex=st.sampled_from([None, "male", "female", "other"]),
    weight_kg=st.one_of(st.none(), st.floats(min_value=30.0, max_value=150.0)),
    threshold_speed_mps=st.one_of(st.none(), st.floats(min_value=0.0, max_value=7.0)),
    vo2max=st.one_of(st.none(), st.floats(min_value=20.0, max_value=90.0)),
)


@st.composite
def records(draw: st.DrawFn) -> SessionRecord:
    """Random records: unsorted, overlapping, out-of-range samples and steps."""
    n_steps = draw(st.integers(min_value=0, max_value=4))
    steps = [
        step(
            i,
            draw(times),
            draw(st.one_of(st.none(), times)),
            intensity=draw(st.sampled_from(["active", "recovery", "warmup", "interval"])),
            target=draw(st.sampled_from(["open", "hr", "speed", "cadence", "power"])),
            low=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=200))),
            high=draw(st.one_of(st.none(), st.floats(min_value=0, max_value=200))),
        )
        for i in range(n_steps)
    ]
    return record(
        end_t=draw(st.one_of(st.none(), st.floats(min_value=0.0, max_value=400.0))),
        hr=draw(st.lists(hr_point, max_size=40)),
        pod=draw(st.lists(pod_point, max_size=40)),
        steps=steps,
        pauses=draw(st.lists(pause, max_size=3)),
        athlete=draw(athlete),
    )


@settings(max_examples=300, deadline=None)
@given(records())
def test_random_records_never_raise(rec: SessionRecord) -> None:
    """Any record gives metrics whose zone times fit in the moving time and dump as JSON."""
    m = compute_metrics(rec)
    assert isinstance(m, SessionMetrics)
    moving = series.moving_time(rec)
    assert m.moving_s <= m.duration_s + 1e-9
    for zones in (m.hr_zones, m.pace_zones):
        if zones is not None:
            assert sum(z.seconds for z in zones.zones) <= moving + 1e-6
            assert zones.total_s <= moving + 1e-6
    for s in m.steps:
        assert s.scored_s <= s.moving_s + 1e-6
    json.dumps(m.to_payload(), allow_nan=False)
