"""A coached session for the store tests: the real engine and builder, 1 Hz samples."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from engine_rig import PROFILE, hr, speed, timed, workout

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command, Event
from hiitd.coach.workout_model import Intensity
from hiitd.record.record_builder import RecordBuilder
from hiitd_drivers.samples import (
    BatterySample,
    DeviceInfoSample,
    FootpodSample,
    HeartRateSample,
    Role,
    Sample,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.coach.profile import AthleteProfile

WALL0 = 1_700_000_000.0

WORK = workout(
    timed(Intensity.WARMUP, 60, hr(None, 150)),
    timed(Intensity.ACTIVE, 60, speed(3.8, 4.1)),
    timed(Intensity.RECOVERY, 60, speed(0, 3.0)),
    timed(Intensity.COOLDOWN, 60),
)


@dataclass
class Session:
    """An engine and a record builder driven together; ``sink`` also gets everything."""

    sink_events: Callable[[list[Event], float], None] | None = None
    sink_sample: Callable[[Sample, float], None] | None = None
    now: float = 0.0
    pod_total: float = 0.0
    profile: AthleteProfile = PROFILE
    prefix: str = "s"
    engine: Engine = field(init=False)
    builder: RecordBuilder = field(init=False)

    def __post_init__(self) -> None:
        self.engine = Engine(self.profile, CoachConfig(countdown_s=0), session_prefix=self.prefix)
        self.builder = RecordBuilder(
            profile=lambda: self.engine.profile,
            planned=lambda: self.engine.steps,
            wall_at=lambda t: WALL0 + t,
        )

    def events(self, evs: list[Event]) -> None:
        (self.sink_events or self.builder.on_events)(evs, self.now)

    def sample(self, s: Sample) -> None:
        (self.sink_sample or self.builder.on_sample)(s, self.now)
        self.events(self.engine.sample(s, self.now))

    def cmd(self, action: str) -> None:
        out = self.engine.command(Command(action, WORK if action == "start" else None), self.now)  # type: ignore[arg-type]
        assert out.ok, out.error
        self.events(out.events)

    def devices(self) -> None:
        self.sample(DeviceInfoSample(self.now, Role.HR, "AA:BB", "Polar H10", "Polar"))
        self.sample(BatterySample(self.now, Role.HR, 80))

    def run(self, seconds: float, *, bpm: int | None = 140, mps: float = 3.9) -> None:
        """``seconds`` of 1 Hz heart rate (None: no contact) and footpod samples, ticks."""
        for _ in range(round(seconds)):
            self.now += 1.0
            self.pod_total += mps
            rr = (60000.0 / bpm, 60000.0 / bpm + 1.5) if bpm else ()
            self.sample(HeartRateSample(self.now, bpm, rr, contact=bpm is not None))
            self.sample(FootpodSample(self.now, mps, 170.0, mps * 60 / 170, self.pod_total))
            self.events(self.engine.tick(self.now))


def full_session() -> Session:
    """A whole session: devices, a dropout, a pause, every step to the end."""
    s = Session()
    s.devices()
    s.cmd("start")
    s.run(40)
    s.run(10, bpm=None)
    s.cmd("pause")
    s.run(10)
    s.cmd("resume")
    s.run(200)
    return s
