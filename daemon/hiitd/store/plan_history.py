"""The planner's I/O side: the store's sessions and check-ins as plan values, and the answers.

``hiitd.plan`` is pure; this module reads the store (sessions, their metrics
and RPE, check-ins) and the local time zone, and builds what the CLI prints and
the daemon publishes on ``<base>/plan/next``.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hiitd.errors import StoreError
from hiitd.plan import Checkin, SessionEntry, load_days, readiness, recommend_next
from hiitd.plan.checkin_values import CheckinRow, local_day
from hiitd.plan.ladders import locate
from hiitd.plan.recommend import HIIT_KINDS
from hiitd.workouts.library import builtin_workouts

if TYPE_CHECKING:
    from hiitd.plan import PlanConfig, Recommendation
    from hiitd.plan.plan_values import Kind
    from hiitd.plan.readiness import Readiness
    from hiitd.store.db import Store
    from hiitd.store.rows import SessionRow

HISTORY_SESSIONS = 1000  # about two years at 8 sessions a week: far beyond the 60-day windows
HISTORY_DAYS = 120
MIN_SESSION_MIN = 5.0  # shorter sessions (a mis-start) are no training load
# Built-ins outside the ladders whose tags make them HIIT for the weekly cap.
_HIIT_TAGS = frozenset({"vo2max", "hiit", "anaerobic", "hills", "speed", "track"})


def _num(doc: Any, *path: str) -> float | None:
    for key in path:
        if not isinstance(doc, dict):
            return None
        doc = doc.get(key)
    return float(doc) if isinstance(doc, int | float) and math.isfinite(doc) else None


def _is_hiit(workout: str | None, kind: Kind | None) -> bool:
    if kind is not None:
        return kind in HIIT_KINDS
    tags = {t for w in builtin_workouts() if w.name == workout for t in w.tags}
    return bool(tags & _HIIT_TAGS)


def _work_unscored(metrics: dict[str, Any] | None) -> bool:
    """Whether the session's work steps were all by feel (metrics from v2 on say so)."""
    c = metrics.get("compliance") if isinstance(metrics, dict) else None
    return isinstance(c, dict) and c.get("in_pct") is None and bool(c.get("unscored_work_steps"))


def entry_of(row: SessionRow, metrics: dict[str, Any] | None) -> SessionEntry | None:
    """A stored session as the planner sees it (None when too short to count)."""
    minutes = (_num(metrics, "moving_s") or row.duration_s or 0.0) / 60.0
    if minutes < MIN_SESSION_MIN:
        return None
    found = locate(row.workout)
    kind = found[0] if found else None
    hrr = _num(metrics, "hrr60", "session", "hrr60_bpm")
    if hrr is None and isinstance(metrics, dict):
        steps = [_num(s, "hrr60_bpm") for s in (metrics.get("hrr60") or {}).get("steps") or []]
        values = [s for s in steps if s is not None]
        hrr = statistics.fmean(values) if values else None
    return SessionEntry(
        day=local_day(row.start_wall),
        start_wall=row.start_wall,
        minutes=minutes,
        workout=row.workout,
        hiit=_is_hiit(row.workout, kind),
        protocol=None if kind is None else kind.value,
        step=None if found is None else found[1],
        hrss=_num(metrics, "load", "hrss"),
        rpe=row.rpe,
        compliance_pct=_num(metrics, "compliance", "in_pct"),
        work_unscored=_work_unscored(metrics),
        completed=row.status == "finished",
        ef=_num(metrics, "economy", "efficiency_factor"),
        pace_s_per_km=_num(metrics, "speed", "avg_pace_s_per_km"),
        hrr60_bpm=hrr,
    )


def history(store: Store) -> list[SessionEntry]:
    """Every finished, stopped or interrupted session, oldest first."""
    out = []
    for row in store.list_sessions(HISTORY_SESSIONS):
        if row.status == "running":
            continue
        entry = entry_of(row, store.metrics(row.session_id))
        if entry is not None:
            out.append(entry)
    return sorted(out, key=lambda e: e.start_wall)


def checkins(store: Store, today: date, cfg: PlanConfig) -> list[Checkin]:
    """The check-ins in the readiness window."""
    since = (today - timedelta(days=cfg.baseline_days + 7)).isoformat()
    # One value a day: a repeated measurement replaces the earlier one (rows are oldest first).
    latest = {r.day: r for r in store.checkins(since)}
    return [Checkin(date.fromisoformat(d), r.resting_hr, r.ln_rmssd) for d, r in latest.items()]


def next_session(store: Store, cfg: PlanConfig, now_wall: float) -> Recommendation:
    """What ``hiitd plan next`` and ``<base>/plan/next`` say."""
    today = local_day(now_wall)
    return recommend_next(history(store), checkins(store, today, cfg), cfg, today, now_wall)


def next_payload(store: Store, cfg: PlanConfig, now_wall: float) -> dict[str, Any]:
    """The recommendation with today's readiness and load ratio (the HA entities read these)."""
    today = local_day(now_wall)
    past = history(store)
    ins = checkins(store, today, cfg)
    rec = recommend_next(past, ins, cfg, today, now_wall)
    load = load_days(past, cfg, today)[-1]
    ready = readiness(ins, cfg, today)
    return {
        "ts": now_wall,
        **rec.to_payload(),
        "readiness": ready.status,
        "acwr": None if load.acwr is None else round(load.acwr, 3),
        "ctl": round(load.ctl, 2),
        "atl": round(load.atl, 2),
    }


def history_payload(
    store: Store, cfg: PlanConfig, now_wall: float, days: int = 28
) -> list[dict[str, Any]]:
    """Load, ratio and readiness for each of the last ``days`` days, oldest first."""
    today = local_day(now_wall)
    past = history(store)
    ins = checkins(store, today, cfg)
    out = []
    for d in load_days(past, cfg, today)[-days:]:
        ready = readiness(ins, cfg, d.day)
        out.append(
            {
                **d.to_payload(),
                "sessions": [e.workout for e in past if e.day == d.day],
                "readiness": ready.to_payload(),
            }
        )
    return out


def rate_last_session(store: Store, rpe: int) -> str:
    """Keep ``rpe`` for the newest session that is not running; its id. StoreError if none."""
    for row in store.list_sessions(5):
        if row.status != "running":
            store.set_rpe(row.session_id, rpe)
            return row.session_id
    raise StoreError("no finished session to rate yet")


def keep_checkin(store: Store, row: CheckinRow, cfg: PlanConfig) -> Readiness:
    """Store a check-in; the day's readiness with it (StoreError when it cannot be kept)."""
    store.add_checkin(row)
    day = date.fromisoformat(row.day)
    return readiness(checkins(store, day, cfg), cfg, day)
