"""One simulated session through the real coach, on an explicit clock. Time is an argument.

The simulated runner (``hiitd_drivers.sim_athlete``) chases the engine's
target speed (``Engine.target_speed``; the athlete model applies its
``effort``), as ``hiitd demo`` does, except on a heart-rate step: there it
runs the speed its own physiology needs for ``effort`` of that heart rate
reserve (a few bpm under a ceiling, mid-range for a range), as a runner
watching the watch does; the engine's guess assumes a runner's oxygen cost even
at walking speed. Its strap and footpod payloads go through the simulator's
``SensorFeed`` (the BLE adapter's decoder and plausibility gates) and every
sample to the ``RecordBuilder`` and the ``Engine``, in the daemon's order
(recorder, then coach, whose events the recorder sees first): what is due is
delivered every 0.5 s of the clock and the engine ticked once a second, as
``hiitd replay`` does. Nothing sleeps. The session's metrics are then
computed by ``compute_metrics`` from the record, as the daemon's analysis child
does, so compliance, HRSS and HRR60 are measured, not assumed.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hiitd.coach.engine import Engine
from hiitd.coach.events import Command, SessionEnded, SessionSummary, State
from hiitd.coach.steps import target_mid
from hiitd.coach.workout_model import TargetType
from hiitd.metrics import compute_metrics
from hiitd.record.record_builder import RecordBuilder
from hiitd_drivers.sim import SensorFeed

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import Event
    from hiitd.coach.profile import AthleteProfile
    from hiitd.coach.workout_model import Workout
    from hiitd.record.session_record import SessionRecord
    from hiitd_drivers.samples import Sample
    from hiitd_drivers.sim_athlete import SimulatedAthlete

FEED_S = 0.5  # the simulated sensors deliver what is due every half second
TICK_S = 1.0  # engine ticks between samples, once a clock second (as hiitd replay)
# No plan workout lasts this long (coach.max_session_h is 6 h): a guard, not a limit.
GIVE_UP_S = 6 * 3600.0
# On a heart-rate step with only a ceiling (an easy run "under 136") the runner
# keeps this far below it; with only a floor, this far above.
HR_MARGIN_BPM = 4.0


@dataclass(frozen=True, slots=True)
class SessionRun:
    """What one simulated session produced."""

    summary: SessionSummary | None  # the engine's SessionEnded (None: it never ended)
    record: SessionRecord
    metrics: dict[str, Any]  # compute_metrics(record).to_payload(): what the store keeps
    rpe_model: float  # the physiology's session rating, CR-10 (SimulatedAthlete.session_rpe)
    trimp: float  # the physiology's Banister TRIMP (the fitness model's load)


class _Session:
    """The engine, the recorder and the sensor feed of one session, driven step by step."""

    def __init__(
        self,
        engine: Engine,
        builder: RecordBuilder,
        athlete: SimulatedAthlete,
        observe: Callable[[Event, float], None] | None = None,
    ) -> None:
        self.engine = engine
        self._observe = observe
        self.builder = builder
        self.summary: SessionSummary | None = None
        self.athlete = athlete
        self._speed_for: dict[int, float] = {}
        self._pending: list[Sample] = []
        self.feed = SensorFeed(athlete, self._pending.append, speed_factor=1.0, cadence_scale=1.0)

    def take(self, events: list[Event], now: float) -> None:
        self.builder.on_events(events, now)
        for event in events:
            if self._observe is not None:
                self._observe(event, now)
            if isinstance(event, SessionEnded):
                self.summary = event.summary

    def deliver(self, now: float) -> None:
        """The samples the feed emitted, to the recorder then the coach (the daemon's order)."""
        samples = self._pending.copy()
        self._pending.clear()
        for sample in samples:
            self.builder.on_sample(sample, now)
            self.take(self.engine.sample(sample, now), now)

    def target(self, now: float) -> float:
        """What the runner tries to run: the step's target, standing when there is none."""
        speed = self.engine.target_speed(now)
        if speed is None:
            return 0.0
        goal = self._hr_goal() if speed > 0 else None
        return speed if goal is None else self._speed_for_hr(goal)

    def _hr_goal(self) -> float | None:
        """The heart rate the runner aims for on a heart-rate step, else None."""
        engine, run = self.engine, self.engine.run
        if engine.state is not State.RUNNING or run is None:
            return None
        if run.ps.step.target.type is not TargetType.HR:
            return None
        low, high = run.bounds(engine.moving_s, engine.distance_m)
        if low is not None and high is not None:
            return target_mid(low, high)
        if high is not None:
            return high - HR_MARGIN_BPM
        return None if low is None else low + HR_MARGIN_BPM

    def _speed_for_hr(self, bpm: float) -> float:
        """What to ask of the runner for a heart rate of ``bpm``: the speed whose steady
        state (before drift) is ``effort`` of that heart rate reserve, over ``effort``
        (the athlete model multiplies every target by it)."""
        key = round(bpm)
        cached = self._speed_for.get(key)
        if cached is not None:
            return cached
        model = self.athlete.profile
        want = (key - model.resting_hr) / (model.max_hr - model.resting_hr)
        want = min(1.0, max(0.05, want * model.effort))
        lo, hi = 0.5, 2.0 * model.vvo2max_mps
        for _ in range(40):  # exertion rises with speed, walking and running alike
            mid = (lo + hi) / 2.0
            lo, hi = (mid, hi) if model.exertion(mid) < want else (lo, mid)
        speed = hi / model.effort
        self._speed_for[key] = speed
        return speed


def run_session(
    workout: Workout,
    profile: AthleteProfile,
    config: CoachConfig,
    athlete: SimulatedAthlete,
    *,
    start_wall: float,
    session_prefix: str,
    observe: Callable[[Event, float], None] | None = None,
) -> SessionRun:
    """Coach ``athlete`` through ``workout`` (resolved for ``profile``) until the session ends.

    The clock starts at 0 with the start command (the countdown runs first, the
    runner standing); ``start_wall`` is the wall time of clock 0. ``observe`` sees
    every engine event with its clock time (the cue benchmark counts the cues).
    """
    engine = Engine(profile, config, session_prefix=session_prefix)
    builder = RecordBuilder(
        profile=lambda: engine.profile,
        planned=lambda: engine.steps,
        wall_at=lambda t: start_wall + t,
    )
    run = _Session(engine, builder, athlete, observe)
    now = 0.0
    run.feed.start(now, 0.0)
    run.deliver(now)
    outcome = engine.command(Command("start", workout), now)
    if not outcome.ok:
        raise ValueError(f"the coach refused {workout.name}: {outcome.error}")
    run.take(outcome.events, now)
    step = 0
    while run.summary is None and now < GIVE_UP_S:
        step += 1
        last, now = now, step * FEED_S
        run.feed.advance(last, now, run.target(now))
        run.deliver(now)
        if step % round(TICK_S / FEED_S) == 0:
            run.take(engine.tick(now), now)
    if run.summary is None:
        run.take(engine.command(Command("stop"), now).events, now)
    run.feed.stop(now)
    run.deliver(now)
    record = builder.record()
    if record is None:
        raise ValueError(f"{workout.name}: the session was not recorded")
    record = record.materialized()
    return SessionRun(
        summary=run.summary,
        record=record,
        metrics=compute_metrics(record).to_payload(),
        rpe_model=athlete.session_rpe(),
        trimp=athlete.trimp,
    )
