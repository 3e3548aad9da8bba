"""Heart-rate recovery 60 s after work steps and after the session."""

from __future__ import annotations

import functools
from typing import TYPE_CHECKING, Any

import pytest
from metrics_rig import hr_points, pod_points, record, step

from hiitd.cli.replay_cmd import replay_file
from hiitd.coach.profile import AthleteProfile
from hiitd.metrics import hr_recovery as rc
from hiitd.record.session_record import PauseRecord, PodPoint, SessionRecord, StepRecord

if TYPE_CHECKING:
    from pathlib import Path


def _decay(t: int) -> int:
    """170 during the rep with a 172 peak at 298 s, then -1 bpm/s after it ends at 300 s."""
    if t < 300:
        return 172 if t == 298 else 170
    return 172 - (t - 300)


def test_scripted_decay_gives_hrr60_of_60() -> None:
    """Peak 172 in the last 5 s; mean of 114..110 at +58..+62 s is 112: HRR60 = 60."""
    rec = record(
        end_t=500.0,
        hr=hr_points(0, 500, _decay),
        steps=[step(0, 0.0, 300.0), step(1, 300.0, 500.0, intensity="recovery")],
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.peak_bpm == 172
    assert hrr.later_bpm == pytest.approx(112.0)
    assert hrr.drop_bpm == pytest.approx(60.0)
    assert hrr.step_index == 0
    assert hrr.reason is None
    assert hrr.basis == "planned_rest"  # no footpod; the recovery step has no target


def test_missing_data_around_60_s_gives_none() -> None:
    """A strap dropout from +50 to +70 s leaves HRR60 None with a reason."""
    rec = record(
        end_t=500.0,
        hr=[p for p in hr_points(0, 500, _decay) if not 350 <= p.t < 370],
        steps=[step(0, 0.0, 300.0)],
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm is None
    assert hrr.reason == "no heart rate around 60 s after the effort"


def test_missing_peak_gives_none() -> None:
    """No heart rate in the last 5 s of the rep: no HRR60."""
    rec = record(
        end_t=500.0,
        hr=[p for p in hr_points(0, 500, _decay) if not 290 <= p.t <= 300],
        steps=[step(0, 0.0, 300.0)],
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm is None
    assert hrr.reason is not None


def test_short_recovery_before_the_next_rep_is_not_measured() -> None:
    """The next work step starting 30 s after the rep ends cuts the recovery: None."""
    rec = record(
        end_t=600.0,
        hr=hr_points(0, 600, _decay),
        steps=[
            step(0, 0.0, 300.0),
            step(1, 300.0, 330.0, intensity="rest"),
            step(2, 330.0, 600.0),
        ],
    )
    first, last = rc.step_recoveries(rec)
    assert first.drop_bpm is None
    assert first.reason == "next work step began within 60 s"
    assert last.step_index == 2


def test_only_work_steps_are_measured() -> None:
    """Warm-up, recovery and cool-down steps get no HRR60 of their own."""
    rec = record(
        end_t=500.0,
        hr=hr_points(0, 500, 150),
        steps=[
            step(0, 0.0, 100.0, intensity="warmup"),
            step(1, 100.0, 500.0, intensity="cooldown"),
        ],
    )
    assert rc.step_recoveries(rec) == ()


def test_session_recovery_is_after_the_last_work_step() -> None:
    """The session's HRR60 is the one after the last work step, anchored there."""
    rec = record(
        end_t=500.0,
        hr=hr_points(0, 500, _decay),
        pod=pod_points(0, 303, 4.0) + pod_points(303, 500, 0.0, cadence=0.0),
        steps=[step(0, 0.0, 300.0), step(1, 300.0, 500.0, intensity="cooldown")],
    )
    hrr = rc.session_recovery(rec)
    assert hrr is not None
    assert hrr.anchor == "work_step"
    assert hrr.t_end == 300.0
    assert hrr.drop_bpm == pytest.approx(60.0)


def test_session_recovery_without_steps_uses_the_session_end() -> None:
    """A free run has no work step: the session end is the anchor, and nothing follows it."""
    rec = record(end_t=300.0, hr=hr_points(0, 300, 160))
    hrr = rc.session_recovery(rec)
    assert hrr is not None
    assert hrr.anchor == "session_end"
    assert hrr.peak_bpm == 160
    assert hrr.drop_bpm is None
    assert hrr.reason == "no heart rate recorded 60 s after the session end"


# Slowing down after the rep (the _decay heart rate: 172 at the end, 112 a minute later).
JOGGED = "kept jogging after the work step: no speed drop, so HRR60 would not mean recovery"


def _rep_then(after: list[PodPoint], *, pauses: tuple[PauseRecord, ...] = ()) -> SessionRecord:
    """A 300 s rep at 4 m/s (pod samples 0..299 s), then ``after``; a pace-target recovery."""
    return record(
        end_t=500.0,
        hr=hr_points(0, 500, _decay),
        pod=pod_points(0, 300, 4.0) + after,
        steps=[
            step(0, 0.0, 300.0),
            step(1, 300.0, 500.0, intensity="recovery", target="speed", high=3.0),
        ],
        pauses=pauses,
    )


def test_hrr60_is_withheld_while_the_runner_jogs() -> None:
    """Jogging at 2.5 m/s after the rep: HR still falls 60 bpm, but that is not recovery."""
    (hrr,) = rc.step_recoveries(_rep_then(pod_points(300, 500, 2.5)))
    assert hrr.drop_bpm is None
    assert hrr.basis is None
    assert hrr.reason == JOGGED
    assert (hrr.peak_bpm, hrr.later_bpm) == (172, pytest.approx(112.0))


def test_hrr60_is_measured_after_a_stop() -> None:
    """Pod speed 4 m/s to 302 s, 0 from 303 s (a stop 3 s after the rep): HRR60 60, stopped."""
    rec = _rep_then(pod_points(300, 303, 4.0) + pod_points(303, 500, 0.0, cadence=0.0))
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm == pytest.approx(60.0)
    assert hrr.basis == "stopped"
    assert hrr.reason is None
    assert rc.session_recovery(rec) == hrr


def test_hrr60_is_measured_after_walking() -> None:
    """Walking at 1.3 m/s from 305 s is slow enough: basis walked."""
    (hrr,) = rc.step_recoveries(_rep_then(pod_points(300, 305, 4.0) + pod_points(305, 500, 1.3)))
    assert hrr.drop_bpm == pytest.approx(60.0)
    assert hrr.basis == "walked"


def test_a_stop_later_than_15_s_after_the_rep_is_not_recovery() -> None:
    """Jogging on for 20 s before stopping: the minute mostly was not rest."""
    rec = _rep_then(pod_points(300, 320, 2.5) + pod_points(320, 500, 0.0, cadence=0.0))
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm is None
    assert hrr.reason == JOGGED


def test_running_again_within_the_minute_withholds_hrr60() -> None:
    """Stopped at 303 s, then 30 s at 3 m/s (330-359 s): withheld, saying for how long."""
    rec = _rep_then(
        pod_points(300, 303, 4.0)
        + pod_points(303, 330, 0.0, cadence=0.0)
        + pod_points(330, 360, 3.0)
        + pod_points(360, 500, 0.0, cadence=0.0)
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm is None
    assert hrr.reason == (
        "slowed down after the work step but ran again for 30 s within the minute, "
        "so HRR60 would not mean recovery"
    )


def test_a_paused_timer_counts_as_stopped() -> None:
    """The pod goes quiet at 300 s while the timer is paused (auto pause) to 420 s: stopped."""
    (hrr,) = rc.step_recoveries(_rep_then([], pauses=(PauseRecord(300.0, 420.0, auto=True),)))
    assert hrr.drop_bpm == pytest.approx(60.0)
    assert hrr.basis == "stopped"


def test_a_pod_gone_quiet_without_a_pause_cannot_tell() -> None:
    """No pod samples after the rep and no pause: nobody knows whether the runner stopped."""
    (hrr,) = rc.step_recoveries(_rep_then([]))
    assert hrr.drop_bpm is None
    assert hrr.reason == (
        "no speed from the footpod after the work step: "
        "cannot tell whether you slowed down, so no HRR60"
    )


def _paced(work_mps: float, after_mps: float) -> SessionRecord:
    return record(
        end_t=500.0,
        hr=hr_points(0, 500, _decay),
        pod=pod_points(0, 300, work_mps) + pod_points(300, 500, after_mps),
        steps=[step(0, 0.0, 300.0), step(1, 300.0, 500.0, intensity="rest")],
    )


def test_a_slow_work_step_needs_a_clear_slowing() -> None:
    """Work at 2.2 m/s: the walk must be under 0.7 x 2.2 = 1.54 m/s, so 1.6 is no drop."""
    (hrr,) = rc.step_recoveries(_paced(2.2, 1.6))
    assert hrr.drop_bpm is None
    assert hrr.reason == JOGGED
    (hrr,) = rc.step_recoveries(_paced(2.2, 1.5))
    assert hrr.basis == "walked"


def test_a_work_step_that_ended_standing_has_no_drop() -> None:
    """Standing through the end of the "work" step (0 m/s) and after: nothing to recover from."""
    (hrr,) = rc.step_recoveries(_paced(0.0, 0.0))
    assert hrr.drop_bpm is None
    assert hrr.reason == (
        "not running at the end of the work step (0.0 m/s): "
        "no speed drop, so HRR60 would not mean recovery"
    )


def _strap_only(*after: StepRecord) -> SessionRecord:
    return record(end_t=500.0, hr=hr_points(0, 500, _decay), steps=[step(0, 0.0, 300.0), *after])


def test_strap_only_measures_over_a_planned_rest() -> None:
    """No footpod; a 2 min rest with no target follows the rep: measured, basis planned_rest."""
    (hrr,) = rc.step_recoveries(_strap_only(step(1, 300.0, 420.0, intensity="rest")))
    assert hrr.drop_bpm == pytest.approx(60.0)
    assert hrr.basis == "planned_rest"
    walk_back = step(1, 300.0, 390.0, intensity="recovery")  # no target: "Walk back"
    (hrr,) = rc.step_recoveries(_strap_only(walk_back))
    assert hrr.basis == "planned_rest"


def test_strap_only_withholds_over_a_jog_recovery() -> None:
    """No footpod; a recovery jog with a pace target follows: withheld, naming the step."""
    jog = step(1, 300.0, 480.0, intensity="recovery", target="speed", high=3.0)
    (hrr,) = rc.step_recoveries(_strap_only(jog))
    assert hrr.drop_bpm is None
    assert hrr.basis is None
    assert hrr.reason == (
        "no footpod, and the step after the work step is a recovery step, "
        "not a planned rest: HRR60 would not mean recovery"
    )


def test_strap_only_withholds_when_the_rest_is_shorter_than_the_minute() -> None:
    """A 30 s rest and then the cool-down: the minute was not all rest."""
    rest = step(1, 300.0, 330.0, intensity="rest")
    cool = step(2, 330.0, 500.0, intensity="cooldown")
    (hrr,) = rc.step_recoveries(_strap_only(rest, cool))
    assert hrr.drop_bpm is None
    assert hrr.reason is not None
    assert "cooldown step, not a planned rest" in hrr.reason
    (hrr,) = rc.step_recoveries(_strap_only(step(1, 300.0, 330.0, intensity="rest")))
    assert hrr.reason == (
        "no footpod, and no planned rest for the minute after the work step: "
        "HRR60 would not mean recovery"
    )


# Real interval files, coached as intervals through the real engine (``hiitd replay``).
# The runners jogged between reps: HRR60 used to read -4, -6, -11, 4, 1, 0, 0, -1, 15
# and 6 bpm on the FR70 coached as Gibala 10x60.
PROFILE = AthleteProfile(
    max_hr=190,
    max_hr_estimated=False,
    resting_hr=50,
    lthr=170,
    threshold_speed_mps=1000 / 270,
    vdot=None,
    age=40,
    sex="male",
    weight_kg=72,
)
INTERVAL_FILES = (
    "runalyze__FR70-intervals.fit",
    "fitdecode__2013-02-06-12-11-14.fit",
    "fitdecode__compressed-speed-distance.fit",
    "runalyze__Suunto-Ambit-3-Peak-without-final-lap.fit",
)
BASES = {"stopped", "walked", "planned_rest"}


@functools.cache
def _replayed(shared_data: Path, name: str, workout: str) -> dict[str, Any]:
    r = replay_file(shared_data / "fit_activities" / name, PROFILE, workout=workout)
    assert r.metrics is not None
    hrr60: dict[str, Any] = r.metrics.to_payload()["hrr60"]
    return hrr60


@pytest.mark.parametrize("workout", ["gibala-10x60", "norwegian-4x4"])
@pytest.mark.parametrize("name", INTERVAL_FILES)
def test_no_negative_hrr60_from_real_interval_files(
    shared_data: Path, name: str, workout: str
) -> None:
    """Every HRR60 in the metrics is measured on a basis and not negative, or withheld with why."""
    hrr60 = _replayed(shared_data, name, workout)
    assert hrr60["steps"]
    for h in [*hrr60["steps"], hrr60["session"]]:
        if h["hrr60_bpm"] is None:
            assert h["basis"] is None
            assert h["reason"]
        else:
            assert h["hrr60_bpm"] >= 0
            assert h["basis"] in BASES


def test_the_fr70_jogged_every_recovery(shared_data: Path) -> None:
    """The FR70 as Gibala 10x60: nine jogged recoveries, and a first "rep" ended at 1.8 m/s."""
    hrr60 = _replayed(shared_data, "runalyze__FR70-intervals.fit", "gibala-10x60")
    assert [h["hrr60_bpm"] for h in hrr60["steps"]] == [None] * 10
    first = "not running at the end of the work step (1.8 m/s): " + JOGGED.split(": ")[1]
    assert [h["reason"] for h in hrr60["steps"]] == [first, *[JOGGED] * 9]
    assert hrr60["session"]["reason"] == JOGGED


def test_a_real_stop_is_measured(shared_data: Path) -> None:
    """2013-02-06 as Gibala 10x60: after the 5th rep (ends 1200 s) the runner stops, 164 -> 104."""
    hrr60 = _replayed(shared_data, "fitdecode__2013-02-06-12-11-14.fit", "gibala-10x60")
    measured = [h for h in hrr60["steps"] if h["hrr60_bpm"] is not None]
    assert [(h["t_end"], h["hrr60_bpm"], h["basis"]) for h in measured] == [
        (1200.0, 60.0, "stopped")
    ]
