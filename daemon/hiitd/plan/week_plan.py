"""The week's running budget: how many minutes of running today may add. Pure.

Running time is the planner's volume (docs/training.md, "A weekly structure"):
the moving minutes of every session but the strength circuit, and of a run/walk
session its running minutes only. Before the first recorded session the
questionnaire's ``weekly_running_min`` stands in, spread over every day, so the
first week is compared with what the runner did before, as the load model's
seed is (``daily_load``).

The rules, for the calendar week (Monday to Sunday) the plan lays out and, as a
guard, for the 7 days ending on any day (rolling: at most the larger of the
calendar week's target and the rules applied to the window):

- at most the 7 days before plus ``max_weekly_increase`` (10 %) or
  ``max_weekly_increase_min`` (10 min), whichever is larger;
- never above ``max_four_week_ratio`` (1.3) x the mean of the four weeks before;
- always at least ``min_weekly_run_min`` (a non-runner's first weeks);
- in the first week the questionnaire's days count in the comparisons only: the
  calendar week's target is the limit (it is a weekly figure, not a daily one);
- a deload week (``recommend.is_deload_week``) plans ``deload_volume`` of it; after
  a lowered week (a deload, or fewer training days than planned) growth counts from
  the week before it, when that was more;
- after a break (``break_days`` without running) the restart volume is
  ``break_restart`` (75 %) of the level before it (its last 7 days, or its four
  weeks' mean when that was more), after ``long_break_days``
  ``long_break_restart`` (50 %): it is the budget of the first week back (the
  growth rule would give 10 minutes) and a floor for the four weeks after it, in
  which the weeks grow by the weekly rule back up to that level (the four-week
  mean still holds the break's zeros).
"""

from __future__ import annotations

import functools
from dataclasses import dataclass
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hiitd.coach.workout_model import DurationType
from hiitd.plan import ladders
from hiitd.plan.plan_values import Kind

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hiitd.plan.plan_config import PlanConfig
    from hiitd.plan.plan_values import SessionEntry


def running_minutes(e: SessionEntry) -> float:
    """The running time of a session: 0 for the circuit, the runs of a run/walk."""
    if e.protocol == Kind.CIRCUIT.value:
        return 0.0
    if e.protocol == Kind.BASE.value and e.step is not None:
        runs = ladders.rung(Kind.BASE, e.step).repeats[0]  # one-minute runs
        return min(e.minutes, float(runs))
    return e.minutes


@functools.cache
def planned_minutes(kind: Kind, step_no: int) -> float:
    """The running time a rung plans (its timed steps; the runs only of a run/walk)."""
    if kind is Kind.CIRCUIT:
        return 0.0
    if kind is Kind.BASE:
        return float(ladders.rung(Kind.BASE, step_no).repeats[0])
    w = ladders.rung_workout(kind, step_no)
    seconds = sum(
        p.step.duration.value or 0.0
        for p in w.expand()
        if p.step.duration.type is DurationType.TIME
    )
    return seconds / 60.0


@dataclass(frozen=True, slots=True)
class Restart:
    """A break in running and where the plan restarts after it."""

    last_run: date  # the last running day before the break
    back: date  # the first day back (today, while it lasts)
    days_off: int
    rungs_back: int
    volume: float  # the restart week's running minutes
    pre_volume: float  # the 7 days ending on the last run (or the four weeks' mean, if more)


