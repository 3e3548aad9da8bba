"""Engine flow: sensor loss, auto-pause, distance and HR step ends, commands, summaries."""

from __future__ import annotations

import dataclasses

import pytest
from engine_rig import PROFILE, Rig, hr, speed, timed, workout

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command, EndedBy, SessionEnded, State, Zone
from hiitd.coach.workout_model import Duration, DurationType, Intensity, Step
from hiitd_drivers.samples import FootpodSample, Link, LinkSample, Role

A, R, W = Intensity.ACTIVE, Intensity.RECOVERY, Intensity.WARMUP


def test_strap_dropout_is_a_gap_not_a_verdict() -> None:
    """2 min without HR: sensor_lost, zone none, no hr cue, sensor_back, gap ~120 s."""
    rig = Rig(workout(timed(A, 600, hr(150, 160))))
    rig.start()
    rig.run(200, bpm=155)
    rig._record(rig.e.sample(LinkSample(rig.now, Role.HR, Link.DOWN), rig.now))
    rig.run(60)  # nothing at all
    assert rig.e.snapshot(rig.now).zone is Zone.NONE
    rig.run(60, no_contact=True)  # the strap is back but reads no skin contact
    assert rig.e.snapshot(rig.now).zone is Zone.NONE
    assert rig.e.snapshot(rig.now).hr_bpm is None
    rig.run(280, bpm=155)
    assert rig.cues("sensor_lost", "sensor_back", "hr_low", "hr_high") == [
        (205.0, "sensor_lost"),
        (321.0, "sensor_back"),
    ]
    ((_, ended),) = rig.step_ends()
    assert ended.summary.gap_s == pytest.approx(120, abs=3)
    assert ended.summary.pct_in == 100.0


def test_footpod_loss_pauses_pace_scoring() -> None:
    """No footpod data: sensor_lost, no speed verdict, then back."""
    rig = Rig(workout(timed(A, 300, speed(3.85, 4.08))))
    rig.start()
    rig.run(30, mps=4.0)
    rig.run(60)
    assert rig.e.snapshot(rig.now).zone is Zone.NONE
    rig.run(60, mps=4.0)
    assert rig.cues("sensor_lost", "sensor_back", "speed_up") == [
        (35.0, "sensor_lost"),
        (91.0, "sensor_back"),
    ]


def test_auto_pause_and_resume_keep_moving_time_honest() -> None:
    """Standing 3 s pauses, moving 2 s resumes; the 300 s step ends on moving time."""
    rig = Rig(workout(timed(A, 300, speed(3.85, 4.08))))
    rig.start()
    rig.run(60, mps=4.0)
    rig.run(30, mps=0.0)
    assert rig.e.state is State.PAUSED
    rig.run(300, mps=4.0)
    assert rig.cues("paused", "resumed") == [(64.0, "paused"), (93.0, "resumed")]
    ((t_end, ended),) = rig.step_ends()
    assert ended.summary.ended_by is EndedBy.TIME
    assert t_end == 300 + (93 - 64)
    assert rig.e.snapshot(rig.now).elapsed_s == pytest.approx(300)


def test_a_plank_in_a_strength_workout_never_pauses_the_session() -> None:
    """The circuit's exercises are static: 45 s still on the forearms with the footpod on
    is the work (it paused the session, which then never resumed). A run still pauses."""
    plank = timed(A, 45)
    circuit = Rig(dataclasses.replace(workout(plank, timed(A, 30)), tags=("strength", "core")))
    circuit.start()
    circuit.run(80, mps=0.0)
    assert circuit.cues("paused") == []
    assert [e.summary.ended_by for _, e in circuit.step_ends()] == [EndedBy.TIME, EndedBy.TIME]
    run = Rig(workout(plank, timed(A, 30)))
    run.start()
    run.run(20, mps=0.0)
    assert run.cues("paused")


def test_no_auto_pause_without_footpod_or_when_disabled() -> None:
    """HR only: no auto-pause; and autopause=False never pauses."""
    rig = Rig(workout(timed(A, 120)))
    rig.start()
    rig.run(60, bpm=150)
    assert rig.cues("paused") == []
    off = Rig(workout(timed(A, 120)), config=CoachConfig(countdown_s=0, autopause=False))
    off.start()
    off.run(20, mps=4.0)
    off.run(20, mps=0.0)
    assert off.cues("paused") == []


def test_distance_step_ends_on_footpod_distance_despite_counter_reset() -> None:
    """1000 m at 4 m/s ends at 250 s even though the pod's distance restarts at 100 s."""
    rig = Rig(workout(Step(A, Duration(DurationType.DISTANCE, 1000), speed(3.85, 4.08))))
    rig.e.sample(FootpodSample(0.0, 0.0, 0.0, distance_m=0.0), 0.0)  # paired, standing
    rig.start()
    rig.run(100, mps=4.0)
    rig.pod_total = 0.0  # pod rebooted
    rig.run(200, mps=4.0)
    ((t_end, ended),) = rig.step_ends()
    assert ended.summary.ended_by is EndedBy.DISTANCE
    assert t_end == 250.0
    assert ended.summary.distance_m == pytest.approx(1000, abs=4)


def test_hr_below_step_ends_after_debounce() -> None:
    """Recovery 'until HR < 120': the 5 s mean is below at 34, held 5 s, ends at 39."""
    step = Step(R, Duration(DurationType.HR_BELOW, 120))
    rig = Rig(workout(step, timed(A, 60)))
    rig.start()
    rig.run(60, bpm=lambda t: 130 if t <= 30 else 115)
    ((t_end, ended),) = rig.step_ends()
    assert (t_end, ended.summary.ended_by) == (39.0, EndedBy.HR)


