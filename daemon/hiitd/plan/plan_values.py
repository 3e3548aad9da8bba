"""The planner's inputs and output as plain frozen values. Pure.

The daemon's I/O side (``hiitd.store.plan_history``) turns stored sessions and check-ins
into these; nothing here knows of SQLite or MQTT.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from datetime import date


@dataclass(frozen=True, slots=True)
class SessionEntry:
    """One recorded session as the planner sees it."""

    day: date  # local calendar day it started
    start_wall: float  # Unix seconds (for the 48 h spacing)
    minutes: float  # moving (else elapsed) time
    workout: str | None = None
    hiit: bool = False
    protocol: str | None = None  # a ladder (intervals, hills, strides, circuit, base), if known
    step: int | None = None  # 1-based rung on that ladder
    hrss: float | None = None
    rpe: int | None = None
    # The RPE estimated from the planned workout (plan/intensity.py), for a session with
    # neither RPE nor HRSS; None: no workout known, a free run (PlanConfig.easy_rpe).
    rpe_estimate: float | None = None
    compliance_pct: float | None = None  # work steps' % of scored time in target
    work_unscored: bool = False  # its work steps are by feel (no target to score)
    completed: bool = True  # the last step was reached (not stopped early)
    ef: float | None = None  # efficiency factor, m/min per bpm
    pace_s_per_km: float | None = None
    hrr60_bpm: float | None = None

    @property
    def load_source(self) -> str:
        """Where the session's load comes from: ``rpe``, else ``hrss``, else ``estimated``."""
        if self.rpe is not None:
            return "rpe"
        if self.hrss is not None:
            return "hrss"
        return "estimated"


@dataclass(frozen=True, slots=True)
class Checkin:
    """A resting measurement: morning, lying or sitting, 2 minutes with the strap."""

    day: date
    resting_hr: float | None
    ln_rmssd: float | None


class Severity(enum.StrEnum):
    """How much a flag weighs: amber holds progression, red replaces the HIIT."""

    AMBER = "amber"
    RED = "red"


@dataclass(frozen=True, slots=True)
class Flag:
    """A reason to hold back, with the number behind it."""

    code: str  # acwr_high, monotony, hrv_low, resting_hr_high, load_jump, ef_falling, ...
    severity: Severity
    text: str
    value: float | None = None

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready."""
        value = None if self.value is None else round(self.value, 3)
        return {
            "code": self.code,
            "severity": self.severity.value,
            "text": self.text,
            "value": value,
        }


class Kind(enum.StrEnum):
    """What the next session is."""

    INTERVALS = "intervals"
    HILLS = "hills"
    STRIDES = "strides"
    CIRCUIT = "circuit"
    BASE = "base"  # run/walk for a runner who is not running yet
    EASY = "easy"
    REST = "rest"
    NO_PLAN = "no_plan"  # the screening's stop answers: no training at all until cleared


@dataclass(frozen=True, slots=True)
class Recommendation:
    """The next session, its rung, and why."""

    workout: str | None  # a catalogue name ("plan-intervals-3", "plan-easy-30"); None for rest
    level: str | None  # beginner, intermediate, advanced
    kind: Kind
    why: list[str]
    flags: list[Flag] = field(default_factory=list)
    protocol: str | None = None
    step: int | None = None
    steps: int | None = None  # rungs on the ladder
    description: str | None = None
    deload: bool = False
    hiit_not_before: float | None = None  # Unix seconds, when spacing holds the next HIIT back
    week: dict[str, Any] | None = None  # the week's running budget (week_plan.WeekBudget)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (``hiitd plan next --json``, ``<base>/plan/next``)."""
        return {
            "workout": self.workout,
            "level": self.level,
            "kind": self.kind.value,
            "protocol": self.protocol,
            "step": self.step,
            "steps": self.steps,
            "description": self.description,
            "deload": self.deload,
            "hiit_not_before": self.hiit_not_before,
            "week": self.week,
            "why": list(self.why),
            "flags": [f.to_payload() for f in self.flags],
        }