@dataclass(frozen=True, slots=True)
class WeekBudget:
    """Today's place in the week and its running budget, minutes."""

    monday: date
    target: float  # the calendar week's planned running time (after a deload's cut)
    done: float  # run this calendar week before today
    rolling_cap: float  # the 7 days ending today may hold this much
    rolling_done: float  # run in the 6 days before today
    training_days: int  # days with a session this week before today
    trained_yesterday: bool  # ran yesterday (the circuit is not a run)
    deload: bool
    restart: Restart | None
    reasons: tuple[str, ...]

    @property
    def left(self) -> float:
        """Running minutes today may add: the smaller of the week's and the rolling window's."""
        return max(0.0, min(self.target - self.done, self.rolling_cap - self.rolling_done))

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (``week`` in ``plan/next``)."""
        return {
            "monday": self.monday.isoformat(),
            "target_min": round(self.target, 1),
            "done_min": round(self.done, 1),
            "left_min": round(self.left, 1),
            "training_days": self.training_days,
            "deload": self.deload,
            "restart_min": None if self.restart is None else round(self.restart.volume, 1),
        }


def daily_running(
    history: Sequence[SessionEntry], cfg: PlanConfig, today: date
) -> dict[date, float]:
    """Running minutes by day from 35 days before the first session up to ``today``.

    Days before the first session carry the questionnaire's ``weekly_running_min / 7``.
    """
    out: dict[date, float] = {}
    past = [e for e in history if e.day <= today]
    first = min((e.day for e in past), default=today)
    seed = cfg.weekly_running_min / 7.0
    day = first - timedelta(days=35)
    while day < first:
        out[day] = seed
        day += timedelta(days=1)
    for e in past:
        out[e.day] = out.get(e.day, 0.0) + running_minutes(e)
    return out


def _sum(mins: dict[date, float], first: date, last: date) -> float:
    n = (last - first).days
    return sum(mins.get(first + timedelta(days=i), 0.0) for i in range(n + 1))


def find_break(history: Sequence[SessionEntry], cfg: PlanConfig, today: date) -> Restart | None:
    """The latest break of ``break_days`` or more without running, if today is within four
    weeks of its end (or in it)."""
    runs = sorted({e.day for e in history if e.day < today and running_minutes(e) > 0})
    if not runs:
        return None
    ends = [*runs[1:], today]
    for last, back in reversed(list(zip(runs, ends, strict=True))):
        off = (back - last).days - 1
        if (today - back).days >= 28:
            return None
        if off >= cfg.break_days:
            mins = daily_running(history, cfg, today)
            # The level before the break: its last 7 days, or its four weeks' mean when
            # that was more (a deload week, a quiet week before a holiday).
            pre = max(
                _sum(mins, last - timedelta(days=6), last),
                _sum(mins, last - timedelta(days=27), last) / 4.0,
            )
            long = off >= cfg.long_break_days
            frac = cfg.long_break_restart if long else cfg.break_restart
            return Restart(last, back, off, 2 if long else 1, frac * pre, pre)
    return None


def window_cap(
    mins: dict[date, float],
    cfg: PlanConfig,
    day: date,
    restart: Restart | None,
    was_lowered: Callable[[date], bool] | None = None,
) -> tuple[float, list[str]]:
    """The most running the 7 days ending ``day`` may hold, and the rule that set it.

    When the 7 days before hold days of a lowered week (a deload, or a week with
    fewer training days than planned: a missed run, a cold), growth is counted from
    the week before it if that was more: they lower one week, not the base (the four
    weeks' mean still limits the week).
    """
    prev = _sum(mins, day - timedelta(days=13), day - timedelta(days=7))
    if was_lowered is not None:
        hit = [d for i in range(7, 14) if was_lowered(d := day - timedelta(days=i))]
        if hit:
            monday = min(hit) - timedelta(days=min(hit).weekday())
            before = _sum(mins, monday - timedelta(days=7), monday - timedelta(days=1))
            prev = max(prev, before)
    mean4 = _sum(mins, day - timedelta(days=34), day - timedelta(days=7)) / 4.0
    growth = prev + max(cfg.max_weekly_increase * prev, cfg.max_weekly_increase_min)
    ratio = cfg.max_four_week_ratio * mean4
    cap = min(growth, ratio)
    why = (
        f"week before {prev:.0f} min + {100 * cfg.max_weekly_increase:g} % or "
        f"{cfg.max_weekly_increase_min:g} min"
        if growth <= ratio
        else f"{cfg.max_four_week_ratio:g} x the four weeks' mean of {mean4:.0f} min"
    )
    if cap < cfg.min_weekly_run_min:
        cap, why = cfg.min_weekly_run_min, f"the starting volume ({cfg.min_weekly_run_min:g} min)"
    in_restart = restart is not None and restart.back <= day < restart.back + timedelta(days=28)
    if restart is not None and in_restart and cap < restart.volume:
        cap = restart.volume
        why = (
            f"restart after {restart.days_off} days off: {restart.volume:.0f} min, "
            f"{100 * restart.volume / max(restart.pre_volume, 1e-9):.0f} % of the "
            f"{restart.pre_volume:.0f} min before"
        )
    if restart is not None and in_restart and cap < min(growth, restart.pre_volume):
        # Back towards the level before the break by the weekly growth rule: the four
        # weeks' mean still holds the break's empty days (a flu in week 9 held a
        # 90-minute runner under 40 minutes a week to the end of the plan).
        cap = min(growth, restart.pre_volume)
        why = (
            f"back from {restart.days_off} days off: week before {prev:.0f} min + "
            f"{100 * cfg.max_weekly_increase:g} % or {cfg.max_weekly_increase_min:g} min, "
            f"up to the {restart.pre_volume:.0f} min before"
        )
    return cap, [why]


def week_budget(
    history: Sequence[SessionEntry],
    cfg: PlanConfig,
    today: date,
    *,
    deload: bool,
    was_lowered: Callable[[date], bool] | None = None,
) -> WeekBudget:
    """The calendar week's plan around ``today`` and what is left of it."""
    past = [e for e in history if e.day < today]
    mins = daily_running(past, cfg, today)
    restart = find_break(past, cfg, today)
    monday = today - timedelta(days=today.weekday())
    target, why = window_cap(mins, cfg, monday + timedelta(days=6), restart, was_lowered)
    if restart is not None and restart.back >= monday:
        target = max(target, restart.volume)
    if deload and target > cfg.min_weekly_run_min:
        # Never below the always-allowed starting volume: a new runner's 30 minutes
        # are no load to recover from, and cutting them stalls the weeks after.
        target = max(cfg.min_weekly_run_min, target * cfg.deload_volume)
        why.append(
            f"deload week: {100 * cfg.deload_volume:.0f} % of it "
            f"(at least {cfg.min_weekly_run_min:g} min)"
        )
    rolling, _ = window_cap(mins, cfg, today, restart, was_lowered)
    first = min((e.day for e in past), default=today)
    if today - timedelta(days=6) < first:
        # The questionnaire is a weekly figure: while the window still holds its days,
        # the calendar week's target is the limit, over the days actually run.
        rolling = target
    # A runner whose training days moved (a missed day, a rest the plan gave) has a
    # 7-day window before today that holds less than the calendar week before: the
    # rolling cap alone would then keep this week under its own target and the weeks
    # after under theirs (the four-week mean never fills). No window holds more than
    # the larger of the two, and the calendar week obeys both rules.
    rolling = max(rolling, target)
    days = {e.day for e in past if e.day >= monday}
    return WeekBudget(
        monday=monday,
        target=target,
        done=_sum(mins, monday, today - timedelta(days=1)) if today > monday else 0.0,
        rolling_cap=rolling,
        rolling_done=_sum(mins, max(first, today - timedelta(days=6)), today - timedelta(days=1)),
        training_days=len(days),
        trained_yesterday=any(
            e.day == today - timedelta(days=1) and running_minutes(e) > 0 for e in past
        ),
        deload=deload,
        restart=restart,
        reasons=tuple(why),
    )