def test_hr_below_respects_min_s_and_a_single_low_beat_does_not_end() -> None:
    """min_s 60 holds the step to 60 s; one low beat never ends it."""
    step = Step(R, Duration(DurationType.HR_BELOW, 120, min_s=60))
    rig = Rig(workout(step, timed(A, 60)))
    rig.start()
    rig.run(40, bpm=lambda t: 100 if t == 20 else 130)
    assert rig.step_ends() == []
    rig.run(30, bpm=110)
    ((t_end, _),) = rig.step_ends()
    assert t_end == 60.0


@pytest.mark.parametrize(
    ("setup", "action", "error"),
    [
        ("idle", "pause", "idle"),
        ("idle", "resume", "idle"),
        ("idle", "skip", "idle"),
        ("idle", "lap", "idle"),
        ("idle", "stop", "idle"),
        ("running", "resume", "already running"),
        ("running", "start", "stop"),
        ("running", "workout", "stop"),
        ("paused", "pause", "already paused"),
        ("finished", "skip", "finished"),
        ("finished", "pause", "finished"),
    ],
)
def test_invalid_commands_return_errors_and_change_nothing(
    setup: str, action: str, error: str
) -> None:
    """An invalid transition says why and leaves state, snapshot and events untouched."""
    rig = Rig(workout(timed(A, 30)))
    if setup != "idle":
        rig.start()
        rig.run(5, mps=4.0)
    if setup == "paused":
        assert rig.cmd("pause").ok
    if setup == "finished":
        rig.run(30, mps=4.0)
    before = rig.e.snapshot(rig.now).to_payload()
    out = rig.e.command(Command(action), rig.now)  # type: ignore[arg-type]
    assert not out.ok
    assert out.error is not None
    assert error in out.error
    assert out.events == []
    assert rig.e.snapshot(rig.now).to_payload() == before


def test_start_without_workout_and_workout_without_one_are_refused() -> None:
    """'start' needs a selected workout; 'workout' needs one attached."""
    e = Engine(PROFILE)
    assert e.command(Command("start"), 0.0).error == (
        "no workout selected: send 'workout' first, or 'start' with one"
    )
    assert not e.command(Command("workout"), 0.0).ok
    assert e.state is State.IDLE


def test_countdown_321_before_session_and_before_work_steps() -> None:
    """10 s countdown with 3-2-1, and 3-2-1 before the work step; none before the cool-down.
    Only the work step's summary is said (the warm-up's and the last step's are published)."""
    w = workout(timed(W, 60), timed(A, 60, speed(3.85, 4.08)), timed(Intensity.COOLDOWN, 60))
    rig = Rig(w, config=CoachConfig())
    rig.start()
    assert rig.e.state is State.COUNTDOWN
    rig.run(190, mps=4.0)
    assert rig.cues("countdown", "step_start", "step_end") == [
        (7.0, "countdown"),
        (8.0, "countdown"),
        (9.0, "countdown"),
        (10.0, "step_start"),
        (67.0, "countdown"),
        (68.0, "countdown"),
        (69.0, "countdown"),
        (70.0, "step_start"),
        (130.0, "step_end"),
        (130.0, "step_start"),
    ]
    assert [t for t, _ in rig.step_ends()] == [70.0, 130.0, 190.0]
    texts = [c.text for _, c in rig.cue_objs() if c.kind == "countdown"]
    assert texts == ["3", "2", "1", "3", "2", "1"]


def test_step_summary_averages_speed_not_pace() -> None:
    """Alternating 3 and 5 m/s averages 4.0 m/s = 4:10 /km (a mean of paces would say 4:27)."""
    rig = Rig(workout(timed(A, 60, speed(3.85, 4.08))))
    rig.start()
    rig.run(60, mps=lambda t: 3.0 if int(t) % 2 else 5.0, bpm=150)
    ((_, ended),) = rig.step_ends()
    s = ended.summary
    assert s.avg_speed_mps == pytest.approx(4.0)
    assert s.avg_pace_s_per_km == pytest.approx(250.0)
    assert s.avg_hr == 150
    assert s.distance_m == pytest.approx(240, abs=5)


def test_skip_lap_stop_and_session_result() -> None:
    """skip ends a step, lap marks (not ends) a timed one, stop finishes with a result."""
    open_step = Step(W, Duration(DurationType.OPEN))
    rig = Rig(workout(open_step, timed(A, 120), timed(R, 60)))
    rig.start()
    rig.run(20, mps=3.0)
    assert rig.cmd("lap").ok  # ends the open warm-up
    rig.run(30, mps=4.0)
    assert rig.cmd("lap").ok  # a mark inside the timed rep
    assert rig.e.run is not None
    assert rig.e.run.ps.index == 1
    assert rig.cmd("skip").ok
    rig.run(10, mps=2.0)
    assert rig.cmd("stop").ok
    ends = [ev.summary.ended_by for _, ev in rig.step_ends()]
    assert ends == [EndedBy.LAP, EndedBy.SKIP, EndedBy.STOP]
    assert rig.step_ends()[1][1].summary.laps_s == (30.0,)
    (result,) = [ev.summary for _, ev in rig.events if isinstance(ev, SessionEnded)]
    assert not result.completed
    assert result.moving_s == pytest.approx(60)
    assert result.cue_count == len(rig.cues())
    assert rig.e.state is State.FINISHED
