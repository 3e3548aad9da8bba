"""Training load by day: CTL, ATL, the acute:chronic ratio, weekly change, monotony, strain. Pure.

Session load is Foster's session-RPE (RPE 0-10 x minutes, arbitrary units, AU;
Foster C et al., "A new approach to monitoring exercise training", J Strength
Cond Res 2001; 15: 109-15) when the runner rated the session; otherwise its
HRSS converted at ``PlanConfig.srpe_per_hrss`` AU per point, so one unit runs
through the whole history (the ratios below mean nothing across mixed units);
otherwise, with neither a rating nor a heart rate, the minutes x an RPE
estimated from the planned workout (``plan/intensity.py``; a free run counts as
an easy run, ``PlanConfig.easy_rpe``). A session is never load 0; each day
says how much of its load was estimated (``estimated_load``).

- The acute:chronic workload ratio (``acwr``) is that of Williams S, West S,
  Cross MJ, Stokes KA, "Better way to determine the acute:chronic workload
  ratio?", Br J Sports Med 2017; 51: 209-10: two exponentially weighted moving
  averages of the daily load, EWMA_today = load_today x lambda + (1 - lambda) x
  EWMA_yesterday, with lambda = 2 / (N + 1) for N = 7 days (acute, lambda 0.25)
  and N = 28 days (chronic, lambda 0.069), and the ratio acute / chronic of the
  same day. Rest days count as load 0, so a layoff lowers the chronic average
  and the return reads as the spike it is. The bands the plan's guard rails use
  (0.8-1.3 the "sweet spot", above 1.5 the danger zone) are Gabbett TJ's, "The
  training-injury prevention paradox", Br J Sports Med 2016; 50: 273-80.
  The ratio is a load heuristic, a population figure, not an injury-risk
  estimate for one runner (Impellizzeri FM et al., "Acute:chronic workload
  ratio: conceptual issues and fundamental pitfalls", Int J Sports Physiol
  Perform 2020; 15: 907-13): it holds the plan back, it does not diagnose.
- CTL and ATL (fitness and fatigue) are kept beside it as separate figures:
  averages of the daily load with time constants of 42 and 7 days, in the
  Performance Manager form x_t = x_(t-1) + (load_t - x_(t-1)) / N (Allen H &
  Coggan A, *Training and Racing with a Power Meter*, 2nd ed, VeloPress 2010,
  ch. 9; after Banister's fitness-fatigue model). ATL / CTL is *not* the ratio
  above: its 1/N weights (1/7, 1/42) react more slowly than Williams' 2/(N+1)
  (1/4, 1/14.5), and after three weeks off and a normal week back it stays near
  1.1 where Williams' ratio passes 1.9 (``tests/unit/test_plan_load.py``).
- Monotony is the mean daily load of the last 7 days over its standard
  deviation (sample SD, rest days as 0); strain is the week's load x monotony
  (Foster C, "Monitoring training in athletes with reference to overtraining
  syndrome", Med Sci Sports Exerc 1998; 30: 1164-8; monotony above 2 goes with
  illness and overreaching there).

Before the first recorded session the runner's questionnaire stands in: every
day before it carries ``weekly_running_min x easy_rpe / 7`` AU, so a new user's
first weeks are compared with what they ran before, not with nothing. All four
averages start *at* that seed, the steady state of a runner who ran it every
day, so they need no warm-up: the EWMA of a constant is that constant from the
first day, and the 28-day chronic average is as meaningful on the first seeded
day as after 28 of them. The lead-in is therefore sized by the weekly
comparisons (the two-week change needs 21 days of loads), not by the averages'
spans; a longer one would change no figure.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from hiitd.plan.plan_config import PlanConfig
    from hiitd.plan.plan_values import SessionEntry

CTL_DAYS = 42  # Performance Manager time constants (1/N form)
ATL_DAYS = 7
ACUTE_DAYS = 7  # Williams' EWMA spans: lambda = 2 / (N + 1)
CHRONIC_DAYS = 28
LAMBDA_ACUTE = 2.0 / (ACUTE_DAYS + 1)  # 0.25
LAMBDA_CHRONIC = 2.0 / (CHRONIC_DAYS + 1)  # 0.0690
LEAD_IN_DAYS = 21  # seeded days before the first session: the two-week comparison needs them


@dataclass(frozen=True, slots=True)
class LoadDay:
    """One day of the load model."""

    day: date
    load: float  # AU that day (0 on rest days)
    estimated_load: float  # the part of it from estimated intensities (load_source "estimated")
    ctl: float  # fitness: 42-day Performance Manager average (1/N)
    atl: float  # fatigue: 7-day Performance Manager average (1/N)
    acute_ewma: float  # Williams' 7-day EWMA, lambda 2/8
    chronic_ewma: float  # Williams' 28-day EWMA, lambda 2/29
    acwr: float | None  # acute_ewma / chronic_ewma; None while the chronic EWMA is 0
    week_load: float  # the 7 days ending today
    week_change: float | None  # vs the 7 days before; None when those were 0
    two_week_change: float | None  # vs the 7 days ending two weeks ago
    monotony: float | None  # None when the week's loads do not vary
    strain: float | None
    seeded: bool = False  # before the first recorded session

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready, rounded."""
        return {
            "day": self.day.isoformat(),
            "load": round(self.load, 1),
            "estimated_load": round(self.estimated_load, 1),
            "ctl": round(self.ctl, 2),
            "atl": round(self.atl, 2),
            "acute_ewma": round(self.acute_ewma, 2),
            "chronic_ewma": round(self.chronic_ewma, 2),
            "acwr": _r(self.acwr),
            "week_load": round(self.week_load, 1),
            "week_change": _r(self.week_change),
            "two_week_change": _r(self.two_week_change),
            "monotony": _r(self.monotony),
            "strain": None if self.strain is None else round(self.strain, 1),
            "seeded": self.seeded,
        }


