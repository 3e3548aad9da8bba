"""The coaching engine: a synchronous, deterministic state machine.

It never reads a clock and never does I/O: every call takes ``now`` (monotonic
seconds) and returns the events that happened up to then. The daemon calls
``tick`` about once a second and ``sample`` for every sensor sample; a test or
a replay calls them with whatever times it likes.

States: idle -> countdown -> running <-> paused -> finished. Steps advance on
moving time (paused time does not count), footpod distance, the lap command
(open steps) or a debounced heart-rate condition. The per-tick coaching (zone
verdicts, corrections, halfway, countdowns, safety) is in ``coaching.py``.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.coach import lifecycle as control
from hiitd.coach import session_resume as resume
from hiitd.coach import step_coaching as coaching
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.cues import CueBook, order
from hiitd.coach.events import (
    Command,
    CommandOutcome,
    Cue,
    CueEvent,
    CueKind,
    EndedBy,
    Event,
    Priority,
    State,
    StateChanged,
    StateSnapshot,
    StepEnded,
    StepSummary,
    TargetView,
    Zone,
)
from hiitd.coach.sensors import Heart, Pod
from hiitd.coach.session_resume import ResumePoint
from hiitd.coach.smoothing import Hold
from hiitd.coach.steps import StepRun, step_end_text
from hiitd.errors import HiitdError
from hiitd_drivers.samples import FootpodSample, HeartRateSample, LinkSample, Role

if TYPE_CHECKING:
    from hiitd.coach.profile import AthleteProfile
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
        self.profile = profile
        self.config = config if config is not None else CoachConfig()
        self.session_prefix = session_prefix
        self.state = State.IDLE
        self.workout: Workout | None = None
        self.steps: tuple[PlannedStep, ...] = ()
        self.heart = Heart(self.config.hr_window_s)
        self.pod = Pod(self.config.speed_window_s, self.config.pod_max_speed_mps)
        self._last_now: float | None = None
        self.session_no = 0
        self.session_id: str | None = None
        self.restores = 0  # how often this session was restored after a crash (see resume.py)
        self.book = CueBook("none")
        self.moving_s = 0.0
        self.distance_m = 0.0
        self.run: StepRun | None = None
        self.paused_by: str | None = None
        self.countdown_end = 0.0
        self.countdown_said: set[int] = set()
        self.started_at = 0.0
        self.ceiling = profile.max_hr
        self.safety_hold = Hold()
        self.safety_last: float | None = None
        self.step_summaries: list[StepSummary] = []
        self._events: list[Event] = []
        self._cues: list[Cue] = []
        self._published: tuple[object, ...] = ()

    # ================================================================= API

    def load(self, workout: Workout, now: float) -> list[Event]:
        """Select ``workout`` (state idle); a Notice warns of short HR-only work steps.

        Raises ``HiitdError`` while a session runs and ``WorkoutError`` for a
        workout whose targets are not resolved to absolute numbers.
        """
        if self.state in control.ACTIVE:
            raise HiitdError(f"cannot select a workout while {self.state}: send 'stop' first")
        control.check_resolved(workout)
        self._advance(now)
        self.workout, self.steps, self.state = workout, workout.expand(), State.IDLE
        note = control.short_hr_notice(self)
        if note is not None:
            self._events.append(note)
        return self._flush(now)

    def command(self, cmd: Command, now: float) -> CommandOutcome:
        """Apply a command; an invalid one returns ``ok=False`` and changes nothing."""
        self._advance(now)
        error = control.invalid(self, cmd)
        if error is None and cmd.workout is not None and cmd.action in ("workout", "start"):
            try:
                self.load(cmd.workout, now)
            except HiitdError as exc:
                error = str(exc)
        if error is not None:
            return CommandOutcome(ok=False, error=error, events=self._flush(now))
        match cmd.action:
            case "start":
                control.start_session(self, now)
            case "pause":
                self.pause_now(now, "manual", "pause command")
            case "resume":
                self.resume_now(now, "resume command")
            case "skip":
                control.skip(self, now)
            case "lap":
                control.lap(self, now)
            case "stop":
                control.stop(self, now)
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
            (self.heart if sample.role is Role.HR else self.pod).link(sample)
        self._advance(now)
        if isinstance(sample, FootpodSample):
            coaching.autopause(self, now, self.run)
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
        """Continue ``session_id`` after a crash (idle only; errors change nothing): resume.py."""
        point = ResumePoint(
            workout.name, session_id, step_index, step_moving_s, moving_s, distance_m,
            step_distance_m, paused, restores,
        )  # fmt: skip
        resume.check(self, workout, point)
        self._advance(now)
        resume.apply(self, workout, point, now)
        return self._flush(now)

    def resume_point(self, now: float) -> ResumePoint | None:
        """What ``restore`` needs to continue this session; None when none is under way."""
        return resume.resume_point(self, now, self._last_now)

    def snapshot(self, now: float) -> StateSnapshot:
        """The current state for ``session/state``."""
        hr = self.hr_value(now)
        speed = self.speed_value(now)
        cadence = self.cadence_value(now)
        run = self.run
        zone = run.zone if run is not None and self.state is State.RUNNING else Zone.NONE
        return StateSnapshot(
            state=self.state,
            workout=None if self.workout is None else self.workout.name,
            step=control.step_view(self),
            zone=zone,
            elapsed_s=self.moving_s,
            session_id=self.session_id,
            countdown_s=max(0.0, self.countdown_end - now)
            if self.state is State.COUNTDOWN
            else None,
            paused_by="auto" if self.paused_by == "auto" else "manual" if self.paused_by else None,
            hr_bpm=hr,
            speed_mps=speed,
            pace_s_per_km=1000.0 / speed if speed and speed > 0.3 else None,
            cadence_spm=cadence,
            distance_m=self.distance_m,
            hr_sensor=self.heart.status,
            footpod_sensor=self.pod.status,
        )

    def target_speed(self, now: float) -> float | None:
        """What the current step asks for in m/s (mid of a speed range; a guess otherwise)."""
        del now  # the target depends on moving time and distance, both tracked already
        return control.target_speed(self)

    # ======================================================== helpers (shared)

    def est_speed(self) -> float:
        """The athlete's threshold speed, or a typical one."""
        return self.profile.threshold_speed_mps or control.DEFAULT_THRESHOLD_MPS

    def emit(self, event: Event) -> None:
        """Queue a non-cue event for this call's output."""
        self._events.append(event)

    def begin_running(self, now: float) -> None:
        """The countdown is over: the first step starts at moving time 0."""
        self.state = State.RUNNING
        self.start_step(now, 0, 0.0)

    def hr_value(self, now: float) -> float | None:
        """Smoothed HR, None when stale."""
        if not self.heart.fresh(now, self.config.sensor_stale_s):
            return None
        return self.heart.avg.value(now)

    def speed_value(self, now: float) -> float | None:
        """Smoothed speed, None when stale."""
        if not self.pod.fresh(now, self.config.sensor_stale_s):
            return None
        return self.pod.speed.value(now)

    def cadence_value(self, now: float) -> float | None:
        """Smoothed cadence, None when stale."""
        if not self.pod.fresh(now, self.config.sensor_stale_s):
            return None
        return self.pod.cadence.value(now)

    def cue(
        self,
        kind: CueKind,
        text: str,
        reason: str,
        *,
        target: TargetView | None = None,
        value: float | None = None,
        priority: Priority | None = None,
        source: str = "engine",
    ) -> None:
        """Queue a cue for this call's output (ordered by priority at the end)."""
        idx = self.run.ps.index if self.run is not None else None
        made = self.book.make(
            kind, text, reason, idx, target=target, value=value, priority=priority, source=source
        )
        self._cues.append(made)

    # ============================================================ time

    def _advance(self, now: float) -> None:
        last = self._last_now
        dt = 0.0 if last is None else max(0.0, now - last)
        self._last_now = now if last is None else max(last, now)
        now = self._last_now
        if self.state is State.COUNTDOWN:
            left = self.countdown_end - now
            coaching.countdown(self, left, self.countdown_said, None)
            if left > 0:
                coaching.watch_sensors(self, now)
                coaching.safety(self, now)
                return
            dt = -left  # the part of this interval after the countdown ended is moving time
            self.begin_running(now)
        if self.state is State.RUNNING and self.run is not None:
            self.moving_s += dt
            coaching.account(self, now, dt)
            self._check_step_end(now)
            if self.state is State.RUNNING:
                coaching.evaluate(self, now)
        coaching.watch_sensors(self, now)
        if self.state in control.ACTIVE:
            coaching.safety(self, now)

    def _check_step_end(self, now: float) -> None:
        for _ in range(len(self.steps) + 1):  # a long gap between calls may end several
            run = self.run
            if run is None or self.state is not State.RUNNING:
                return
            ended = coaching.end_reason(self, run, now)
            if ended is None:
                return
            reason, boundary = ended
            self.end_step(now, reason, boundary)

    def start_step(self, now: float, index: int, start_moving: float) -> None:
        ps = self.steps[index]
        self.run = coaching.new_run(self, ps, start_moving)
        self.pod.reset_smoothing(self.run.window_s)
        self.pod.still.reset()
        coaching.announce(self, self.run)
        if self.paused_by == "auto" and not self.run.policy.autopause:
            self.resume_now(now, "rest/recovery steps never auto-pause")

    def end_step(self, now: float, ended_by: EndedBy, boundary: float | None = None) -> None:
        run = self.run
        if run is None:
            return
        at = self.moving_s if boundary is None else min(boundary, self.moving_s)
        summary = run.summary(at, self.distance_m, ended_by)
        self.step_summaries.append(summary)
        self._events.append(StepEnded(summary))
        if ended_by is EndedBy.STOP:
            control.finish(self, now, completed=False)
            return
        self.cue(
            CueKind.STEP_END,
            step_end_text(summary),
            f"step {run.ps.index + 1} ended by {ended_by.value}",
            target=summary.target,
            value=summary.pct_in,
        )
        if run.ps.index + 1 < len(self.steps):
            self.start_step(now, run.ps.index + 1, at)
        else:
            control.finish(self, now, completed=True)

    def pause_now(self, now: float, by: str, reason: str) -> None:
        del now
        self.state, self.paused_by = State.PAUSED, by
        if self.run is not None:
            self.run.judge.reset()
            self.run.zone = Zone.NONE
        self.cue(CueKind.PAUSED, "Paused.", reason)

    def resume_now(self, now: float, reason: str) -> None:
        del now
        self.state, self.paused_by = State.RUNNING, None
        run = self.run
        if run is not None:
            # Getting back up to speed takes a few strides: pace grace starts again.
            run.pace_grace_from = run.elapsed(self.moving_s)
            run.judge.reset()
            self.pod.reset_smoothing(run.window_s)
        self.pod.still.reset()
        self.cue(CueKind.RESUMED, "Resumed.", reason)

    # ============================================================ samples

    def _heart_sample(self, s: HeartRateSample, now: float) -> None:
        if self.heart.add(now, s) and self.state in control.ACTIVE:
            self.cue(CueKind.SENSOR_BACK, "Heart rate back.", "heart-rate samples again")
        if s.bpm is not None and self.state is State.RUNNING and self.run is not None:
            self.run.stats.hr.add(float(s.bpm))
        if self.config.learn_max_hr and self.state in control.ACTIVE:
            coaching.learn_max_hr(self, s, now)

    def _pod_sample(self, s: FootpodSample, now: float) -> None:
        delta, back = self.pod.add(now, s)
        if back and self.state in control.ACTIVE:
            self.cue(CueKind.SENSOR_BACK, "Footpod back.", "footpod samples again")
        run = self.run
        if self.state is State.RUNNING and run is not None:
            self.distance_m += delta
            run.stats.speed.add(s.speed_mps)
            run.stats.cadence.add(s.cadence_spm)

    def _flush(self, now: float) -> list[Event]:
        out: list[Event] = list(self._events)
        out.extend(CueEvent(c) for c in order(self._cues))
        self._events, self._cues = [], []
        # The snapshot's fields, without building it: that was a quarter of a replay (bench).
        run = self.run
        step_index = run.ps.index if run is not None else None
        if run is None and self.state is State.COUNTDOWN and self.steps:
            step_index = self.steps[0].index
        key = (
            self.state,
            None if self.workout is None else self.workout.name,
            step_index,
            run.zone if run is not None and self.state is State.RUNNING else Zone.NONE,
            "auto" if self.paused_by == "auto" else "manual" if self.paused_by else None,
            self.heart.status,
            self.pod.status,
        )
        if key != self._published:
            self._published = key
            out.append(StateChanged(self.snapshot(now)))
        return out
