"""``recommend_next``: the next session, its rung, and why. Pure; time is an argument.

Order of decisions, each adding its reason to ``why``:

1. Which kind: a runner new to running (questionnaire ``experience = none``,
   or under ``BASE_UNTIL_MIN`` a week) runs/walks until the top base rung is
   done twice; then intervals, hills, strides and the circuit take turns (the
   kind done longest ago next), so no structure repeats week after week.
2. Which rung: the entry rung for the questionnaire's experience the first
   time; one step up after ``sessions_to_progress`` compliant sessions on the
   current rung (most of the work steps' scored time in target, or all of the
   session done where the work is by feel, and RPE <= 7); one step down after
   two sessions under target; otherwise the same. Amber flags hold progression.
   Every ``deload_every_weeks``-th week is a deload: one rung down, one HIIT.
3. Whether to run it at all: a red flag (readiness, ratio above 1.5, monotony
   above 2, load up more than 30 % over two weeks) turns it into an easy run,
   or rest; so do the weekly HIIT cap and the 48 h spacing.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import TYPE_CHECKING

from hiitd.plan import ladders
from hiitd.plan.daily_load import LoadDay, load_days
from hiitd.plan.eligibility import Gate, gated
from hiitd.plan.plan_values import Flag, Kind, Recommendation, SessionEntry, Severity
from hiitd.plan.readiness import readiness, trend_flags

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.plan.plan_config import PlanConfig
    from hiitd.plan.plan_values import Checkin

ROTATION = (Kind.INTERVALS, Kind.HILLS, Kind.STRIDES, Kind.CIRCUIT)
HIIT_KINDS = frozenset(ROTATION)
BASE_UNTIL_MIN = 60.0  # under an hour of running a week: run/walk first
_H = 3600.0


def load_flags(day: LoadDay, cfg: PlanConfig) -> list[Flag]:
    """Guard-rail flags from today's load model."""
    flags: list[Flag] = []
    if day.acwr is not None and day.acwr > cfg.acwr_red:
        text = f"acute:chronic load ratio {day.acwr:.2f} is above {cfg.acwr_red:g}: load spike"
        flags.append(Flag("acwr_red", Severity.RED, text, day.acwr))
    elif day.acwr is not None and day.acwr > cfg.acwr_high:
        text = f"acute:chronic load ratio {day.acwr:.2f} is above {cfg.acwr_high:g}: hold the level"
        flags.append(Flag("acwr_high", Severity.AMBER, text, day.acwr))
    if day.monotony is not None and day.monotony > cfg.monotony_red:
        text = f"training monotony {day.monotony:.2f} is above {cfg.monotony_red:g}: vary, rest"
        flags.append(Flag("monotony", Severity.RED, text, day.monotony))
    two = day.two_week_change
    if two is not None and two > cfg.max_two_week_increase:
        text = (
            f"load up {100 * two:.0f} % over two weeks (hard stop above "
            f"{100 * cfg.max_two_week_increase:.0f} %)"
        )
        flags.append(Flag("load_jump", Severity.RED, text, two))
    one = day.week_change
    if one is not None and one > cfg.max_weekly_increase:
        text = (
            f"load up {100 * one:.0f} % on the week before (at most "
            f"{100 * cfg.max_weekly_increase:.0f} %): hold the level"
        )
        flags.append(Flag("load_up", Severity.AMBER, text, one))
    return flags


def _compliant(e: SessionEntry, cfg: PlanConfig) -> bool:
    # Work run by feel (Tabata, hill sprints, run/walk's one-minute runs, the
    # circuit) has no target to score: completing it is what counts.
    hit = (
        e.completed
        if e.work_unscored
        else (e.compliance_pct is not None and e.compliance_pct >= cfg.compliant_pct)
    )
    return hit and e.rpe is not None and e.rpe <= cfg.max_rpe_to_progress


