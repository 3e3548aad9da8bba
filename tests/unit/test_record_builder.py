"""The record builder: engine events and samples become the session record that is stored."""

from __future__ import annotations

from engine_rig import PROFILE, hr, speed, timed, workout

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command
from hiitd.coach.workout_model import Intensity
from hiitd.record.record_builder import RecordBuilder
from hiitd.record.session_record import SessionStatus
from hiitd_drivers.samples import (
    BatterySample,
    DeviceInfoSample,
    FootpodSample,
    HeartRateSample,
    Role,
)

WALL0 = 1_700_000_000.0


def make(countdown: float = 5.0) -> tuple[Engine, RecordBuilder]:
    engine = Engine(PROFILE, CoachConfig(countdown_s=countdown))
    builder = RecordBuilder(
        profile=lambda: engine.profile,
        planned=lambda: engine.steps,
        wall_at=lambda t: WALL0 + t,
    )
    return engine, builder


def drive(
    engine: Engine, builder: RecordBuilder, t0: float, t1: float, *, bpm: int | None, mps: float
) -> None:
    t = t0
    while t < t1:
        for sample in (
            HeartRateSample(t, bpm, (60000 / bpm,) if bpm else (), contact=bpm is not None),
            FootpodSample(t, mps, 170.0, mps * 60 / 170, None),
        ):
            builder.on_sample(sample, t)
            builder.on_events(engine.sample(sample, t), t)
        builder.on_events(engine.tick(t), t)
        t += 1.0


WORK = workout(
    timed(Intensity.WARMUP, 60, hr(None, 150)),
    timed(Intensity.ACTIVE, 60, speed(3.8, 4.1)),
    timed(Intensity.RECOVERY, 60, speed(0, 3.0)),
    timed(Intensity.COOLDOWN, 60),
)


def test_a_session_is_recorded_from_its_first_step_to_its_end() -> None:
    """Samples before the countdown ends are not kept; steps, times and status are."""
    engine, builder = make()
    builder.on_sample(DeviceInfoSample(0.0, Role.HR, "AA:BB", "Polar H10", "Polar"), 0.0)
    builder.on_sample(BatterySample(0.0, Role.HR, 80), 0.0)
    out = engine.command(Command("start", WORK), 10.0)
    builder.on_events(out.events, 10.0)
    drive(engine, builder, 10.0, 260.0, bpm=140, mps=3.9)
    rec = builder.record()
    assert rec is not None
    assert rec.status is SessionStatus.FINISHED
    assert rec.start_wall == WALL0 + 15.0  # the countdown (5 s) is not part of the session
    assert rec.hr[0].t >= 0.0
    assert [s.index for s in rec.steps] == [0, 1, 2, 3]
    assert [s.intensity for s in rec.steps] == ["warmup", "active", "recovery", "cooldown"]
    assert rec.steps[1].start_t == rec.steps[0].end_t
    assert all(s.end_t is not None and s.ended_by == "time" for s in rec.steps)
    assert rec.end_t is not None
    assert 239.0 <= rec.end_t <= 241.0
    assert rec.steps[1].target_low == 3.8
    assert rec.devices[0].name == "Polar H10"
    assert rec.devices[0].battery == 80
    assert any(c.kind == "step_start" for c in rec.cues)


def test_no_contact_is_kept_as_a_gap_and_pauses_are_recorded() -> None:
    """bpm None stays None in the record; a pause command opens and closes a PauseRecord."""
    engine, builder = make(countdown=0)
    builder.on_events(engine.command(Command("start", WORK), 0.0).events, 0.0)
    drive(engine, builder, 0.0, 20.0, bpm=130, mps=3.0)
    drive(engine, builder, 20.0, 30.0, bpm=None, mps=3.0)
    builder.on_events(engine.command(Command("pause"), 30.0).events, 30.0)
    drive(engine, builder, 30.0, 40.0, bpm=130, mps=3.0)
    builder.on_events(engine.command(Command("resume"), 40.0).events, 40.0)
    drive(engine, builder, 40.0, 50.0, bpm=130, mps=3.0)
    builder.on_events(engine.command(Command("stop"), 50.0).events, 50.0)
    rec = builder.record()
    assert rec is not None
    assert rec.status is SessionStatus.STOPPED
    assert [p.bpm for p in rec.hr if 20.0 <= p.t < 30.0] == [None] * 10
    assert len(rec.pauses) == 1
    assert (rec.pauses[0].start_t, rec.pauses[0].end_t) == (30.0, 40.0)
    assert rec.steps[-1].ended_by == "stop"
    assert not builder.active
