"""What goes into and comes out of the engine: commands, snapshots, cues, summaries.

All frozen dataclasses with a ``to_payload()`` giving the JSON-ready dict that
docs/mqtt.md documents for ``session/state``, ``session/cue``, ``session/step`` and
``session/result`` (the MQTT layer adds ``ts``). Field names of the contract are
kept as they are; extra fields are additions.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import Any, Literal

from hiitd.coach.workout_model import Workout  # noqa: TC001  (a runtime field type of Command)


class State(enum.StrEnum):
    """The session state published on ``session/state``."""

    IDLE = "idle"
    COUNTDOWN = "countdown"
    RUNNING = "running"
    PAUSED = "paused"
    FINISHED = "finished"


class Zone(enum.StrEnum):
    """Where the primary metric is against the step target (``none``: no verdict now)."""

    BELOW = "below"
    IN = "in"
    ABOVE = "above"
    NONE = "none"


class CueKind(enum.StrEnum):
    """The cue kinds of docs/mqtt.md; consumers switch on these, so none are added."""

    COUNTDOWN = "countdown"
    STEP_START = "step_start"
    HALFWAY = "halfway"
    STEP_END = "step_end"
    SPEED_UP = "speed_up"
    SLOW_DOWN = "slow_down"
    HR_HIGH = "hr_high"
    HR_LOW = "hr_low"
    CADENCE_UP = "cadence_up"
    CADENCE_DOWN = "cadence_down"
    SAFETY_HR_CEILING = "safety_hr_ceiling"
    SENSOR_LOST = "sensor_lost"
    SENSOR_BACK = "sensor_back"
    PAUSED = "paused"
    RESUMED = "resumed"
    SESSION_END = "session_end"


CORRECTION_KINDS = frozenset(
    {
        CueKind.SPEED_UP,
        CueKind.SLOW_DOWN,
        CueKind.HR_HIGH,
        CueKind.HR_LOW,
        CueKind.CADENCE_UP,
        CueKind.CADENCE_DOWN,
    }
)


class Priority(enum.IntEnum):
    """Which cue wins when several fall together: higher first."""

    INFO = 0  # halfway, workout text cues, sensor notices
    CORRECTION = 1  # speed_up, hr_high, ...
    STEP = 2  # step start/end, countdown, paused/resumed, session end
    SAFETY = 3  # safety_hr_ceiling: bypasses every limit


class EndedBy(enum.StrEnum):
    """Why a step ended."""

    TIME = "time"
    DISTANCE = "distance"
    LAP = "lap"
    SKIP = "skip"
    HR = "hr"
    STOP = "stop"
    SAFETY = "safety"  # heart rate held above the safety ceiling ended the work step


@dataclass(frozen=True, slots=True)
class TargetView:
    """A step target as published: absolute bounds and a display text."""

    type: str  # open, hr, speed, cadence, power
    low: float | None
    high: float | None
    text: str

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"type": self.type, "low": self.low, "high": self.high, "text": self.text}


@dataclass(frozen=True, slots=True)
class StepView:
    """The current step in ``session/state``."""

    index: int
    count: int
    name: str
    intensity: str
    target: TargetView
    remaining_s: float | None = None  # time steps (and HR steps with max_s)
    remaining_m: float | None = None  # distance steps
    elapsed_s: float = 0.0  # moving time in this step
    distance_m: float = 0.0
    label: str = ""  # "Interval 3 of 8", "Recovery 2 of 4", "Warm-up"
    rep: int | None = None
    rep_count: int | None = None
    work_number: int | None = None
    work_count: int | None = None

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "index": self.index,
            "count": self.count,
            "name": self.name,
            "intensity": self.intensity,
            "remaining_s": _r(self.remaining_s),
            "remaining_m": _r(self.remaining_m),
            "target": self.target.to_payload(),
            "elapsed_s": _r(self.elapsed_s),
            "distance_m": _r(self.distance_m),
            "label": self.label,
            "rep": self.rep,
            "rep_count": self.rep_count,
            "work_number": self.work_number,
            "work_count": self.work_count,
        }


@dataclass(frozen=True, slots=True)
class StateSnapshot:
    """The retained ``session/state``: the original fields first, then additions."""

    state: State
    workout: str | None
    step: StepView | None
    zone: Zone
    elapsed_s: float  # moving time of the session
    session_id: str | None = None
    countdown_s: float | None = None  # seconds left in the start countdown
    paused_by: Literal["manual", "auto"] | None = None
    hr_bpm: float | None = None  # smoothed
    speed_mps: float | None = None  # smoothed
    pace_s_per_km: float | None = None  # from the smoothed speed; None when still
    cadence_spm: float | None = None  # smoothed
    distance_m: float = 0.0  # session distance
    hr_sensor: Literal["ok", "lost", "absent"] = "absent"
    footpod_sensor: Literal["ok", "lost", "absent"] = "absent"
    ceiling_bpm: int | None = None  # the safety ceiling (coach/ceiling.py)
    ceiling_estimated: bool = False

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "state": self.state.value,
            "workout": self.workout,
            "step": None if self.step is None else self.step.to_payload(),
            "zone": self.zone.value,
            "elapsed_s": _r(self.elapsed_s),
            "session_id": self.session_id,
            "countdown_s": _r(self.countdown_s),
            "paused_by": self.paused_by,
            "hr_bpm": _r(self.hr_bpm),
            "speed_mps": _r(self.speed_mps),
            "pace_s_per_km": _r(self.pace_s_per_km),
            "cadence_spm": _r(self.cadence_spm),
            "distance_m": _r(self.distance_m),
            "hr_sensor": self.hr_sensor,
            "footpod_sensor": self.footpod_sensor,
            "ceiling_bpm": self.ceiling_bpm,
            "ceiling_estimated": self.ceiling_estimated,
        }


@dataclass(frozen=True, slots=True)
class Cue:
    """Something to tell the runner (``session/cue``).

    ``id`` is unique across sessions of one engine (session id + counter), so a
    consumer that receives a QoS 1 redelivery can drop the duplicate. ``source``
    is ``"workout"`` for the workout's own words (its step ``cue`` and
    ``text_cues``, sent as kind ``step_start`` with INFO priority, since the kind
    list is a contract) and ``"engine"`` otherwise.
    """

    id: str
    kind: CueKind
    priority: Priority
    text: str
    reason: str
    step_index: int | None
    target: TargetView | None = None
    value: float | None = None
    source: Literal["engine", "workout"] = "engine"

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "kind": self.kind.value,
            "priority": int(self.priority),
            "priority_name": self.priority.name.lower(),
            "text": self.text,
            "reason": self.reason,
            "step_index": self.step_index,
            "target": None if self.target is None else self.target.to_payload(),
            "value": _r(self.value),
            "source": self.source,
        }


@dataclass(frozen=True, slots=True)
class StepSummary:
    """One finished step (``session/step``). Percentages are of scored seconds."""

    index: int
    name: str
    intensity: str
    label: str
    planned_type: str  # time, distance, open, hr_below, hr_above
    planned_value: float | None  # s, m or bpm
    duration_s: float  # moving time actually spent
    distance_m: float
    avg_hr: float | None
    max_hr: int | None
    avg_speed_mps: float | None  # mean of speed samples, not of pace
    avg_pace_s_per_km: float | None  # 1000 / avg_speed_mps
    avg_cadence_spm: float | None
    target: TargetView
    pct_in: float | None  # None when nothing was scored (open target, all grace, all gap)
    pct_below: float | None
    pct_above: float | None
    scored_s: float
    gap_s: float  # no data from the sensor the target needs
    ended_by: EndedBy
    laps_s: tuple[float, ...] = ()  # lap marks, seconds into the step
    in_s: float = 0.0  # scored seconds in target (compliance.py), below and above it
    below_s: float = 0.0
    above_s: float = 0.0
    unscored: str | None = None  # why the step is not scored (no target, by feel, ...)
    dropped: int = 0  # cues the speech budget kept back in this step (coach/speech.py)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "index": self.index,
            "name": self.name,
            "intensity": self.intensity,
            "label": self.label,
            "planned_type": self.planned_type,
            "planned_value": self.planned_value,
            "duration_s": _r(self.duration_s),
            "distance_m": _r(self.distance_m),
            "avg_hr": _r(self.avg_hr),
            "max_hr": self.max_hr,
            "avg_speed_mps": _r(self.avg_speed_mps, 3),
            "avg_pace_s_per_km": _r(self.avg_pace_s_per_km),
            "avg_cadence_spm": _r(self.avg_cadence_spm),
            "target": self.target.to_payload(),
            "pct_in": _r(self.pct_in),
            "pct_below": _r(self.pct_below),
            "pct_above": _r(self.pct_above),
            "scored_s": _r(self.scored_s),
            "gap_s": _r(self.gap_s),
            "ended_by": self.ended_by.value,
            "laps_s": [_r(x) for x in self.laps_s],
            "in_s": _r(self.in_s),
            "below_s": _r(self.below_s),
            "above_s": _r(self.above_s),
            "unscored": self.unscored,
            "dropped": self.dropped,
        }


@dataclass(frozen=True, slots=True)
class WorkCompliance:
    """The session's headline: work steps' scored time in/below/above target, in %.

    Defined and computed in ``coach.compliance``.

    The percentages are None when no work step was scored (all by feel, or no
    data): ``unscored`` says why.
    """

    scored_s: float
    in_pct: float | None
    below_pct: float | None
    above_pct: float | None
    work_steps: int  # work steps with scored time
    unscored_work_steps: int  # work steps without (not scorable, or all grace or gap)
    unscored: tuple[str, ...] = ()  # why, once per reason

    @property
    def verdict(self) -> str | None:
        """In words: mostly in, short of or over the target (the larger miss when out)."""
        if self.in_pct is None or self.below_pct is None or self.above_pct is None:
            return None
        if self.in_pct >= max(self.below_pct, self.above_pct):
            return "in"
        return "below" if self.below_pct >= self.above_pct else "above"

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (the result's and the metrics' ``compliance``)."""
        return {
            "scope": "work",
            "scored_s": _r(self.scored_s, 1),
            "in_pct": _r(self.in_pct, 1),
            "below_pct": _r(self.below_pct, 1),
            "above_pct": _r(self.above_pct, 1),
            "work_steps": self.work_steps,
            "unscored_work_steps": self.unscored_work_steps,
            "unscored": list(self.unscored),
        }


