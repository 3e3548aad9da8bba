"""Who may train how: screening, age, medication and reported illness -> a ``Gate``. Pure.

The planner asks this before anything else (``recommend_next(..., gate=...)``):

- **Screening** (``[plan.screening]``, PAR-Q+ style). Chest pain, fainting or
  dizziness, or a known heart condition: no training plan at all until a doctor
  clears you (``plan.cleared = true``). Any other yes (blood-pressure medication,
  a bone or joint problem made worse by exercise, pregnancy, a doctor's advice
  against vigorous exercise): no high-intensity sessions until cleared. The
  PAR-Q+ (Warburton et al., Health Fit J Can 2011; 4: 3-23) asks anyone with a
  yes for more advice (its follow-up pages, a doctor or a qualified exercise
  professional) before becoming much more active; hiitd stops the whole plan for the first
  three (symptoms or disease of the heart), and only the HIIT for the others.
- **Age**. Unknown: conservative defaults (``plan.min_hours_between_hiit_older``,
  72 h between HIIT sessions), said. Under 18: no HIIT plan (easy running only).
  From ``plan.older_age`` (50) that spacing too, else ``plan.min_hours_between_hiit``
  (48 h): older runners recover more slowly from high-intensity work (Borges et
  al., J Aging Phys Act 2016; 24: 149-57, a review). ``Gate.spaced`` hands the
  larger to the planner.
- **Beta blockers** (``athlete.beta_blockers``): they blunt heart rate, so heart-rate
  zones, the HR ceiling and HRR60 are not used for coaching; pace and RPE are.
  The plan still runs; the note says why.
- **Health** (``hiitd health ill|injured|ok``, ``cmd/health``): ill or injured means
  no running until reported ok; then ``plan.easy_days_after_break`` days of easy
  running before any HIIT.

Time is an argument (``now_wall``, Unix seconds).
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, replace
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

from hiitd.coach.compliance import BETA_BLOCKERS
from hiitd.plan import ladders
from hiitd.plan.plan_values import Kind, Recommendation

if TYPE_CHECKING:
    from hiitd.plan.plan_config import PlanConfig, Screening

# What a hold stops: the planner's HIIT kinds and, more cautious, strides and the
# plyometric circuit too (fast running, jumps) until a doctor clears the runner.
HELD_KINDS = frozenset({Kind.INTERVALS, Kind.HILLS, Kind.STRIDES, Kind.CIRCUIT})
ADULT_AGE = 18
BETA_BLOCKER_REASON = BETA_BLOCKERS  # the coach's reason (coach/compliance.py)
_DAY_S = 86400.0
# Running time the week keeps for each quality session (recommend.py plans with it).
QUALITY_SESSION_MIN = 35.0

# The screening answers in the order they are said, with the words for them.
_STOP = {
    "chest_pain": "chest pain",
    "fainting": "fainting or dizziness",
    "heart_condition": "a known heart condition",
}
_HOLD = {
    "blood_pressure_medication": "blood-pressure medication",
    "bone_joint_problem": "a bone or joint problem made worse by exercise",
    "pregnant": "pregnancy",
    "doctor_advised_against": "a doctor's advice against vigorous exercise",
}


class HealthStatus(enum.StrEnum):
    """What the runner last reported."""

    OK = "ok"
    ILL = "ill"
    INJURED = "injured"


@dataclass(frozen=True, slots=True)
class HealthReport:
    """One report: the status, when (Unix seconds) and an optional note."""

    status: HealthStatus
    at: float
    note: str | None = None

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready."""
        return {"status": self.status.value, "at": self.at, "note": self.note}


