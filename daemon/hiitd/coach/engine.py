"""The coaching engine: a synchronous, deterministic state machine.

It never reads a clock and never does I/O: every call takes ``now`` (monotonic
seconds) and returns the events that happened up to then. The daemon calls
``tick`` about once a second and ``sample`` for every sensor sample; a test or
a replay calls them with whatever times it likes.

States: idle -> countdown -> running <-> paused -> finished. Steps advance on
moving time (paused time does not count), footpod distance, the lap command
(open steps) or a debounced heart-rate condition.

The engine is the one owner of the session's state (a ``SessionState``,
session_state.py). Its collaborators take that state, the configuration and
the time and return the next state with their events: ``lifecycle`` (commands,
step ends, the session's start and finish), ``transitions`` (step start, pause,
resume), ``step_coaching`` (verdicts, corrections, countdowns, safety) and
``session_resume`` (a session continued after a crash). This class only orders
the calls and collects what they say (docs/architecture.md, "The coach").
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Literal

from hiitd.coach import budget, lifecycle, session_resume, step_coaching, transitions
from hiitd.coach.ceiling import safety_ceiling
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import (
    Command,
    CommandOutcome,
    Cue,
    CueDropped,
    CueEvent,
    CueKind,
    EndedBy,
    Event,
    SessionEnded,
    State,
    StateChanged,
    StateSnapshot,
    StepEnded,
    Zone,
)
from hiitd.coach.profile import with_learned_max_hr
from hiitd.coach.sensors import Heart, Pod
from hiitd.coach.session_resume import ResumePoint
from hiitd.coach.session_state import SessionState, cadence_value, hr_value, speed_value
from hiitd.coach.workout_model import Intensity
from hiitd.errors import HiitdError
from hiitd_drivers.samples import FootpodSample, HeartRateSample, LinkSample, Role

if TYPE_CHECKING:
    from hiitd.coach.profile import AthleteProfile
    from hiitd.coach.steps import StepRun
    from hiitd.coach.workout_model import PlannedStep, Workout


class Engine:
    """The real-time coach. See the module docstring; every method takes ``now``."""

    def __init__(
        self,
        profile: AthleteProfile,
        config: CoachConfig | None = None,
        *,
        session_prefix: str = "s",
    ) -> None:
        """``session_prefix`` prefixes session ids (pass something unique per daemon run)."""
        self.config = config if config is not None else CoachConfig()
        self._s = SessionState(
            profile=profile,
            heart=Heart(self.config.hr_window_s),
            pod=Pod(self.config.speed_window_s, self.config.pod_max_speed_mps),
            session_prefix=session_prefix,
            ceiling=safety_ceiling(self.config, profile),
        )
        self._last_now: float | None = None
        self._said: list[Event] = []
        self._published: tuple[object, ...] = ()

    # ============================================================ reading

    @property
    def session(self) -> SessionState:
        """The whole state, as one value (read only)."""
        return self._s

    @property
    def state(self) -> State:
        """idle, countdown, running, paused or finished."""
        return self._s.state

    @property
    def profile(self) -> AthleteProfile:
        """The athlete, with any max HR learned so far."""
        return self._s.profile

    @property
    def steps(self) -> tuple[PlannedStep, ...]:
        """The selected workout's steps, repeats expanded."""
        return self._s.steps

    @property
    def run(self) -> StepRun | None:
        """The step being run, if any."""
        return self._s.run

    @property
    def session_id(self) -> str | None:
        """The current (or last) session's id."""
        return self._s.session_id

    @property
    def moving_s(self) -> float:
        """The session's moving time."""
        return self._s.moving_s

    @property
    def distance_m(self) -> float:
        """The session's distance."""
        return self._s.distance_m

    @property
    def ceiling(self) -> int:
        """The safety ceiling of the current session (bpm; ceiling.py)."""
        return self._s.ceiling.bpm

    def confirm_max_hr(self, bpm: int) -> AthleteProfile:
        """A learned max HR the runner confirmed: zones from the next workout, the ceiling
        from the next session (the running one keeps its own). Returns the new profile."""
        self._s = replace(self._s, profile=with_learned_max_hr(self._s.profile, bpm))
        return self._s.profile

    # ================================================================= API

    def load(self, workout: Workout, now: float) -> list[Event]:
        """Select ``workout`` (state idle); a Notice warns of short HR-only work steps.

        Raises ``HiitdError`` while a session runs and ``WorkoutError`` for a
        workout whose targets are not resolved to absolute numbers.
        """
        if self._s.active:
            raise HiitdError(f"cannot select a workout while {self.state}: send 'stop' first")
        lifecycle.check_resolved(workout)
        lifecycle.check_length(workout, self.config, self._s.est_speed())
        self._advance(now)
        self._take(_select(self._s, workout), [])
        note = lifecycle.short_hr_notice(self._s, self.config)
        if note is not None:
            self._said.append(note)
        return self._flush(now)

    def command(self, cmd: Command, now: float) -> CommandOutcome:
        """Apply a command; an invalid one returns ``ok=False`` and changes nothing."""
        self._advance(now)
        error = lifecycle.invalid(self._s, cmd)
        if error is None and cmd.workout is not None and cmd.action in ("workout", "start"):
            try:
                self.load(cmd.workout, now)
            except HiitdError as exc:
                error = str(exc)
        if error is not None:
            return CommandOutcome(ok=False, error=error, events=self._flush(now))
        s, cfg = self._s, self.config
        match cmd.action:
            case "start":
                self._take(*lifecycle.start_session(s, cfg, now))
            case "pause":
                self._take(*transitions.pause(s, now, "manual", "pause command"))
            case "resume":
                self._take(*transitions.resume(s, now, "resume command"))
            case "skip":
                self._take(*lifecycle.skip(s, cfg, now))
            case "lap":
                self._take(*lifecycle.lap(s, cfg, now))
            case "stop":
                self._take(*lifecycle.stop(s, cfg, now))
            case _:  # "workout": selected above
                pass
        return CommandOutcome(ok=True, error=None, events=self._flush(now))

    def sample(
        self, sample: HeartRateSample | FootpodSample | LinkSample | object, now: float
    ) -> list[Event]:
        """Take a sensor sample (others are ignored).

        The sample is recorded before time advances: it reports the interval
        that ends at ``now``, which belongs to the step running until ``now``.
        """
        if isinstance(sample, HeartRateSample):
            self._heart_sample(sample, now)
        elif isinstance(sample, FootpodSample):
            self._pod_sample(sample, now)
        elif isinstance(sample, LinkSample):
            (self._s.heart if sample.role is Role.HR else self._s.pod).link(sample)
        self._advance(now)
        if isinstance(sample, FootpodSample):
            self._take(*step_coaching.autopause(self._s, self.config, now))
        return self._flush(now)

    def tick(self, now: float) -> list[Event]:
        """Let time pass: step ends, countdowns, grace, cues."""
        self._advance(now)
        return self._flush(now)

    def restore(
        self,
        workout: Workout,
        *,
        session_id: str,
        step_index: int,
        step_moving_s: float,
        moving_s: float,
        distance_m: float,
        step_distance_m: float = 0.0,
        now: float,
        paused: bool = False,
        restores: int = 0,
    ) -> list[Event]:
        """Continue ``session_id`` after a crash (idle only; errors change nothing)."""
        point = ResumePoint(
            workout.name, session_id, step_index, step_moving_s, moving_s, distance_m,
            step_distance_m, paused, restores,
        )  # fmt: skip
        return self.restore_from(workout, point, now)

    def restore_from(self, workout: Workout, point: ResumePoint, now: float) -> list[Event]:
        """``restore`` with a stored point; ``WorkoutError`` when ``workout`` is not its workout."""
        session_resume.check(self._s, workout, point)
        self._advance(now)
        self._take(*session_resume.restore(self._s, self.config, workout, point, now))
        return self._flush(now)

    def resume_point(self, now: float) -> ResumePoint | None:
        """What ``restore`` needs to continue this session; None when none is under way."""
        return session_resume.resume_point(self._s, now, self._last_now)

    def snapshot(self, now: float) -> StateSnapshot:
        """The current state for ``session/state``."""
        s, cfg = self._s, self.config
        speed = speed_value(s, cfg, now)
        run = s.run
        zone = run.zone if run is not None and s.state is State.RUNNING else Zone.NONE
        return StateSnapshot(
            state=s.state,
            workout=None if s.workout is None else s.workout.name,
            step=lifecycle.step_view(s, cfg),
            zone=zone,
            elapsed_s=s.moving_s,
            session_id=s.session_id,
            countdown_s=max(0.0, s.countdown_end - now) if s.state is State.COUNTDOWN else None,
            paused_by=_paused_by(s),
            hr_bpm=hr_value(s, cfg, now),
            speed_mps=speed,
            pace_s_per_km=1000.0 / speed if speed and speed > 0.3 else None,
            cadence_spm=cadence_value(s, cfg, now),
            distance_m=s.distance_m,
            hr_sensor=s.heart.status,
            footpod_sensor=s.pod.status,
            # With beta blockers no ceiling is enforced (step_coaching.safety): none shown.
            ceiling_bpm=None if s.profile.beta_blockers else s.ceiling.bpm,
            ceiling_estimated=s.ceiling.estimated and not s.profile.beta_blockers,
        )

    def target_speed(self, now: float) -> float | None:
        """What the current step asks for in m/s (mid of a speed range; a guess otherwise)."""
        del now  # the target depends on moving time and distance, both tracked already
        return lifecycle.target_speed(self._s)

    # ============================================================ time

    def _take(self, s: SessionState, said: list[Event]) -> None:
        """Keep the next state and what was said on the way to it."""
        self._s = s
        if said:
            self._said.extend(said)

    def _advance(self, now: float) -> None:
        last = self._last_now
        dt = 0.0 if last is None else max(0.0, now - last)
        self._last_now = now if last is None else max(last, now)
        now, cfg = self._last_now, self.config
        if self._s.state is State.COUNTDOWN:
            self._take(*step_coaching.start_countdown(self._s, cfg, now))
            left = self._s.countdown_end - now
            if left > 0:
                self._take(*step_coaching.watch_sensors(self._s, cfg, now))
                self._take(*step_coaching.safety(self._s, cfg, now))
                return
            dt = -left  # the part of this interval after the countdown ended is moving time
            self._take(*transitions.begin_running(self._s, cfg, now))
        self._take(*lifecycle.time_limit(self._s, cfg, now))
        if self._s.state is State.RUNNING and self._s.run is not None:
            self._s.progress.advance(dt)
            step_coaching.account(self._s, cfg, now, dt)
            self._end_steps(now)
            if self._s.state is State.RUNNING:
                said = step_coaching.evaluate(self._s, cfg, now)
                if said:
                    self._said.extend(said)
        self._take(*step_coaching.watch_sensors(self._s, cfg, now))
        if self._s.active:
            self._take(*step_coaching.safety(self._s, cfg, now))
            self._end_for_safety(now)

    def _end_for_safety(self, now: float) -> None:
        """The safety ceiling ended the work step: on to the next step that is not work
        (the recovery, or the cool-down), the skipped work steps ended too."""
        if not self._s.safety_end_step:
            return
        self._s = replace(self._s, safety_end_step=False)
        for _ in range(len(self._s.steps)):
            run = self._s.run
            if run is None or self._s.state is not State.RUNNING:
                return
            if run.ps.step.intensity is not Intensity.ACTIVE or run.ps.index + 1 >= len(
                self._s.steps
            ):
                return
            self._take(*lifecycle.end_step(self._s, self.config, now, EndedBy.SAFETY))

    def _end_steps(self, now: float) -> None:
        for _ in range(len(self._s.steps) + 1):  # a long gap between calls may end several
            run = self._s.run
            if run is None or self._s.state is not State.RUNNING:
                return
            ended = step_coaching.end_reason(self._s, self.config, run, now)
            if ended is None:
                return
            reason, boundary = ended
            self._take(*lifecycle.end_step(self._s, self.config, now, reason, boundary))

    # ============================================================ samples

    def _heart_sample(self, sample: HeartRateSample, now: float) -> None:
        s = self._s
        if s.heart.add(now, sample) and s.active:
            self._said.append(
                s.cue(CueKind.SENSOR_BACK, "Heart rate back.", "heart-rate samples again")
            )
        if sample.bpm is not None and s.state is State.RUNNING and s.run is not None:
            s.run.stats.hr.add(float(sample.bpm))
        if self.config.learn_max_hr and s.active:
            self._take(*step_coaching.learn_max_hr(s, self.config, sample, now))

    def _pod_sample(self, sample: FootpodSample, now: float) -> None:
        s = self._s
        delta, back = s.pod.add(now, sample)
        if back and s.active:
            self._said.append(s.cue(CueKind.SENSOR_BACK, "Footpod back.", "footpod samples again"))
        run = s.run
        if s.state is State.RUNNING and run is not None:
            s.progress.cover(delta)
            run.stats.speed.add(sample.speed_mps)
            run.stats.cadence.add(sample.cadence_spm)

    def _flush(self, now: float) -> list[Event]:
        out: list[Event] = []
        if self._said:
            said, self._said = self._said, []
            cues = [e.cue for e in said if isinstance(e, CueEvent)]
            kept, dropped = self._speak(cues, now) if cues else ([], [])
            out = [self._with_drops(e) for e in said if not isinstance(e, CueEvent)]
            out.extend(CueEvent(c) for c in kept)
            out.extend(dropped)
        # The snapshot's fields, without building it: that was a quarter of a replay (bench).
        s = self._s
        run = s.run
        step_index = run.ps.index if run is not None else None
        if run is None and s.state is State.COUNTDOWN and s.steps:
            step_index = s.steps[0].index
        key = (
            s.state,
            None if s.workout is None else s.workout.name,
            step_index,
            run.zone if run is not None and s.state is State.RUNNING else Zone.NONE,
            _paused_by(s),
            s.heart.status,
            s.pod.status,
        )
        if key != self._published:
            self._published = key
            out.append(StateChanged(self.snapshot(now)))
        return out

    def _speak(self, cues: list[Cue], now: float) -> tuple[list[Cue], list[CueDropped]]:
        """The speech budget (budget.py): what is said of ``cues``, and what is dropped."""
        s, cfg = self._s, self.config
        run = s.run
        eta = None if run is None else run.eta_s(s.moving_s, s.distance_m, speed_value(s, cfg, now))
        return budget.settle(s, cfg, cues, now, eta)

    def _with_drops(self, event: Event) -> Event:
        """A step summary with the cues dropped in its step: its last cues are settled in
        the flush that publishes it, after the summary was made."""
        drops = self._s.speech.dropped
        if isinstance(event, StepEnded) and drops.get(event.summary.index):
            summary = replace(event.summary, dropped=drops[event.summary.index])
            kept = tuple(summary if x.index == summary.index else x for x in self._s.step_summaries)
            self._s = replace(self._s, step_summaries=kept)
            return StepEnded(summary)
        if isinstance(event, SessionEnded) and drops:
            steps = tuple(replace(x, dropped=drops.get(x.index, 0)) for x in event.summary.steps)
            return SessionEnded(replace(event.summary, steps=steps))
        return event


def _select(s: SessionState, workout: Workout) -> SessionState:
    return replace(s, workout=workout, steps=workout.expand(), state=State.IDLE)


def _paused_by(s: SessionState) -> Literal["manual", "auto"] | None:
    if s.paused_by is None:
        return None
    return "auto" if s.paused_by == "auto" else "manual"
