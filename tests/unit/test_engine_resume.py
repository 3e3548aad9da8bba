"""Engine restore after a daemon crash: same session, same step, remaining time, unique cue ids."""

from __future__ import annotations

import json

import pytest
from engine_rig import Rig, hr, speed, timed

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import CueEvent, Event, SessionEnded, State, StateChanged
from hiitd.coach.session_resume import ResumePoint
from hiitd.coach.workout_model import Duration, DurationType, Intensity, Repeat, Step, Workout
from hiitd.errors import HiitdError, WorkoutError

A, R, W, C = Intensity.ACTIVE, Intensity.RECOVERY, Intensity.WARMUP, Intensity.COOLDOWN
PACE = speed(3.85, 4.08)  # 4:05 to 4:20 per km
# Warm-up, 4 x (4 min work, 3 min recovery), cool-down: 10 steps, work at indices 1, 3, 5, 7.
FOUR_BY_FOUR = Workout(
    "4x4",
    (timed(W, 600), Repeat(4, (timed(A, 240, PACE), timed(R, 180))), timed(C, 300)),
)
PLANNED_S = 600 + 4 * (240 + 180) + 300
# 110 s into work step 3 ("Interval 3 of 4", index 5): 130 s left in it.
MID_WORK_3 = {
    "session_id": "sdead1-18c",
    "step_index": 5,
    "step_moving_s": 110.0,
    "moving_s": 600 + 2 * 420 + 110.0,
    "distance_m": 6100.0,
    "step_distance_m": 440.0,
}


def restarted(w: Workout = FOUR_BY_FOUR, prefix: str = "s", now: float = 7.0) -> Rig:
    """A fresh engine as the daemon has it after a restart: workout loaded, idle."""
    return Rig(w, now=now, prefix=prefix)


def restore(rig: Rig, **kwargs: object) -> list[Event]:
    """``rig.e.restore`` at the rig's time, events recorded."""
    args = {**MID_WORK_3, **kwargs}
    events = rig.e.restore(rig.w, now=rig.now, **args)  # type: ignore[arg-type]
    rig._record(events)
    return events


def results(rig: Rig) -> list[SessionEnded]:
    """The session results the rig saw."""
    return [ev for _, ev in rig.events if isinstance(ev, SessionEnded)]


def test_restore_mid_work_step_3_runs_the_rest_of_it_with_a_fresh_grace() -> None:
    """Restored 110 s into interval 3 of a 4x4: running, index 5, 130 s left, resumed cue, grace."""
    rig = restarted()
    events = restore(rig)
    assert rig.e.state is State.RUNNING
    snap = rig.e.snapshot(rig.now)
    assert snap.session_id == "sdead1-18c"
    assert snap.step is not None
    assert (snap.step.index, snap.step.label) == (5, "Interval 3 of 4")
    assert snap.step.remaining_s == pytest.approx(130.0)
    assert snap.elapsed_s == pytest.approx(1550.0)
    assert snap.distance_m == pytest.approx(6100.0)
    assert snap.hr_sensor == snap.footpod_sensor == "absent"
    changed = [ev.snapshot.state for ev in events if isinstance(ev, StateChanged)]
    assert changed == [State.RUNNING]
    (cue,) = [ev.cue for ev in events if isinstance(ev, CueEvent)]
    assert (cue.kind, cue.reason, cue.step_index) == ("resumed", "restored after restart", 5)
    assert (
        cue.text == "Back after a restart. Interval 3 of 4, 2 minutes 10 left, 4:05 to 4:20 per km."
    )
    t0 = rig.now
    rig.run(11, mps=3.0)  # far too slow, but inside the new 12 s pace grace
    assert rig.cues("speed_up", "slow_down", "sensor_lost") == []
    rig.run(20, mps=3.0)
    assert rig.cues("speed_up") == [(t0 + 17.0, "speed_up")]  # 12 s grace + 5 s hold
    assert rig.cues("halfway") == [(t0 + 10.0, "halfway")]  # 120 of 240 s: not said before


def test_restore_restarts_the_heart_rate_grace_too() -> None:
    """Restored 300 s into a 10 min HR step with HR low: no hr_low for 75 s grace + 10 s hold."""
    rig = restarted(Workout("tempo", (timed(A, 600, hr(150, 160)),)))
    restore(rig, step_index=0, step_moving_s=300.0, moving_s=300.0, distance_m=1200.0)
    t0 = rig.now
    rig.run(120, bpm=130)
    assert rig.cues("hr_low")[0] == (t0 + 85.0, "hr_low")