@dataclass(frozen=True, slots=True)
class HealthState:
    """The reports, oldest first; the newest is the current status (none: ok, never reported)."""

    history: tuple[HealthReport, ...] = ()

    @property
    def current(self) -> HealthReport | None:
        """The newest report, or None."""
        return self.history[-1] if self.history else None

    @property
    def status(self) -> HealthStatus:
        """The current status (ok when nothing was ever reported)."""
        return self.history[-1].status if self.history else HealthStatus.OK

    @property
    def since(self) -> float | None:
        """When the current status began (the first of a run of equal reports)."""
        if not self.history:
            return None
        since = self.history[-1].at
        for r in reversed(self.history):
            if r.status is not self.status:
                break
            since = r.at
        return since

    def back_from(self) -> HealthReport | None:
        """The ill or injured report this ``ok`` ended, if the status is ok after one."""
        if self.status is not HealthStatus.OK:
            return None
        for r in reversed(self.history):
            if r.status is not HealthStatus.OK:
                return r
        return None

    def reported(self, status: HealthStatus, at: float, note: str | None = None) -> HealthState:
        """This state with a new report added."""
        return HealthState((*self.history, HealthReport(status, at, note)))

    def to_payload(self) -> dict[str, Any]:
        """The current status, since when and its note (the history stays in the file)."""
        cur = self.current
        return {
            "status": self.status.value,
            "since": self.since,
            "note": None if cur is None else cur.note,
        }