def _r(x: float | None) -> float | None:
    return None if x is None else round(x, 3)


def session_load(entry: SessionEntry, cfg: PlanConfig) -> float:
    """AU of one session: session-RPE x minutes, else HRSS converted, else estimated.

    The estimate is the planned workout's RPE (``entry.rpe_estimate``), or an easy
    run's (``cfg.easy_rpe``, as the questionnaire's seed) when no workout is known,
    x minutes: never 0.
    """
    if entry.rpe is not None:
        return entry.rpe * entry.minutes
    if entry.hrss is not None:
        return entry.hrss * cfg.srpe_per_hrss
    return estimated_rpe(entry, cfg) * entry.minutes


def estimated_rpe(entry: SessionEntry, cfg: PlanConfig) -> float:
    """The RPE a session counts at without a rating or HRSS: its workout's, else an easy run's."""
    return cfg.easy_rpe if entry.rpe_estimate is None else entry.rpe_estimate


def seed_daily(cfg: PlanConfig) -> float:
    """The assumed daily load before hiitd, from the questionnaire."""
    return cfg.weekly_running_min * cfg.easy_rpe / 7.0


def pm_average(previous: float, load: float, days: int) -> float:
    """One day of the Performance Manager's average (CTL, ATL) with time constant ``days``."""
    return previous + (load - previous) / days


def ewma(previous: float, load: float, lam: float) -> float:
    """One day of Williams' EWMA: ``load x lam + (1 - lam) x previous``."""
    return load * lam + (1.0 - lam) * previous


def monotony(week: Sequence[float]) -> float | None:
    """Foster's monotony of a week's daily loads (None when they do not vary)."""
    if len(week) < 2:
        return None
    sd = statistics.stdev(week)
    return None if sd == 0 else statistics.fmean(week) / sd


def _change(now: float, before: float) -> float | None:
    return None if before <= 0 else now / before - 1.0


def load_days(history: Sequence[SessionEntry], cfg: PlanConfig, today: date) -> list[LoadDay]:
    """The load model from the lead-in before the first session up to ``today``."""
    per_day: dict[date, float] = {}
    estimated: dict[date, float] = {}
    for e in history:
        if e.day <= today:
            load = session_load(e, cfg)
            per_day[e.day] = per_day.get(e.day, 0.0) + load
            if e.load_source == "estimated":
                estimated[e.day] = estimated.get(e.day, 0.0) + load
    first = min(per_day, default=today)
    seed = seed_daily(cfg)
    start = first - timedelta(days=LEAD_IN_DAYS)
    loads: list[float] = []
    out: list[LoadDay] = []
    ctl = atl = acute = chronic = seed  # the seed's steady state (module docstring)
    day = start
    while day <= today:
        seeded = day < first
        load = seed if seeded else per_day.get(day, 0.0)
        loads.append(load)
        ctl, atl = pm_average(ctl, load, CTL_DAYS), pm_average(atl, load, ATL_DAYS)
        acute, chronic = ewma(acute, load, LAMBDA_ACUTE), ewma(chronic, load, LAMBDA_CHRONIC)
        week = loads[-7:]
        week_load = sum(week)
        # The seed is a flat stand-in, not a training pattern: no monotony from it.
        real = len(week) == 7 and day - timedelta(days=6) >= first
        mono = monotony(week) if real else None
        out.append(
            LoadDay(
                day=day,
                load=load,
                estimated_load=0.0 if seeded else estimated.get(day, 0.0),
                ctl=ctl,
                atl=atl,
                acute_ewma=acute,
                chronic_ewma=chronic,
                acwr=acute / chronic if chronic > 0 else None,
                week_load=week_load,
                week_change=_change(week_load, sum(loads[-14:-7])) if len(loads) >= 14 else None,
                two_week_change=(
                    _change(week_load, sum(loads[-21:-14])) if len(loads) >= 21 else None
                ),
                monotony=mono,
                strain=None if mono is None else week_load * mono,
                seeded=seeded,
            )
        )
        day += timedelta(days=1)
    return out
