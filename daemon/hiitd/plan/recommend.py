"""``recommend_next``: today's session in the week's plan, its rung, and why. Pure.

Time is an argument. The week (docs/training.md, "A weekly structure"):

1. **The week's days.** ``days_per_week`` training days, spread: after a
   training day comes a rest day while the week has more days left than
   training days; once they are done, rest.
2. **The week's running time** (``week_plan.week_budget``): the 7 days ending
   today and the calendar week may grow by at most 10 % or 10 min over the
   week before and never above 1.3 x the four weeks' mean; a deload week
   plans 75 % of it; after a break it restarts at 75 % (50 % after four
   weeks) of the volume before. A session that does not fit is not given.
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
   HIIT and in a deload week, else ``max_hiit_per_week``; 48 h apart (72 h
   from ``older_age``).
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
from hiitd.plan.week_plan import WeekBudget, planned_minutes, running_minutes, week_budget

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.plan.plan_config import PlanConfig
    from hiitd.plan.plan_values import Checkin

HIIT_ROTATION = (Kind.HILLS, Kind.INTERVALS)  # hill strides come before vVO2max reps
HIIT_KINDS = frozenset(HIIT_ROTATION)  # what the weekly HIIT cap counts
BASE_UNTIL_MIN = 30.0  # under half an hour of running a week: run/walk first
QUALITY_RESERVE_MIN = QUALITY_SESSION_MIN  # kept for each quality session later in the week
MAKE_UP = 0.25  # an easy run may be this much over the week's even share, no more
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


def _hiit_cap(past: Sequence[SessionEntry], cfg: PlanConfig, today: date, deload: bool) -> int:
    first = min((e.day for e in past if e.hiit), default=None)
    if deload:
        return min(1, cfg.max_hiit_per_week)
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
) -> tuple[str, float | None] | None:
    """Why no HIIT today (the cap or the spacing) and when the next may be; None: allowed."""
    week = [e for e in past if e.hiit and e.day > today - timedelta(days=7)]
    cap = _hiit_cap(past, cfg, today, deload)
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
        if gap_h < least:
            reason = f"last HIIT {gap_h:.0f} h ago (at least {least:g} h apart)"
            return reason, last.start_wall + least * _H
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
    deload = is_deload_week(past, cfg, today)
    week = week_budget(
        past, cfg, today, deload=deload, was_deload=lambda d: is_deload_week(past, cfg, d)
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

    days_left = 7 - today.weekday()
    sessions_left = cfg.days_per_week - week.training_days
    if any(e.day == today for e in past):
        return rest("today's session is done")
    if sessions_left <= 0:
        return rest(f"this week's {cfg.days_per_week} training days are done")
    if week.trained_yesterday and days_left > sessions_left:
        return rest(
            f"a rest day between training days ({sessions_left} of {cfg.days_per_week} left, "
            f"{days_left} days left in the week)"
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
    later = range(index + 1, last_run_day)  # with four days or more the last is the circuit's
    quality_later = sum(1 for i in later if i % 2 == 0)
    easy_runs = 1 + sum(1 for i in later if i % 2 == 1)
    reserved = QUALITY_RESERVE_MIN * quality_later
    spread = (week.target - week.done - reserved) / max(1, easy_runs)
    # Missed runs are not made up: no easy run longer than a quarter over the week's
    # even share (a long catch-up run on Sunday would starve the next week's days).
    even = week.target / max(1, last_run_day) * (1.0 + MAKE_UP)
    share = min(left, spread, even, float(cfg.easy_run_min))
    share = max(share, min(left, float(ladders.EASY_MIN)))

    def easy(minutes: float, reason: str, not_before: float | None = None) -> Recommendation:
        m = round(minutes / ladders.EASY_STEP) * ladders.EASY_STEP
        if m > left:
            m -= ladders.EASY_STEP
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
        if rec.step is not None and fits(Kind.BASE, rec.step):
            return rec
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
            blocked = _hiit_blocked(before, cfg, today, now_wall, deload=deload, older=older)
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
        if share < goal <= left:
            return easy(goal, f"building a continuous run: {goal:.0f} min (5 more than before)")
        if left < goal:
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


def _needs_rest(red: Sequence[Flag]) -> bool:
    codes = {f.code for f in red}
    # Monotony falls with a day off, not with another run; raised HR and low HRV
    # together look like illness.
    return "monotony" in codes or {"hrv_low", "resting_hr_high"} <= codes


def week_running(history: Sequence[SessionEntry], first: date, last: date) -> float:
    """Running minutes from ``first`` to ``last`` (inclusive)."""
    return sum(running_minutes(e) for e in history if first <= e.day <= last)