@dataclass(frozen=True, slots=True)
class Gate:
    """What the planner may recommend, and why not more."""

    plan_allowed: bool = True
    hiit_allowed: bool = True
    reasons: tuple[str, ...] = ()  # what holds the plan or HIIT back, in plain words
    notes: tuple[str, ...] = ()  # said with every recommendation, holding nothing back
    min_hours_between_hiit: float = 48.0  # by age (unknown: the older runner's)
    age_unknown: bool = False
    hr_coaching: bool = True  # False with beta blockers: pace and RPE instead
    hiit_not_before: float | None = None  # Unix seconds: when the easy days after ok end
    screened_out: bool = False  # a stop answer in [plan.screening]: no plan at all (no_plan)

    def spaced(self, cfg: PlanConfig) -> PlanConfig:
        """``cfg`` with at least the age's hours between HIIT sessions (the larger wins)."""
        if cfg.min_hours_between_hiit >= self.min_hours_between_hiit:
            return cfg
        return cfg.model_copy(update={"min_hours_between_hiit": self.min_hours_between_hiit})

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (``plan/next``'s ``eligibility``)."""
        return {
            "plan_allowed": self.plan_allowed,
            "hiit_allowed": self.hiit_allowed,
            "reasons": list(self.reasons),
            "notes": list(self.notes),
            "min_hours_between_hiit": self.min_hours_between_hiit,
            "age_unknown": self.age_unknown,
            "hr_coaching": self.hr_coaching,
            "hiit_not_before": self.hiit_not_before,
        }


def _answers(screening: Screening, words: dict[str, str]) -> list[str]:
    return [text for key, text in words.items() if getattr(screening, key)]


def _day(ts: float) -> str:
    return datetime.fromtimestamp(ts, UTC).date().isoformat()


def evaluate(
    cfg: PlanConfig,
    *,
    age: int | None,
    beta_blockers: bool,
    health: HealthState,
    now_wall: float,
) -> Gate:
    """The gate for ``now_wall`` from the settings and the reported health."""
    plan_ok, hiit_ok, screened_out = True, True, False
    reasons: list[str] = []
    notes: list[str] = []
    not_before: float | None = None

    stop, hold = _answers(cfg.screening, _STOP), _answers(cfg.screening, _HOLD)
    if cfg.cleared and (stop or hold):
        notes.append(f"cleared by a doctor (plan.cleared) despite {', '.join(stop + hold)}")
    elif stop:
        plan_ok, screened_out = False, True
        reasons.append(
            f"no training plan until a doctor clears you: you answered yes to "
            f"{', '.join(stop)} (see a doctor, then set plan.cleared = true)"
        )
    elif hold:
        hiit_ok = False
        reasons.append(
            f"no high-intensity sessions until a doctor clears you: you answered yes to "
            f"{', '.join(hold)} (set plan.cleared = true once cleared)"
        )

    # The plan's own spacing by age (plan.older_age, min_hours_between_hiit_older);
    # the gate adds the case the planner cannot know: no age at all.
    hours = cfg.min_hours_between_hiit
    if age is None:
        hours = max(hours, cfg.min_hours_between_hiit_older)
        notes.append(
            f"age unknown: conservative defaults ({hours:g} h between HIIT sessions); "
            "set athlete.age"
        )
    elif age < ADULT_AGE:
        hiit_ok = False
        reasons.append(f"under {ADULT_AGE} (age {age}): no HIIT plan, easy running only")
    elif age >= cfg.older_age:
        hours = max(hours, cfg.min_hours_between_hiit_older)
        notes.append(f"age {age}: at least {hours:g} h between HIIT sessions")

    if beta_blockers:
        notes.append(
            f"{BETA_BLOCKER_REASON}: zones, the HR ceiling and HRR60 are not used; "
            "sessions are coached by pace and RPE"
        )

    since = health.since
    if health.status is not HealthStatus.OK:
        plan_ok = False
        when = "" if since is None else f" since {_day(since)}"
        reasons.append(
            f"reported {health.status.value}{when}: no running until you report ok "
            "(hiitd health ok)"
        )
    elif (back := health.back_from()) is not None and since is not None:
        end = since + cfg.easy_days_after_break * _DAY_S
        if now_wall < end:
            hiit_ok = False
            not_before = end
            days = max(0, int((now_wall - since) // _DAY_S))
            ago = "today" if days == 0 else f"{days} day{'s' if days > 1 else ''} ago"
            reasons.append(
                f"back from being {back.status.value} (reported ok {ago}): easy running only "
                f"for {cfg.easy_days_after_break} days before any HIIT (until {_day(end)})"
            )
    return Gate(
        plan_allowed=plan_ok,
        hiit_allowed=hiit_ok,
        reasons=tuple(reasons),
        notes=tuple(notes),
        min_hours_between_hiit=hours,
        age_unknown=age is None,
        hr_coaching=not beta_blockers,
        hiit_not_before=not_before,
        screened_out=screened_out,
    )


def gated(gate: Gate, planned: Recommendation, cfg: PlanConfig) -> Recommendation:
    """``planned`` as the gate allows it: no plan, an easy run instead of HIIT, or as is."""
    notes = [n for n in gate.notes if n not in planned.why]
    if not gate.plan_allowed:
        return Recommendation(
            workout=None,
            level=None,
            kind=Kind.NO_PLAN if gate.screened_out else Kind.REST,  # ill or injured: rest
            why=[*gate.reasons, *notes],
            flags=planned.flags,
            description="no training plan: " + gate.reasons[0],
        )
    if gate.hiit_allowed:
        return replace(planned, why=[*planned.why, *notes]) if notes else planned
    later = max(planned.hiit_not_before or 0.0, gate.hiit_not_before or 0.0) or None
    if planned.kind not in HELD_KINDS:  # easy, rest or run/walk: allowed, said why no HIIT
        return replace(planned, why=[*planned.why, *gate.reasons, *notes], hiit_not_before=later)
    # The HIIT session's place in the week, as an easy run of about its length
    # (the time the week kept for it), within what the week has left today.
    left = float((planned.week or {}).get("left_min", cfg.easy_run_min))
    minutes = min(float(cfg.easy_run_min), QUALITY_SESSION_MIN, left)
    m = int(minutes // ladders.EASY_STEP) * ladders.EASY_STEP
    if m < ladders.EASY_MIN:
        return Recommendation(
            workout=None,
            level=None,
            kind=Kind.REST,
            why=[f"rest instead: {gate.reasons[0]}", *gate.reasons[1:], *notes],
            flags=planned.flags,
            description="rest",
            deload=planned.deload,
            hiit_not_before=later,
            week=planned.week,
        )
    return Recommendation(
        workout=ladders.easy_name(m),
        level="beginner",
        kind=Kind.EASY,
        why=[f"easy run instead: {gate.reasons[0]}", *gate.reasons[1:], *notes],
        flags=planned.flags,
        description=f"{m} min easy, conversational",
        deload=planned.deload,
        hiit_not_before=later,
        week=planned.week,
    )