def _missed(e: SessionEntry, cfg: PlanConfig) -> bool:
    if e.work_unscored:
        return not e.completed
    return e.compliance_pct is not None and e.compliance_pct < cfg.compliant_pct


def is_deload_week(history: Sequence[SessionEntry], cfg: PlanConfig, today: date) -> bool:
    """Every ``deload_every_weeks``-th week (Monday to Sunday) since the first session."""
    if not history:
        return False
    first = min(e.day for e in history)
    weeks = ((today - timedelta(days=today.weekday())) - (first - timedelta(first.weekday()))).days
    return weeks // 7 % cfg.deload_every_weeks == cfg.deload_every_weeks - 1


def _pick_kind(history: Sequence[SessionEntry], cfg: PlanConfig, why: list[str]) -> Kind:
    base_top = len(ladders.LADDERS[Kind.BASE])
    new_runner = cfg.experience == "none" or cfg.weekly_running_min < BASE_UNTIL_MIN
    graduated = (
        sum(
            1
            for e in history
            if e.protocol == Kind.BASE and e.step == base_top and _compliant(e, cfg)
        )
        >= cfg.sessions_to_progress
    )
    if new_runner and not graduated:
        why.append(
            f"new to running ({cfg.weekly_running_min:g} min a week, experience "
            f"{cfg.experience}): run/walk first, intervals come after the last base step"
        )
        return Kind.BASE
    last_done = {
        k: max((e.start_wall for e in history if e.protocol == k), default=-1.0) for k in ROTATION
    }
    kind = min(ROTATION, key=lambda k: (last_done[k], ROTATION.index(k)))
    if last_done[kind] < 0:
        why.append(f"variety: {kind.value} not done yet")
    else:
        why.append(f"variety: {kind.value} is the kind done longest ago")
    return kind


def _pick_step(
    kind: Kind, history: Sequence[SessionEntry], cfg: PlanConfig, hold: bool, why: list[str]
) -> int:
    done = [e for e in history if e.protocol == kind and e.step is not None]
    if not done:
        entry = ladders.entry_step(kind, cfg.experience)
        why.append(
            f"first {kind.value} session: entry step {entry} for experience {cfg.experience}"
        )
        return entry
    current = done[-1].step or 1
    top = len(ladders.LADDERS[kind])
    n = cfg.sessions_to_progress
    last = done[-n:]
    at_current = len(last) == n and all(e.step == current for e in last)
    if at_current and all(_compliant(e, cfg) for e in last) and current < top:
        if hold:
            why.append(f"ready for step {current + 1}, but held at step {current} (flags below)")
            return current
        why.append(
            f"{n} compliant sessions at step {current} (at least {cfg.compliant_pct:g} % in "
            f"target, RPE {cfg.max_rpe_to_progress} or lower): up one step"
        )
        return current + 1
    two = done[-2:]
    if len(two) == 2 and all(e.step == current and _missed(e, cfg) for e in two) and current > 1:
        why.append(f"targets missed twice at step {current}: one step back")
        return current - 1
    unrated = [e for e in last if e.step == current and e.rpe is None]
    if unrated:
        why.append(f"staying at step {current}: rate your sessions (RPE 0-10) to progress")
    else:
        why.append(f"staying at step {current}: {n} compliant sessions there move you up")
    return current


