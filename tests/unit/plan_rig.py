"""Synthetic training histories for the planner tests."""

from __future__ import annotations

from datetime import date, timedelta

from hiitd.plan import Checkin, Kind, PlanConfig, SessionEntry, recommend_next
from hiitd.plan.recommend import HIIT_KINDS
from hiitd.plan.week_plan import planned_minutes, running_minutes

MON1 = date(2024, 1, 1)  # a Monday: week 1 of the synthetic plans
CFG = PlanConfig(experience="beginner", weekly_running_min=120.0)  # seed 360 AU a week


def wall(day: date, hour: float = 18.0) -> float:
    """Unix seconds of ``hour`` o'clock (UTC) on ``day``."""
    return (day - date(1970, 1, 1)).days * 86400.0 + hour * 3600.0


def hiit(
    day: date, kind: Kind, step: int, *, rpe: int | None = 6, pct: float = 80.0, minutes: float = 30
) -> SessionEntry:
    """A HIIT session on a plan rung: 30 min at RPE 6 is 180 AU."""
    return SessionEntry(
        day=day,
        start_wall=wall(day),
        minutes=minutes,
        workout=f"plan-{kind.value}-{step}",
        hiit=kind in HIIT_KINDS,
        protocol=kind.value,
        step=step,
        rpe=rpe,
        compliance_pct=pct,
    )


def easy(day: date, minutes: float, rpe: int = 4) -> SessionEntry:
    """A non-HIIT run."""
    return SessionEntry(day=day, start_wall=wall(day, 7.0), minutes=minutes, rpe=rpe)


ROTATION = (Kind.INTERVALS, Kind.HILLS, Kind.STRIDES, Kind.CIRCUIT)


def steady(weeks: int, step: int = 1, **kw: object) -> list[SessionEntry]:
    """Monday and Thursday HIIT from MON1, the kinds in turn, all on ``step``."""
    out = []
    n = 0
    for w in range(weeks):
        for offset in (0, 3):
            day = MON1 + timedelta(days=7 * w + offset)
            out.append(hiit(day, ROTATION[n % 4], step, **kw))  # type: ignore[arg-type]
            n += 1
    return out


def checkins(
    days: int, end: date, ln: float = 4.0, rhr: float = 50.0, **last: float
) -> list[Checkin]:
    """``days`` daily check-ins ending ``end``, alternating +-0.1 / +-1 around ``ln`` and ``rhr``.

    ``last_ln``/``last_rhr`` with ``last_n`` replace the values of the last n days.
    """
    out = []
    n = int(last.get("last_n", 0))
    for i in range(days):
        day = end - timedelta(days=days - 1 - i)
        sign = 1 if i % 2 else -1
        value_ln, value_hr = ln + 0.1 * sign, rhr + sign
        if i >= days - n:
            value_ln = last.get("last_ln", value_ln)
            value_hr = last.get("last_rhr", value_hr)
        out.append(Checkin(day, value_hr, value_ln))
    return out


def routine(
    weeks: int, step: int = 1, *, easy_min: float = 40.0, first: date = MON1, **kw: object
) -> list[SessionEntry]:
    """A 100-minute week from ``first``: Monday HIIT (intervals and hills in turn, 30 min),
    Wednesday an easy run, Friday strides (30 min)."""
    out = []
    for w in range(weeks):
        mon = first + timedelta(days=7 * w)
        kind = (Kind.INTERVALS, Kind.HILLS)[w % 2]
        out.append(hiit(mon, kind, step, **kw))  # type: ignore[arg-type]
        out.append(easy(mon + timedelta(days=2), easy_min))
        out.append(hiit(mon + timedelta(days=4), Kind.STRIDES, 1))
    return out


def follow(cfg: PlanConfig, weeks: int, *, rpe: int = 5, age: int | None = None) -> list:
    """Do every session the planner gives for ``weeks`` weeks from MON1 (as planned: its
    minutes, in target, ``rpe``); the recommendations by day and the history."""
    history: list[SessionEntry] = []
    recs = []
    for n in range(7 * weeks):
        today = MON1 + timedelta(days=n)
        rec = recommend_next(history, [], cfg, today, age=age)
        recs.append(rec)
        if rec.workout is None:
            continue
        if rec.kind is Kind.EASY:
            minutes = float(rec.workout.rsplit("-", 1)[1])
            history.append(easy(today, minutes, rpe=rpe))
        else:
            assert rec.step is not None
            minutes = max(planned_minutes(rec.kind, rec.step), 20.0)
            entry = hiit(today, rec.kind, rec.step, rpe=rpe, minutes=minutes)
            history.append(entry)
    return [recs, history]


def weekly_minutes(history: list[SessionEntry], weeks: int, first: date = MON1) -> list[float]:
    """Running minutes of each calendar week from ``first``."""
    out = []
    for w in range(weeks):
        lo = first + timedelta(days=7 * w)
        hi = lo + timedelta(days=6)
        out.append(sum(running_minutes(e) for e in history if lo <= e.day <= hi))
    return out
