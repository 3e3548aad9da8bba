"""A scripted-sample rig for the engine tests: a fake clock, steady sensors, recorded events."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command, CommandOutcome, Cue, CueEvent, Event, StepEnded
from hiitd.coach.profile import AthleteProfile
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Step,
    Target,
    TargetType,
    Workout,
)
from hiitd_drivers.samples import FootpodSample, HeartRateSample

PROFILE = AthleteProfile(
    max_hr=190,
    max_hr_estimated=False,
    resting_hr=55,
    lthr=170,
    threshold_speed_mps=3.9,
    vdot=None,
)

Value = float | None | Callable[[float], float | None]


def timed(intensity: Intensity, seconds: float, target: Target | None = None) -> Step:
    """A time step."""
    return Step(intensity, Duration(DurationType.TIME, seconds), target or Target())


def speed(low: float, high: float) -> Target:
    """A speed target, m/s."""
    return Target(TargetType.SPEED, low, high)


def hr(low: float | None, high: float | None) -> Target:
    """A heart-rate target, bpm."""
    return Target(TargetType.HR, low, high)


def workout(*steps: Step) -> Workout:
    """A workout of these steps."""
    return Workout("test", steps)


@dataclass
class Rig:
    """Drives one engine: ``run`` sends 1 Hz samples and a tick per second."""

    w: Workout
    config: CoachConfig = field(default_factory=lambda: CoachConfig(countdown_s=0))
    profile: AthleteProfile = PROFILE
    prefix: str = "s"
    now: float = 0.0
    pod_total: float = 0.0
    events: list[tuple[float, Event]] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.e = Engine(self.profile, self.config, session_prefix=self.prefix)
        self._record(self.e.load(self.w, self.now))

    def _record(self, evs: list[Event]) -> None:
        self.events.extend((self.now, ev) for ev in evs)

    def cmd(self, action: str) -> CommandOutcome:
        out = self.e.command(Command(action), self.now)  # type: ignore[arg-type]
        self._record(out.events)
        return out

    def start(self) -> None:
        assert self.cmd("start").ok

    def run(
        self,
        seconds: float,
        *,
        bpm: Value = None,
        mps: Value = None,
        spm: float = 170.0,
        no_contact: bool = False,
    ) -> None:
        """``seconds`` of 1 Hz samples; ``None`` sends no sample of that kind."""
        for _ in range(round(seconds)):
            self.now += 1.0
            t = self.now
            v = mps(t) if callable(mps) else mps
            if v is not None:
                self.pod_total += v
                cad = spm if v > 0 else 0.0
                sample = FootpodSample(t, v, cad, distance_m=self.pod_total)
                self._record(self.e.sample(sample, t))
            b = bpm(t) if callable(bpm) else bpm
            if no_contact:
                self._record(self.e.sample(HeartRateSample(t, None, (), False), t))
            elif b is not None:
                rr = (60000.0 / b,)
                self._record(self.e.sample(HeartRateSample(t, round(b), rr, True), t))
            self._record(self.e.tick(t))

    def cues(self, *kinds: str) -> list[tuple[float, str]]:
        """(time, kind) of every cue, or of these kinds."""
        return [(t, c.kind.value) for t, c in self.cue_objs() if not kinds or c.kind in kinds]

    def cue_objs(self) -> list[tuple[float, Cue]]:
        """(time, cue) of every cue."""
        return [(t, ev.cue) for t, ev in self.events if isinstance(ev, CueEvent)]

    def step_ends(self) -> list[tuple[float, StepEnded]]:
        """(time, event) of every step end."""
        return [(t, ev) for t, ev in self.events if isinstance(ev, StepEnded)]