@dataclass(frozen=True, slots=True)
class SessionSummary:
    """A finished session (``session/result``). Times are the engine's monotonic clock."""

    session_id: str
    workout: str
    started_at: float
    ended_at: float
    moving_s: float
    distance_m: float
    steps: tuple[StepSummary, ...]
    compliance_pct: float | None  # work steps' scored seconds in target (compliance.py)
    cue_count: int
    completed: bool  # False when stopped before the last step ended
    work: WorkCompliance | None = None  # the headline split in/below/above; None: no work scored

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "session_id": self.session_id,
            "workout": self.workout,
            "started_at": self.started_at,
            "ended_at": self.ended_at,
            "moving_s": _r(self.moving_s),
            "distance_m": _r(self.distance_m),
            "steps": [s.to_payload() for s in self.steps],
            "compliance_pct": _r(self.compliance_pct),
            "compliance": None if self.work is None else self.work.to_payload(),
            "cue_count": self.cue_count,
            "completed": self.completed,
        }


# ---------------------------------------------------------------- events


@dataclass(frozen=True, slots=True)
class StateChanged:
    """The published state changed (state, step or zone)."""

    snapshot: StateSnapshot


@dataclass(frozen=True, slots=True)
class CueEvent:
    """A cue to publish and (optionally) speak."""

    cue: Cue