def recommend_next(
    history: Sequence[SessionEntry],
    checkins: Sequence[Checkin],
    cfg: PlanConfig,
    today: date,
    now_wall: float | None = None,
    *,
    gate: Gate | None = None,
) -> Recommendation:
    """The next session for ``today`` (``now_wall`` refines the 48 h spacing to the hour).

    ``gate`` (plan/eligibility.py): screening, age, medication and reported health.
    """
    # -- health and screening gate (plan/eligibility.py): no plan, or no HIIT, said why --
    if gate is not None:
        planned = recommend_next(history, checkins, gate.spaced(cfg), today, now_wall)
        return gated(gate, planned, cfg)
    # -- end of the gate --
    past = sorted((e for e in history if e.day <= today), key=lambda e: e.start_wall)
    load = load_days(past, cfg, today)[-1]
    ready = readiness(checkins, cfg, today)
    flags = [*ready.flags, *load_flags(load, cfg), *trend_flags(past, cfg, today)]
    red = [f for f in flags if f.severity is Severity.RED]
    why: list[str] = []
    kind = _pick_kind(past, cfg, why)
    step_no = _pick_step(kind, past, cfg, hold=bool(flags), why=why)
    deload = is_deload_week(past, cfg, today)
    if deload:
        step_no = max(1, step_no - 1)
        why.append(
            f"deload week (every {cfg.deload_every_weeks}th): one HIIT, one step down, "
            "20-30 % less work"
        )
    r = ladders.rung(kind, step_no)
    planned = Recommendation(
        workout=ladders.plan_name(kind, step_no),
        level=r.level,
        kind=kind,
        why=why,
        flags=flags,
        protocol=kind.value,
        step=step_no,
        steps=len(ladders.LADDERS[kind]),
        description=ladders.describe(r),
        deload=deload,
    )
    why.extend(f.text for f in flags if f.severity is Severity.AMBER)
    if red:
        return _instead(planned, cfg, [f.text for f in red], rest=_needs_rest(red))
    return _spacing(planned, past, cfg, today, now_wall)


def _needs_rest(red: Sequence[Flag]) -> bool:
    codes = {f.code for f in red}
    # Monotony falls with a day off, not with another run; raised HR and low HRV
    # together look like illness.
    return "monotony" in codes or {"hrv_low", "resting_hr_high"} <= codes


def _spacing(
    planned: Recommendation,
    past: Sequence[SessionEntry],
    cfg: PlanConfig,
    today: date,
    now_wall: float | None,
) -> Recommendation:
    week = [e for e in past if e.hiit and e.day > today - timedelta(days=7)]
    cap = 1 if planned.deload else cfg.max_hiit_per_week
    if planned.kind in HIIT_KINDS and len(week) >= cap:
        first = min(e.start_wall for e in week)
        reason = f"{len(week)} HIIT sessions in the last 7 days (at most {cap})"
        return _instead(planned, cfg, [reason], not_before=first + 7 * 24 * _H)
    hard = [e for e in past if e.hiit or e.protocol == Kind.BASE]
    if hard:
        last = hard[-1]
        gap_h = (
            (now_wall - last.start_wall) / _H
            if now_wall is not None
            else (today - last.day).days * 24.0
        )
        if gap_h < cfg.min_hours_between_hiit:
            least = cfg.min_hours_between_hiit
            reason = f"last hard session {gap_h:.0f} h ago (at least {least:g} h apart)"
            not_before = last.start_wall + cfg.min_hours_between_hiit * _H
            return _instead(planned, cfg, [reason], not_before=not_before)
    return planned


def _instead(
    planned: Recommendation,
    cfg: PlanConfig,
    reasons: list[str],
    *,
    rest: bool = False,
    not_before: float | None = None,
) -> Recommendation:
    """An easy run (or rest) in place of the planned session, saying why and what waits."""
    why = [
        *reasons,
        f"next {planned.kind.value} session: {planned.workout} ({planned.description})",
    ]
    why += [w for w in planned.why if w not in why]
    if rest:
        return Recommendation(
            None,
            None,
            Kind.REST,
            ["rest day: " + reasons[0], *why[1:]],
            planned.flags,
            deload=planned.deload,
            hiit_not_before=not_before,
        )
    return Recommendation(
        workout=ladders.easy_name(cfg.easy_run_min),
        level="beginner",
        kind=Kind.EASY,
        why=[f"easy run instead: {reasons[0]}", *why[1:]],
        flags=planned.flags,
        description=f"{cfg.easy_run_min} min easy, conversational",
        deload=planned.deload,
        hiit_not_before=not_before,
    )
