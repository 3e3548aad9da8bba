"""``recommend_next``: today's session in the week's plan, its rung, and why. Pure.

Time is an argument. The week (docs/training.md, "A weekly structure"):

1. **The week's days.** ``days_per_week`` training days on the same weekdays
   every week (``training_weekdays``: 3 are Monday, Wednesday, Friday); a
   first session (or the first after a week without one) is today; a day left
   out is not made up, so the pattern never drifts.
2. **The week's running time** (``week_plan.week_budget``): the calendar week
   may grow by at most 10 % or 10 min over the week before (the one before that
   after a lowered week: a deload, a missed run) and never above 1.3 x the four
   weeks' mean; no 7 days hold more than the larger of that and the same rule on
   the 7 days before; a deload week plans 75 % of it; after a break it restarts
   at 75 % (50 % after four weeks) of the volume before and grows back to it by
   the weekly rule. A session that does not fit is not given.
3. **Which session.** Training days alternate a quality slot and an easy run.
   A non-runner runs/walks (48 h apart) until the top base rung is done
   twice, then runs easy until ``continuous_run_min`` continuous minutes were
   run twice; strides come next, then HIIT (hill strides first, then the
   intervals' vVO2max reps). In a quality slot: HIIT (intervals or hills, the
   kind done longest ago) when the cap and the spacing allow it, else strides
   (once a week), else the strength circuit (once a week; on the last
   training day when there are four or more). Strides and the circuit are not
   HIIT. The easy run's length is the week's remaining running time shared
   over its remaining training days (5-minute steps, at most ``easy_run_min``).
4. **HIIT caps.** One HIIT a week in the first ``first_hiit_weeks`` weeks of
   HIIT (not for ``advanced``), in the first two weeks back from a break and in
   a deload week, else ``max_hiit_per_week``; 48 h apart (72 h from
   ``older_age``), counted in days (2 h grace).
5. **Which rung.** The entry rung for the questionnaire's experience (one
   level lower from ``older_age``; never maximal sprints or bounds); up one
   after ``sessions_to_progress`` sessions in target with RPE <= 7; held after
   a missed or too-hard (RPE >= 9) session or an amber flag; one back after two
   missed or too-hard sessions; after a break one rung back (two after four
   weeks). A deload week keeps the rung.
6. **Red flags** (readiness, load spike, two-week load jump, monotony) give a
   rest day or an easy run of half the planned length: never more load.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from datetime import date, timedelta
from typing import TYPE_CHECKING

from hiitd.plan import ladders
from hiitd.plan.daily_load import CHRONIC_DAYS, LoadDay, load_days
from hiitd.plan.eligibility import QUALITY_SESSION_MIN, Gate, gated
from hiitd.plan.plan_values import Flag, Kind, Recommendation, SessionEntry, Severity
from hiitd.plan.readiness import readiness, trend_flags
from hiitd.plan.week_plan import (
    Restart,
    WeekBudget,
    find_break,
    planned_minutes,
    running_minutes,
    week_budget,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hiitd.plan.plan_config import PlanConfig
    from hiitd.plan.plan_values import Checkin

HIIT_ROTATION = (Kind.HILLS, Kind.INTERVALS)  # hill strides come before vVO2max reps
HIIT_KINDS = frozenset(HIIT_ROTATION)  # what the weekly HIIT cap counts
BASE_UNTIL_MIN = 30.0  # under half an hour of running a week: run/walk first
QUALITY_RESERVE_MIN = QUALITY_SESSION_MIN  # kept for each HIIT session later in the week
STRIDES_RESERVE_MIN = 25.0  # kept for a strides session later in the week (21-30 min)
MAKE_UP = 0.25  # an easy run may be this much over the week's even share, no more
# The first days back from a break (``break_days`` or more): one HIIT a week, no deload.
BACK_EASIER_DAYS = 14
SPACING_GRACE_H = 2.0  # "48 h apart" is two days: Wednesday 06:55 follows Monday 07:05
RED_FLAG_SHARE = 0.67  # a red flag's easy run: two thirds of the planned one, or rest
_H = 3600.0


def load_flags(day: LoadDay, cfg: PlanConfig, *, unseeded: bool = False) -> list[Flag]:
    """Guard-rail flags from today's load model (the minutes rules are ``week_plan``'s).

    Below the starting volume (``min_weekly_run_min`` at ``easy_rpe``) a ratio of
    small numbers says nothing (a non-runner's first run/walk is a ratio of 3):
    the load ratio and the two-week jump are not flagged there, nor in the first
    28 days (the chronic span) of a runner whose questionnaire seed is below it
    (``unseeded``); the minutes rules still hold the volume.
    """
    flags: list[Flag] = []
    floor = cfg.min_weekly_run_min * cfg.easy_rpe / 7.0  # AU a day
    ratio = None if day.chronic_ewma < floor or unseeded else day.acwr
    if ratio is not None and ratio > cfg.acwr_red:
        text = f"acute:chronic load ratio {ratio:.2f} is above {cfg.acwr_red:g}: load spike"
        flags.append(Flag("acwr_red", Severity.RED, text, ratio))
    elif ratio is not None and ratio > cfg.acwr_high:
        text = f"acute:chronic load ratio {ratio:.2f} is above {cfg.acwr_high:g}: hold the level"
        flags.append(Flag("acwr_high", Severity.AMBER, text, ratio))
    if day.monotony is not None and day.monotony > cfg.monotony_red:
        text = f"training monotony {day.monotony:.2f} is above {cfg.monotony_red:g}: vary, rest"
        flags.append(Flag("monotony", Severity.RED, text, day.monotony))
    two = day.two_week_change
    if (
        two is not None
        and two > cfg.max_two_week_increase
        and day.week_load / (1.0 + two) >= 7 * floor
        and not unseeded
    ):
        text = (
            f"load up {100 * two:.0f} % over two weeks (more than "
            f"{100 * cfg.max_two_week_increase:.0f} %): hold the level"
        )
        flags.append(Flag("load_jump", Severity.AMBER, text, two))
    return flags


def _compliant(e: SessionEntry, cfg: PlanConfig) -> bool:
    # Work run by feel (hill sprints, run/walk's one-minute runs, the circuit) has
    # no target to score: completing it is what counts.
    hit = (
        e.completed
        if e.work_unscored
        else (e.compliance_pct is not None and e.compliance_pct >= cfg.compliant_pct)
    )
    return hit and e.rpe is not None and e.rpe <= cfg.max_rpe_to_progress


def _missed(e: SessionEntry, cfg: PlanConfig) -> bool:
    """Targets missed, not finished, or rated too hard (RPE >= ``too_hard_rpe``)."""
    if e.rpe is not None and e.rpe >= cfg.too_hard_rpe:
        return True
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


def _lowered_weeks(
    past: Sequence[SessionEntry], cfg: PlanConfig, today: date
) -> Callable[[date], bool]:
    """Whether a day's calendar week was lowered: a deload, or fewer training days than
    ``days_per_week`` (a run missed, a cold, a red flag's rest) since the first session."""
    this_monday = today - timedelta(days=today.weekday())
    first = min((e.day for e in past), default=today)
    trained: dict[date, set[date]] = {}
    for e in past:
        trained.setdefault(e.day - timedelta(days=e.day.weekday()), set()).add(e.day)

    def lowered(d: date) -> bool:
        monday = d - timedelta(days=d.weekday())
        if is_deload_week(past, cfg, d):
            return True
        if monday >= this_monday or monday + timedelta(days=6) < first:
            return False  # this week, or a week of the questionnaire's seed
        return len(trained.get(monday, ())) < cfg.days_per_week

    return lowered


def new_runner(cfg: PlanConfig) -> bool:
    """Not running yet (or under an hour a week): run/walk, then continuous runs, first."""
    return cfg.experience == "none" or cfg.weekly_running_min < BASE_UNTIL_MIN


@dataclass(frozen=True, slots=True)
class Stage:
    """How far along the steps of intensity the runner is."""

    base: bool  # still on run/walk
    strides: bool  # strides allowed
    hiit: bool  # HIIT allowed
    why: str
    building: bool = False  # a new runner building up to continuous_run_min


def stage(history: Sequence[SessionEntry], cfg: PlanConfig) -> Stage:
    """Run/walk, then continuous easy runs, then strides, then HIIT."""
    n = cfg.sessions_to_progress
    if cfg.experience in {"intermediate", "advanced"} and not new_runner(cfg):
        return Stage(False, True, True, "")
    if new_runner(cfg):
        top = len(ladders.LADDERS[Kind.BASE])
        done_top = sum(
            1 for e in history if e.protocol == Kind.BASE and e.step == top and _compliant(e, cfg)
        )
        if done_top < n:
            return Stage(
                True,
                False,
                False,
                f"new to running ({cfg.weekly_running_min:g} min a week, experience "
                f"{cfg.experience}): run/walk until step {top} is done {n} times",
            )
        continuous = sum(
            1
            for e in history
            if e.protocol in {None, Kind.STRIDES.value} and e.minutes >= cfg.continuous_run_min
        )
        if continuous < 2:
            return Stage(
                False,
                False,
                False,
                f"continuous easy running first: {cfg.continuous_run_min:g} min twice "
                f"({continuous} so far) before strides and intervals",
                building=True,
            )
    strides = sum(1 for e in history if e.protocol == Kind.STRIDES.value)
    if strides < n:
        return Stage(
            False,
            True,
            False,
            f"strides before intervals: {n} strides sessions first ({strides} so far)",
        )
    return Stage(False, True, True, "")


def _pick_step(
    kind: Kind,
    history: Sequence[SessionEntry],
    cfg: PlanConfig,
    week: WeekBudget,
    *,
    hold: bool,
    older: bool,
    why: list[str],
) -> int:
    done = [e for e in history if e.protocol == kind and e.step is not None]
    if not done:
        entry = ladders.entry_step(kind, cfg.experience, older=older)
        note = f" (one level lower from age {cfg.older_age})" if older else ""
        why.append(
            f"first {kind.value} session: entry step {entry} for experience {cfg.experience}{note}"
        )
        return entry
    current = done[-1].step or 1
    restart = week.restart
    if restart is not None and done[-1].day <= restart.last_run:
        back = max(1, current - restart.rungs_back)
        why.append(
            f"{restart.days_off} days without running: {kind.value} {current - back} "
            f"step(s) back, to step {back}"
        )
        return back
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
        why.append(
            f"targets missed or too hard (RPE {cfg.too_hard_rpe}+) twice at step {current}: "
            "one step back"
        )
        return current - 1
    if _missed(done[-1], cfg):
        why.append(
            f"staying at step {current}: the last session missed its targets or was too hard"
        )
    elif any(e.step == current and e.rpe is None for e in last):
        why.append(f"staying at step {current}: rate your sessions (RPE 0-10) to progress")
    else:
        why.append(f"staying at step {current}: {n} compliant sessions there move you up")
    return current


def _rung_rec(
    kind: Kind, step_no: int, why: list[str], flags: list[Flag], week: WeekBudget
) -> Recommendation:
    r = ladders.rung(kind, step_no)
    return Recommendation(
        workout=ladders.plan_name(kind, step_no),
        level=r.level,
        kind=kind,
        why=why,
        flags=flags,
        protocol=kind.value,
        step=step_no,
        steps=len(ladders.LADDERS[kind]),
        description=ladders.describe(r),
        deload=week.deload,
        week=week.to_payload(),
    )


def _hiit_cap(
    past: Sequence[SessionEntry],
    cfg: PlanConfig,
    today: date,
    *,
    deload: bool,
    back: Restart | None,
) -> int:
    """One HIIT a week in a deload, in the first two weeks back from a break and in the
    first weeks of HIIT, else the setting.

    The first weeks of HIIT count from the first HIIT in the history (imported
    interval runs included: store/plan_history.py); ``experience = "advanced"``
    (regular interval training) has had them already.
    """
    first = min((e.day for e in past if e.hiit), default=None)
    if deload:
        return min(1, cfg.max_hiit_per_week)
    if back is not None and (today - back.back).days < BACK_EASIER_DAYS:
        return min(1, cfg.max_hiit_per_week)  # the first two weeks back from a break
    if cfg.experience == "advanced":
        return cfg.max_hiit_per_week
    if first is None or (today - first).days < 7 * cfg.first_hiit_weeks:
        return min(1, cfg.max_hiit_per_week)
    return cfg.max_hiit_per_week


def _hiit_blocked(
    past: Sequence[SessionEntry],
    cfg: PlanConfig,
    today: date,
    now_wall: float | None,
    *,
    deload: bool,
    older: bool,
    back: Restart | None,
) -> tuple[str, float | None] | None:
    """Why no HIIT today (the cap or the spacing) and when the next may be; None: allowed."""
    week = [e for e in past if e.hiit and e.day > today - timedelta(days=7)]
    cap = _hiit_cap(past, cfg, today, deload=deload, back=back)
    if len(week) >= cap:
        first = min((e.start_wall for e in week), default=None)
        reason = f"{len(week)} HIIT sessions in the last 7 days (at most {cap} this week)"
        return reason, None if first is None else first + 7 * 24 * _H
    hard = [e for e in past if e.hiit]
    if hard:
        least = cfg.min_hours_between_hiit_older if older else cfg.min_hours_between_hiit
        last = hard[-1]
        gap_h = (
            (now_wall - last.start_wall) / _H
            if now_wall is not None
            else (today - last.day).days * 24.0
        )
        if gap_h + SPACING_GRACE_H < least:
            reason = f"last HIIT {gap_h:.0f} h ago (at least {least:g} h apart)"
            return reason, last.start_wall + (least - SPACING_GRACE_H) * _H
    return None


def recommend_next(
    history: Sequence[SessionEntry],
    checkins: Sequence[Checkin],
    cfg: PlanConfig,
    today: date,
    now_wall: float | None = None,
    *,
    age: int | None = None,
    gate: Gate | None = None,
) -> Recommendation:
    """Today's session (``now_wall`` refines the HIIT spacing to the hour; ``age`` from
    ``[athlete]`` sets the spacing and the entry rungs from ``older_age``).

    ``gate`` (plan/eligibility.py): screening, age, medication and reported health.
    """
    # -- health and screening gate (plan/eligibility.py): no plan, or no HIIT, said why --
    if gate is not None:
        planned = recommend_next(history, checkins, gate.spaced(cfg), today, now_wall, age=age)
        return gated(gate, planned, cfg)
    # -- end of the gate --
    past = sorted((e for e in history if e.day <= today), key=lambda e: e.start_wall)
    before = [e for e in past if e.day < today]
    older = age is not None and age >= cfg.older_age
    load = load_days(past, cfg, today)[-1]
    ready = readiness(checkins, cfg, today)
    first = min((e.day for e in past), default=today)
    unseeded = (
        cfg.weekly_running_min < cfg.min_weekly_run_min and (today - first).days < CHRONIC_DAYS
    )
    flags = [
        *ready.flags,
        *load_flags(load, cfg, unseeded=unseeded),
        *trend_flags(past, cfg, today),
    ]
    red = [f for f in flags if f.severity is Severity.RED]
    amber = [f.text for f in flags if f.severity is Severity.AMBER]
    # No deload in the first two weeks back from a break: the break was the rest.
    back = find_break(before, cfg, today)
    deload = is_deload_week(past, cfg, today) and (
        back is None or (today - back.back).days >= BACK_EASIER_DAYS
    )
    week = week_budget(
        past, cfg, today, deload=deload, was_lowered=_lowered_weeks(past, cfg, today)
    )
    why: list[str] = []
    if deload:
        why.append(
            f"deload week (every {cfg.deload_every_weeks}th): {100 * cfg.deload_volume:.0f} % of "
            "the running time, one HIIT, the same rung"
        )
    st = stage(before, cfg)
    if st.why:
        why.append(st.why)

    def rest(reason: str, not_before: float | None = None) -> Recommendation:
        return Recommendation(
            None,
            None,
            Kind.REST,
            [f"rest day: {reason}", *why, *amber],
            flags,
            deload=deload,
            hiit_not_before=not_before,
            week=week.to_payload(),
        )

    sessions_left = cfg.days_per_week - week.training_days
    if any(e.day == today for e in past):
        return rest("today's session is done")
    if sessions_left <= 0:
        return rest(f"this week's {cfg.days_per_week} training days are done")
    # The same days every week: the 7 days ending on any day then hold the same number
    # of runs, so the rolling limit and the calendar week agree. A day left out (missed,
    # or rest for a flag or a spent budget) is not made up: a make-up day moved the next
    # week's pattern on by a day, its rolling 7 days then held four runs and the planned
    # day was spent, and so on week after week.
    days = training_weekdays(cfg.days_per_week)
    weekday = today.weekday()
    # A first session, or the first after a week or more without one, is today.
    starting = not any(e.day > today - timedelta(days=7) for e in before)
    if weekday in days and week.trained_yesterday and weekday - 1 not in days:
        return rest("a rest day after yesterday's session (the first after a pause)")
    if weekday not in days and not starting:
        following = next((d for d in days if d > weekday), None)
        after = "next Monday" if following is None else f"next on {_DAYS[following]}"
        return rest(
            f"the week's training days are {_day_names(days)} ({after}); "
            "a day left out is not made up"
        )
    if st.base:
        last_base = [e for e in before if e.protocol == Kind.BASE]
        if last_base and (today - last_base[-1].day).days < 2:
            return rest("run/walk sessions 48 h apart")
    left = week.left
    budget_text = (
        f"running this week: {week.done:.0f} of {week.target:.0f} min done, {left:.0f} min "
        f"left today ({'; '.join(week.reasons)})"
    )
    why.append(budget_text)
    # The week's time left, less what its quality sessions left take, over its easy
    # runs left; when that is under the shortest run, fewer runs of the shortest
    # length (while the budget lasts).
    index = week.training_days  # 0-based: this week's how-many-th training day
    last_run_day = cfg.days_per_week - 1 if cfg.days_per_week >= 4 else cfg.days_per_week
    # The training days after today: the pattern's days left this week (a day left out
    # is not made up), with four days or more the last being the circuit's.
    days_after = sum(1 for d in days if d > weekday)
    later = range(index + 1, min(last_run_day, index + 1 + days_after))
    # Quality slots later in the week keep their time only when they can hold a
    # quality session: none before strides (they are easy runs too), else as many as
    # the HIIT cap still allows plus one strides session if none was run in 7 days.
    quality_later = sum(1 for i in later if i % 2 == 0)
    strided = any(
        e.protocol == Kind.STRIDES.value and e.day > today - timedelta(days=7) for e in before
    )
    strides_later = 0 if strided or not st.strides else 1  # a strides session to come
    hiit_later = 0
    if st.hiit:  # and the HIIT sessions the week's cap still allows
        hard = sum(1 for e in before if e.hiit and e.day > today - timedelta(days=7))
        hiit_later = max(0, _hiit_cap(before, cfg, today, deload=deload, back=back) - hard)
    quality_later = min(quality_later, hiit_later + strides_later)
    easy_runs = 1 + len(later) - quality_later
    hiit_reserved = min(quality_later, hiit_later)
    reserved = QUALITY_RESERVE_MIN * hiit_reserved + STRIDES_RESERVE_MIN * (
        quality_later - hiit_reserved
    )
    spread = (week.target - week.done - reserved) / max(1, easy_runs)
    # Missed runs are not made up: no easy run longer than a quarter over the week's
    # even share of its easy days (a long catch-up run on Sunday would starve the next
    # week's days). The share is the week's time less its quality sessions' over its
    # easy days: over all its run days, the easy runs of a runner with two HIIT
    # sessions (20-40 min each) left the week short, and the next week's growth counts
    # from what was run, so the volume fell week after week.
    quality_all = sum(1 for i in range(last_run_day) if i % 2 == 0)
    if not st.hiit:
        quality_all = min(quality_all, 1 if st.strides else 0)
    easy_all = max(1, last_run_day - quality_all)
    per_day = max(
        week.target / max(1, last_run_day),
        (week.target - QUALITY_RESERVE_MIN * quality_all) / easy_all,
    )
    even = per_day * (1.0 + MAKE_UP)
    share = min(left, spread, even, float(cfg.easy_run_min))
    share = max(share, min(left, float(ladders.EASY_MIN)))

    def easy(minutes: float, reason: str, not_before: float | None = None) -> Recommendation:
        m = ladders.easy_minutes(min(minutes, left))
        if m < ladders.EASY_MIN:
            return rest(f"the week's running time is spent ({left:.0f} min left)", not_before)
        return Recommendation(
            workout=ladders.easy_name(m),
            level="beginner",
            kind=Kind.EASY,
            why=[f"easy run {m} min: {reason}", *why, *amber],
            flags=flags,
            description=f"{m} min easy, conversational",
            deload=deload,
            hiit_not_before=not_before,
            week=week.to_payload(),
        )

    if red:
        reasons = "; ".join(f.text for f in red)
        if _needs_rest(red) or st.base:
            return rest(reasons)
        if share < ladders.EASY_MIN:
            return rest(reasons)
        short = max(float(ladders.EASY_MIN), share * RED_FLAG_SHARE)
        return easy(short, f"a shorter run than planned ({share:.0f} min): {reasons}")

    def fits(kind: Kind, step_no: int) -> bool:
        return planned_minutes(kind, step_no) <= left + 0.5

    def rung_of(kind: Kind) -> Recommendation:
        rwhy: list[str] = []
        step_no = _pick_step(kind, before, cfg, week, hold=bool(amber), older=older, why=rwhy)
        return _rung_rec(kind, step_no, [*rwhy, *why, *amber], flags, week)

    if st.base:
        rec = rung_of(Kind.BASE)
        for lower in range(rec.step or 1, 0, -1):  # the rung, else the highest that fits
            if fits(Kind.BASE, lower):
                if lower == rec.step:
                    return rec
                text = f"run/walk step {lower}: step {rec.step} does not fit {left:.0f} min left"
                return _rung_rec(Kind.BASE, lower, [text, *rec.why], flags, week)
        return rest(f"the week's running time is spent ({left:.0f} min left)")

    recent = {e.protocol for e in before if e.day > today - timedelta(days=7)}
    circuit_day = cfg.days_per_week >= 4 and index == cfg.days_per_week - 1
    not_before: float | None = None
    if circuit_day and Kind.CIRCUIT.value not in recent:
        rec = rung_of(Kind.CIRCUIT)
        rec.why.insert(0, "strength: the circuit once a week, on the week's last training day")
        return rec
    if index % 2 == 0:
        blocked = None
        if st.hiit:
            blocked = _hiit_blocked(
                before, cfg, today, now_wall, deload=deload, older=older, back=back
            )
            if blocked is None:
                last = {
                    k: max((e.start_wall for e in before if e.protocol == k), default=-1.0)
                    for k in HIIT_ROTATION
                }
                order = sorted(HIIT_ROTATION, key=lambda k: (last[k], HIIT_ROTATION.index(k)))
                kind = order[0]
                rec = rung_of(kind)
                if rec.step is not None and fits(kind, rec.step):
                    rec.why.insert(0, f"HIIT: {kind.value}, the kind done longest ago")
                    return rec
                text = (
                    f"{rec.workout} ({planned_minutes(kind, rec.step or 1):.0f} min) does not "
                    f"fit the {left:.0f} min of running left"
                )
                # A week with less room (a restart, a deload): the other kind, or the
                # rung below, when it fits; a shorter session, never a longer week.
                for other in order:
                    alt = rung_of(other) if other is not kind else rec
                    for n in (alt.step, (alt.step or 1) - 1):
                        if n is not None and n >= 1 and fits(other, n):
                            fitted = (
                                alt
                                if n == alt.step
                                else _rung_rec(other, n, list(alt.why), flags, week)
                            )
                            fitted.why.insert(0, f"HIIT: {other.value}, one that fits: {text}")
                            return fitted
                blocked = (text, None)
            not_before = blocked[1]
        if st.strides and Kind.STRIDES.value not in recent:
            rec = rung_of(Kind.STRIDES)
            if rec.step is not None and fits(Kind.STRIDES, rec.step):
                head = "strides once a week (not HIIT)"
                if blocked is not None:
                    head += f"; no HIIT today: {blocked[0]}"
                rec.why.insert(0, head)
                return replace(rec, hiit_not_before=not_before)
        if st.strides and Kind.CIRCUIT.value not in recent and left < ladders.EASY_MIN:
            rec = rung_of(Kind.CIRCUIT)
            rec.why.insert(
                0, "strength: the circuit once a week (not HIIT, no running time left this week)"
            )
            return rec
        if blocked is not None:
            # The quality slot's time as an easy run (not the easy days' share).
            slot = max(share, min(left, QUALITY_RESERVE_MIN))
            return easy(slot, f"no HIIT today: {blocked[0]}", not_before)
    if st.building:
        # Fewer, longer runs: 5 minutes more than the longest continuous run so far,
        # up to continuous_run_min, while the week's time lasts.
        longest = max((e.minutes for e in before if e.protocol is None), default=5.0)
        goal = min(longest + ladders.EASY_STEP, cfg.continuous_run_min)
        # Only while the week's other runs keep their shortest length: one long run
        # and no third run is less running, not more.
        room = left - (easy_runs - 1) * ladders.EASY_MIN
        if share < goal <= room:
            return easy(goal, f"building a continuous run: {goal:.0f} min (5 more than before)")
        if room < goal and share < ladders.EASY_MIN:
            # No room for a longer run this week: the same again (consolidating it
            # keeps the week's running time growing), or rest when even that is too long.
            again = min(longest, left)
            if again >= ladders.EASY_MIN:
                return easy(
                    again,
                    f"the week has {left:.0f} min left, not the {goal:.0f} of a longer run: "
                    f"{again:.0f} min continuous again",
                )
            return rest(
                f"keeping the week's running time ({left:.0f} min left today) for a "
                f"{goal:.0f}-minute continuous run"
            )
    return easy(share, "the week's running time shared over its training days left")


_DAYS = ("Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday", "Sunday")


def training_weekdays(days_per_week: int) -> tuple[int, ...]:
    """The week's training days (0 = Monday), spread evenly: 3 are Monday, Wednesday and
    Friday (the quality days, Monday and Friday, 72 h apart across the weekend), 4 are
    Monday, Tuesday, Thursday and Saturday."""
    n = max(1, min(7, days_per_week))
    return tuple(i * 7 // n for i in range(n))


def _day_names(days: Sequence[int]) -> str:
    return ", ".join(_DAYS[d] for d in days)


def _needs_rest(red: Sequence[Flag]) -> bool:
    codes = {f.code for f in red}
    # Monotony falls with a day off, not with another run; raised HR and low HRV
    # together look like illness.
    return "monotony" in codes or {"hrv_low", "resting_hr_high"} <= codes


def week_running(history: Sequence[SessionEntry], first: date, last: date) -> float:
    """Running minutes from ``first`` to ``last`` (inclusive)."""
    return sum(running_minutes(e) for e in history if first <= e.day <= last)