@dataclass(frozen=True, slots=True)
class CueDropped:
    """A cue the speech budget kept back (coach/speech.py), and why: for the log only."""

    cue: Cue
    reason: str


@dataclass(frozen=True, slots=True)
class StepEnded:
    """A step ended; its summary."""

    summary: StepSummary


@dataclass(frozen=True, slots=True)
class SessionEnded:
    """The session finished (last step done, or stopped)."""

    summary: SessionSummary


@dataclass(frozen=True, slots=True)
class Notice:
    """Something for the log and the console, not spoken: warnings, learned values, laps."""

    text: str
    code: str = ""  # short_hr_step, max_hr_above_setting, lap_marked


@dataclass(frozen=True, slots=True)
class MaxHrProposal:
    """A higher max HR seen cleanly in a session: proposed, applied only once confirmed.

    ``id`` and ``max_hr`` are what a confirmation must carry
    (``cmd/confirm-max-hr``, ``hiitd profile confirm-max-hr``).
    """

    id: str
    max_hr: int  # what is proposed: at most ``was`` + 5
    observed: int  # the lowest bpm of the clean sustained run above ``was``
    was: int
    text: str

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {
            "id": self.id,
            "max_hr": self.max_hr,
            "observed": self.observed,
            "was": self.was,
            "text": self.text,
        }


Event = StateChanged | CueEvent | CueDropped | StepEnded | SessionEnded | Notice | MaxHrProposal


# -------------------------------------------------------------- commands

Action = Literal["start", "pause", "resume", "skip", "lap", "stop", "workout"]


@dataclass(frozen=True, slots=True)
class Command:
    """An instruction from MQTT or the console; ``workout`` for 'workout' (and 'start')."""

    action: Action
    workout: Workout | None = None


@dataclass(frozen=True, slots=True)
class CommandOutcome:
    """The answer to a command; ``ok=False`` changed nothing and ``error`` says why."""

    ok: bool
    error: str | None = None
    events: list[Event] = field(default_factory=list)


def _r(x: float | None, nd: int = 1) -> float | None:
    """Round for publishing: a dashboard needs no 15 significant digits."""
    return None if x is None else round(x, nd)
