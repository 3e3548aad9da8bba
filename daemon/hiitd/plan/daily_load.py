"""Training load by day: CTL, ATL, the acute:chronic ratio, weekly change, monotony, strain. Pure.

Session load is Foster's session-RPE (RPE 0-10 x minutes, arbitrary units, AU;
Foster C et al., "A new approach to monitoring exercise training", J Strength
Cond Res 2001; 15: 109-15) when the runner rated the session; otherwise its
HRSS converted at ``PlanConfig.srpe_per_hrss`` AU per point, so one unit runs
through the whole history (the ratios below mean nothing across mixed units).

- CTL and ATL (fitness and fatigue) are exponentially weighted averages of the
  daily load with time constants of 42 and 7 days, in the Performance Manager
  form x_t = x_(t-1) + (load_t - x_(t-1)) / N (Allen H & Coggan A, *Training and
  Racing with a Power Meter*, 2nd ed, VeloPress 2010, ch. 9; after Banister's
  fitness-fatigue model). Rest days count as load 0.
- The acute:chronic workload ratio is ATL / CTL (the EWMA form: Williams S et
  al., "Better way to determine the acute:chronic workload ratio?", Br J Sports
  Med 2017; 51: 209-10), with 0.8-1.3 the "sweet spot" and above 1.5 the danger
  zone of Gabbett TJ, "The training-injury prevention paradox", Br J Sports Med
  2016; 50: 273-80. The ratio is a population heuristic, not a law (Impellizzeri
  FM et al., Int J Sports Physiol Perform 2020; 15: 907-13): it holds back,
  it does not diagnose.
- Monotony is the mean daily load of the last 7 days over its standard
  deviation (sample SD, rest days as 0); strain is the week's load x monotony
  (Foster C, "Monitoring training in athletes with reference to overtraining
  syndrome", Med Sci Sports Exerc 1998; 30: 1164-8; monotony above 2 goes with
  illness and overreaching there).

Before the first recorded session the runner's questionnaire stands in: every
day before it carries ``weekly_running_min x easy_rpe / 7`` AU, so a new user's
first weeks are compared with what they ran before, not with nothing.
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

CTL_DAYS = 42
ATL_DAYS = 7
LEAD_IN_DAYS = 21  # seeded days before the first session: the two-week comparison needs them


@dataclass(frozen=True, slots=True)
class LoadDay:
    """One day of the load model."""

    day: date
    load: float  # AU that day (0 on rest days)
    ctl: float
    atl: float
    acwr: float | None  # None while CTL is 0
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
            "ctl": round(self.ctl, 2),
            "atl": round(self.atl, 2),
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


def session_load(entry: SessionEntry, cfg: PlanConfig) -> float | None:
    """AU of one session: session-RPE x minutes, else HRSS converted; None when neither."""
    if entry.rpe is not None:
        return entry.rpe * entry.minutes
    if entry.hrss is not None:
        return entry.hrss * cfg.srpe_per_hrss
    return None


def seed_daily(cfg: PlanConfig) -> float:
    """The assumed daily load before hiitd, from the questionnaire."""
    return cfg.weekly_running_min * cfg.easy_rpe / 7.0


def ewma(previous: float, load: float, days: int) -> float:
    """One day of the Performance Manager's average with time constant ``days``."""
    return previous + (load - previous) / days


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
    for e in history:
        if e.day <= today:
            per_day[e.day] = per_day.get(e.day, 0.0) + (session_load(e, cfg) or 0.0)
    first = min(per_day, default=today)
    seed = seed_daily(cfg)
    start = first - timedelta(days=LEAD_IN_DAYS)
    loads: list[float] = []
    out: list[LoadDay] = []
    ctl = atl = seed
    day = start
    while day <= today:
        seeded = day < first
        load = seed if seeded else per_day.get(day, 0.0)
        loads.append(load)
        ctl, atl = ewma(ctl, load, CTL_DAYS), ewma(atl, load, ATL_DAYS)
        week = loads[-7:]
        week_load = sum(week)
        # The seed is a flat stand-in, not a training pattern: no monotony from it.
        real = len(week) == 7 and day - timedelta(days=6) >= first
        mono = monotony(week) if real else None
        out.append(
            LoadDay(
                day=day,
                load=load,
                ctl=ctl,
                atl=atl,
                acwr=atl / ctl if ctl > 0 else None,
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