def test_restored_session_finishes_with_the_remaining_steps() -> None:
    """From index 5 the steps 5..9 end, the session finishes complete with the whole moving time."""
    rig = restarted()
    restore(rig)
    rig.run(130 + 180 + 240 + 180 + 300 + 1, mps=4.0)
    assert [ev.summary.index for _, ev in rig.step_ends()] == [5, 6, 7, 8, 9]
    first = rig.step_ends()[0][1].summary
    assert first.duration_s == pytest.approx(240.0)  # the whole step, before and after the crash
    assert rig.e.state is State.FINISHED
    (result,) = results(rig)
    assert result.summary.session_id == "sdead1-18c"
    assert result.summary.completed
    assert result.summary.moving_s == pytest.approx(PLANNED_S)
    assert [s.index for s in result.summary.steps] == [5, 6, 7, 8, 9]


def test_session_id_is_kept_and_cue_ids_never_collide_across_restores() -> None:
    """Before the crash, after restore 1, after restore 2, and a repeat of restore 1 elsewhere."""
    before = Rig(FOUR_BY_FOUR)
    before.start()
    before.run(1550, mps=4.0)
    sid = before.e.session_id
    assert sid is not None
    point = before.e.resume_point(before.now)
    assert point is not None
    first = restarted()
    first._record(first.e.restore_from(FOUR_BY_FOUR, point, first.now))
    first.run(300, mps=3.0)
    point2 = first.e.resume_point(first.now)
    assert point2 is not None
    assert (point2.session_id, point2.restores) == (sid, 1)
    second = restarted()
    second._record(second.e.restore_from(FOUR_BY_FOUR, point2, second.now))
    second.run(900, mps=4.0)
    # The daemon crashed again before checkpointing point2: point is restored once more,
    # by another daemon run (runtime/daemon.py gives each run its own session prefix).
    again = restarted(prefix="9f3a")
    again._record(again.e.restore_from(FOUR_BY_FOUR, point, again.now))
    again.run(60, mps=4.0)
    runs = [before, first, second, again]
    ids = [c.id for rig in runs for _, c in rig.cue_objs()]
    assert all(rig.cue_objs() for rig in runs)
    assert len(ids) == len(set(ids))
    assert all(i.startswith(f"{sid}") for i in ids)
    assert first.cue_objs()[0][1].id == f"{sid}.r1.s:1"
    assert second.cue_objs()[0][1].id == f"{sid}.r2.s:1"
    (result,) = results(second)
    assert result.summary.session_id == sid
    assert result.summary.moving_s == pytest.approx(PLANNED_S)


def test_restore_of_a_distance_step_continues_the_remaining_distance() -> None:
    """600 m into a 1000 m rep: '400 metres left', and the rep ends 400 m later."""
    rep = Step(A, Duration(DurationType.DISTANCE, 1000), PACE)
    rig = restarted(Workout("km", (rep, timed(R, 60))))
    restore(
        rig, step_index=0, step_moving_s=150.0, moving_s=150.0, distance_m=600.0,
        step_distance_m=600.0,
    )  # fmt: skip
    snap = rig.e.snapshot(rig.now)
    assert snap.step is not None
    assert snap.step.remaining_m == pytest.approx(400.0)
    assert snap.step.remaining_s is None
    (_, cue) = rig.cue_objs()[0]
    assert cue.text == "Back after a restart. Interval, 400 metres left, 4:05 to 4:20 per km."
    t0 = rig.now
    rig.run(120, mps=4.0)
    ((t_end, ended),) = rig.step_ends()
    assert rig.cues("halfway") == []  # past half at the restore: said before the crash
    assert t_end - t0 == pytest.approx(101.0)  # the first pod sample after the restart counts 0 m
    assert ended.summary.distance_m == pytest.approx(1000.0, abs=4)
    assert ended.summary.duration_s == pytest.approx(251.0)


def test_restore_paused_waits_for_the_resume_command() -> None:
    """paused=True: state paused (manual), a paused cue, no moving time until 'resume'."""
    rig = restarted()
    restore(rig, paused=True)
    assert rig.e.state is State.PAUSED
    assert rig.e.snapshot(rig.now).paused_by == "manual"
    assert rig.cue_objs()[0][1].kind == "paused"
    assert rig.cue_objs()[0][1].text.startswith("Back after a restart, paused. Interval 3 of 4")
    point = rig.e.resume_point(rig.now)
    assert point is not None
    assert point.paused
    rig.run(30, mps=4.0)
    assert rig.e.moving_s == pytest.approx(1550.0)
    assert rig.cmd("resume").ok
    rig.run(10, mps=4.0)
    assert rig.e.moving_s == pytest.approx(1560.0)


