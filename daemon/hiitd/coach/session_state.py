"""The engine's state as one value: ``SessionState``, and what is read off it.

One owner: only the engine keeps a ``SessionState``, and only by taking the
next one from a collaborator (``transitions``, ``step_coaching``,
``lifecycle``, ``session_resume``). A collaborator takes ``(state, config,
now)`` and returns the next state and its events; it never assigns a field.
``SessionState`` is frozen, so a transition is ``dataclasses.replace``.

The state refers to a few *trackers*, accumulators that change with every
sample or tick and so are not copied at each one: the sensor channels
(``Heart``, ``Pod``), the session's moving time and distance (``Progress``),
the running step (``StepRun``), the cue book (``CueBook``), the speech log
(``SpeechLog``) and the safety hold (``Hold``). Each changes only through its own
methods, in its own module.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, TypeAlias

from hiitd.coach.ceiling import Ceiling
from hiitd.coach.cues import CueBook
from hiitd.coach.events import CueEvent, CueKind, Event, Priority, State, TargetView
from hiitd.coach.smoothing import Hold
from hiitd.coach.speech import SpeechLog

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import StepSummary
    from hiitd.coach.profile import AthleteProfile
    from hiitd.coach.sensors import Heart, Pod
    from hiitd.coach.steps import StepRun
    from hiitd.coach.workout_model import PlannedStep, Workout

ACTIVE = (State.COUNTDOWN, State.RUNNING, State.PAUSED)
NO_CEILING = Ceiling(0, "estimate", estimated=True)  # replaced before any session

# Recreational runners' threshold speed (~5:00 /km): the guess when the profile has none.
DEFAULT_THRESHOLD_MPS = 3.3


class Progress:
    """The session's moving time (s) and distance (m): advanced by every tick and sample."""

    __slots__ = ("distance_m", "moving_s")

    def __init__(self, moving_s: float = 0.0, distance_m: float = 0.0) -> None:
        self.moving_s = moving_s
        self.distance_m = distance_m

    def advance(self, dt: float) -> None:
        """``dt`` more seconds of moving time."""
        self.moving_s += dt

    def cover(self, metres: float) -> None:
        """``metres`` more distance."""
        self.distance_m += metres


@dataclass(frozen=True, slots=True)
class SessionState:
    """Everything the engine knows, as one value (see the module docstring)."""

    profile: AthleteProfile
    heart: Heart
    pod: Pod
    session_prefix: str = "s"  # prefixes session ids (unique per daemon run)
    state: State = State.IDLE
    workout: Workout | None = None
    steps: tuple[PlannedStep, ...] = ()
    session_no: int = 0
    session_id: str | None = None
    restores: int = 0  # how often this session was restored after a crash
    progress: Progress = field(default_factory=Progress)
    run: StepRun | None = None
    book: CueBook = field(default_factory=lambda: CueBook("none"))
    speech: SpeechLog = field(default_factory=SpeechLog)  # the speech budget's (speech.py)
    paused_by: str | None = None  # "manual" or "auto" while paused
    countdown_end: float = 0.0
    countdown_said: frozenset[int] = frozenset()
    started_at: float = 0.0
    ceiling: Ceiling = NO_CEILING  # fixed per session (ceiling.py)
    safety_hold: Hold = field(default_factory=Hold)
    safety_last: float | None = None
    safety_count: int = 0  # safety cues this session: each repeat waits twice as long
    safety_hr: float | None = None  # the heart rate the last safety cue was said at
    safety_end_step: bool = False  # the engine ends the running work step (step_coaching)
    max_hr_proposed: bool = False  # one proposal a session at most (step_coaching.py)
    step_summaries: tuple[StepSummary, ...] = ()

    # ------------------------------------------------------------- reading

    @property
    def moving_s(self) -> float:
        """The session's moving time."""
        return self.progress.moving_s

    @property
    def distance_m(self) -> float:
        """The session's distance."""
        return self.progress.distance_m

    @property
    def active(self) -> bool:
        """Counting down, running or paused."""
        return self.state in ACTIVE

    def est_speed(self) -> float:
        """The athlete's threshold speed, or a typical one."""
        return self.profile.threshold_speed_mps or DEFAULT_THRESHOLD_MPS

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
    ) -> CueEvent:
        """A new cue from this session's book, for the running step (ordered by the engine)."""
        idx = self.run.ps.index if self.run is not None else None
        made = self.book.make(
            kind, text, reason, idx, target=target, value=value, priority=priority, source=source
        )
        return CueEvent(made)


def hr_value(s: SessionState, cfg: CoachConfig, now: float) -> float | None:
    """Smoothed HR, None when stale."""
    if not s.heart.fresh(now, cfg.sensor_stale_s):
        return None
    return s.heart.avg.value(now)


def speed_value(s: SessionState, cfg: CoachConfig, now: float) -> float | None:
    """Smoothed speed, None when stale."""
    if not s.pod.fresh(now, cfg.sensor_stale_s):
        return None
    return s.pod.speed.value(now)


def cadence_value(s: SessionState, cfg: CoachConfig, now: float) -> float | None:
    """Smoothed cadence, None when stale."""
    if not s.pod.fresh(now, cfg.sensor_stale_s):
        return None
    return s.pod.cadence.value(now)


Next: TypeAlias = tuple[SessionState, list[Event]]
"""What a collaborator returns: the next state and the events it caused (cues included)."""