@pytest.mark.parametrize("setup", ["countdown", "running", "finished"])
def test_restore_when_not_idle_raises_and_changes_nothing(setup: str) -> None:
    """Only an idle engine can be restored: HiitdError naming the state, session untouched."""
    config = CoachConfig(countdown_s=10.0 if setup == "countdown" else 0.0)
    rig = Rig(Workout("short", (timed(A, 30, PACE),)), config=config)
    rig.start()
    rig.run(0 if setup == "countdown" else 5 if setup == "running" else 40, mps=4.0)
    before = rig.e.snapshot(rig.now).to_payload()
    with pytest.raises(HiitdError, match=f"while the engine is {setup}.*idle"):
        restore(rig, step_index=0, step_moving_s=0.0, moving_s=0.0)
    assert rig.e.snapshot(rig.now).to_payload() == before


@pytest.mark.parametrize(
    ("change", "error", "match"),
    [
        ({"step_index": 10}, WorkoutError, "step index 10 .*the workout has 10 steps"),
        ({"step_index": -1}, ValueError, "step_index must not be negative"),
        ({"step_moving_s": -1.0}, ValueError, "step_moving_s must be a finite number >= 0"),
        ({"moving_s": float("nan")}, ValueError, "moving_s must be a finite number"),
        ({"distance_m": -5.0}, ValueError, "distance_m must be a finite number >= 0"),
        ({"step_moving_s": 2000.0}, ValueError, "more than the session's moving_s"),
        ({"session_id": ""}, ValueError, "needs a session id"),
    ],
)
def test_bad_restore_arguments_raise_and_leave_the_engine_idle(
    change: dict[str, object], error: type[Exception], match: str
) -> None:
    """A step index outside the workout or a bad number: a clear error, still idle, no events."""
    rig = restarted()
    loaded = list(rig.events)
    with pytest.raises(error, match=match):
        restore(rig, **change)
    assert rig.e.state is State.IDLE
    assert rig.e.session_id is None
    assert rig.events == loaded


def test_resume_point_round_trips_and_restores_step_and_remaining_time() -> None:
    """A mid-session point survives JSON and restores the same step and remaining time (< 1 s)."""
    rig = Rig(FOUR_BY_FOUR)
    rig.start()
    rig.run(1200, mps=4.0)
    rig.run(20, mps=0.0)  # auto-paused at a traffic light: stored as running
    rig.run(333, mps=4.0)
    now = rig.now + 0.6  # a checkpoint between two engine calls
    point = rig.e.resume_point(now)
    assert point is not None
    assert not point.paused
    payload = json.loads(json.dumps(point.to_payload()))
    assert ResumePoint.from_payload(payload) == point
    old = rig.e.snapshot(rig.now).step
    assert old is not None
    assert old.remaining_s is not None
    new = Rig(FOUR_BY_FOUR, now=3.0)
    new._record(new.e.restore_from(FOUR_BY_FOUR, ResumePoint.from_payload(payload), new.now))
    step = new.e.snapshot(new.now).step
    assert step is not None
    assert step.index == old.index
    assert step.remaining_s == pytest.approx(old.remaining_s, abs=1.0)
    assert new.e.snapshot(new.now).distance_m == pytest.approx(rig.e.distance_m)
    assert new.e.moving_s == pytest.approx(rig.e.moving_s, abs=1.0)


def test_resume_point_none_when_idle_and_payload_errors_are_clear() -> None:
    """No session, no point; a stored point of the wrong shape or workout is refused."""
    rig = restarted()
    assert rig.e.resume_point(rig.now) is None
    good = ResumePoint("4x4", **MID_WORK_3).to_payload()  # type: ignore[arg-type]
    with pytest.raises(ValueError, match="lacks 'moving_s'"):
        ResumePoint.from_payload({k: v for k, v in good.items() if k != "moving_s"})
    with pytest.raises(ValueError, match="'step_index' must be an integer"):
        ResumePoint.from_payload({**good, "step_index": "5"})
    with pytest.raises(ValueError, match="'paused' must be true or false"):
        ResumePoint.from_payload({**good, "paused": 1})
    other = ResumePoint.from_payload({**good, "workout": "8x400"})
    with pytest.raises(WorkoutError, match="ran workout '8x400', not '4x4'"):
        rig.e.restore_from(FOUR_BY_FOUR, other, rig.now)
    assert rig.e.state is State.IDLE
