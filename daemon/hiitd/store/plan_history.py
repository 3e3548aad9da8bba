"""The planner's I/O side: the store's sessions and check-ins as plan values, and the answers.

``hiitd.plan`` is pure; this module reads the store (sessions, their metrics
and RPE, check-ins), the workout catalogue (the workout each session ran, for
the intensity estimate of sessions with neither RPE nor HRSS) and the local
time zone, and builds what the CLI prints and the daemon publishes on
``<base>/plan/next``.
"""

from __future__ import annotations

import math
import statistics
from datetime import date, timedelta
from typing import TYPE_CHECKING, Any

from hiitd.coach.profile import FALLBACK_MAX_HR, AthleteProfile
from hiitd.errors import StoreError, WorkoutError
from hiitd.plan import Checkin, SessionEntry, load_days, readiness, recommend_next
from hiitd.plan.checkin_values import CheckinRow, local_day
from hiitd.plan.daily_load import estimated_rpe, session_load
from hiitd.plan.eligibility import Gate, HealthState, evaluate
from hiitd.plan.intensity import estimate_rpe
from hiitd.plan.ladders import locate
from hiitd.plan.recommend import HIIT_KINDS
from hiitd.store import health_file
from hiitd.store.workout_catalog import WorkoutCatalog
from hiitd.workouts.library import builtin_workouts

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.coach.workout_model import Workout
    from hiitd.plan import PlanConfig, Recommendation
    from hiitd.plan.plan_values import Kind
    from hiitd.plan.readiness import Readiness
    from hiitd.settings import AthleteSettings
    from hiitd.store.db import Store
    from hiitd.store.rows import SessionRow

HISTORY_SESSIONS = 1000  # about two years at 8 sessions a week: far beyond the 60-day windows
HISTORY_DAYS = 120
MIN_SESSION_MIN = 5.0  # shorter sessions (a mis-start) are no training load
HARD_FREE_RUN_S = 300.0  # this long in HR zone 5 makes a run without a workout HIIT
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


def _hard_free_run(metrics: dict[str, Any] | None) -> bool:
    """A run without a workout (imported from a watch, a free run) with at least
    ``HARD_FREE_RUN_S`` in the top heart-rate zone (5: from 90 % of max HR or HR
    reserve, or from LTHR): intervals or a race, counted as HIIT for the weekly cap
    and the spacing, whatever the watch called it."""
    zones = metrics.get("hr_zones") if isinstance(metrics, dict) else None
    if not isinstance(zones, dict):
        return False
    top = 0.0
    for z in zones.get("zones") or []:
        seconds = z.get("seconds") if isinstance(z, dict) else None
        if str(z.get("zone", "")).startswith("5") and isinstance(seconds, int | float):
            top += float(seconds)
    above = zones.get("above_s")
    top += float(above) if isinstance(above, int | float) else 0.0
    return top >= HARD_FREE_RUN_S


# The catalogue needs a profile only to resolve targets for the engine; the intensity
# estimate reads them as written (relative to the athlete), so this one is never used.
_UNRESOLVED = AthleteProfile(FALLBACK_MAX_HR, True, None, None, None, None)


class PlannedWorkouts:
    """The workouts stored sessions ran, by name, as the catalogue has them (read once each).

    Imported files first, then plan rungs, then built-ins (``WorkoutCatalog.get``);
    a name the catalogue no longer knows (a deleted import, a free run) is None.
    """

    def __init__(self, state_dir: Path) -> None:
        self._catalog = WorkoutCatalog(state_dir, _UNRESOLVED)
        self._known: dict[str, Workout | None] = {}

    def get(self, name: str | None) -> Workout | None:
        """The unresolved workout named ``name``, or None."""
        if name is None:
            return None
        if name not in self._known:
            try:
                self._known[name] = self._catalog.get(name, resolve=False)
            except (WorkoutError, OSError):
                self._known[name] = None
        return self._known[name]


def _work_unscored(metrics: dict[str, Any] | None) -> bool:
    """Whether the session's work steps were all by feel (metrics from v2 on say so)."""
    c = metrics.get("compliance") if isinstance(metrics, dict) else None
    return isinstance(c, dict) and c.get("in_pct") is None and bool(c.get("unscored_work_steps"))


# Metrics from this version on measure HRR60 only where the runner slowed down;
# older ones took it during jogs too (negative "recoveries"), so the trend skips them.
HRR60_MEASURED_FROM = 3


def _hrr60(metrics: dict[str, Any] | None) -> float | None:
    """The session's measured HRR60, else the mean of the measured per-step ones."""
    if not isinstance(metrics, dict):
        return None
    version = metrics.get("metrics_version", 1)
    if not isinstance(version, int) or version < HRR60_MEASURED_FROM:
        return None
    hrr = _num(metrics, "hrr60", "session", "hrr60_bpm")
    if hrr is None:
        steps = [_num(s, "hrr60_bpm") for s in (metrics.get("hrr60") or {}).get("steps") or []]
        values = [s for s in steps if s is not None]
        hrr = statistics.fmean(values) if values else None
    return hrr


def entry_of(
    row: SessionRow, metrics: dict[str, Any] | None, planned: Workout | None = None
) -> SessionEntry | None:
    """A stored session as the planner sees it (None when too short to count).

    ``planned`` is the workout it ran, for the RPE estimate (plan/intensity.py) that
    stands in when it has neither RPE nor HRSS; without one it counts as a free run.
    """
    minutes = (_num(metrics, "moving_s") or row.duration_s or 0.0) / 60.0
    if minutes < MIN_SESSION_MIN:
        return None
    found = locate(row.workout)
    kind = found[0] if found else None
    hrr = _hrr60(metrics)
    return SessionEntry(
        day=local_day(row.start_wall),
        start_wall=row.start_wall,
        minutes=minutes,
        workout=row.workout,
        hiit=_is_hiit(row.workout, kind) or (row.workout is None and _hard_free_run(metrics)),
        protocol=None if kind is None else kind.value,
        step=None if found is None else found[1],
        hrss=_num(metrics, "load", "hrss"),
        rpe=row.rpe,
        rpe_estimate=None if planned is None else estimate_rpe(planned, minutes),
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
    planned = PlannedWorkouts(store.path.parent)
    for row in store.list_sessions(HISTORY_SESSIONS):
        if row.status == "running":
            continue
        entry = entry_of(row, store.metrics(row.session_id), planned.get(row.workout))
        if entry is not None:
            out.append(entry)
    return sorted(out, key=lambda e: e.start_wall)


def checkins(store: Store, today: date, cfg: PlanConfig) -> list[Checkin]:
    """The check-ins in the readiness window."""
    since = (today - timedelta(days=cfg.baseline_days + 7)).isoformat()
    # One value a day: a repeated measurement replaces the earlier one (rows are oldest first).
    latest = {r.day: r for r in store.checkins(since)}
    return [Checkin(date.fromisoformat(d), r.resting_hr, r.ln_rmssd) for d, r in latest.items()]


def eligibility(
    state_dir: Path, cfg: PlanConfig, athlete: AthleteSettings, now_wall: float
) -> tuple[Gate, HealthState]:
    """The planner's gate (screening, age, beta blockers, reported health) and the health."""
    health = health_file.load(state_dir)
    gate = evaluate(
        cfg,
        age=athlete.age,
        beta_blockers=athlete.beta_blockers,
        health=health,
        now_wall=now_wall,
    )
    return gate, health


def next_session(
    store: Store, cfg: PlanConfig, now_wall: float, athlete: AthleteSettings | None = None
) -> Recommendation:
    """What ``hiitd plan next`` and ``<base>/plan/next`` say."""
    today = local_day(now_wall)
    gate = None if athlete is None else eligibility(store.path.parent, cfg, athlete, now_wall)[0]
    return recommend_next(
        history(store),
        checkins(store, today, cfg),
        cfg,
        today,
        now_wall,
        age=None if athlete is None else athlete.age,
        gate=gate,
    )


def next_payload(
    store: Store, cfg: PlanConfig, now_wall: float, athlete: AthleteSettings | None = None
) -> dict[str, Any]:
    """The recommendation with today's readiness and load figures (the HA entities read these).

    ``acwr`` is Williams' ratio of the acute and chronic EWMAs (``acute_ewma``,
    ``chronic_ewma``), the one the guard rails use; ``ctl`` and ``atl`` are the
    Performance Manager's 42- and 7-day figures, kept beside it (plan/daily_load.py).
    ``load`` and ``estimated_load`` are today's (AU, the part of it estimated from
    the workout); ``last_session`` is the newest session's load and ``load_source``.
    With ``athlete``, the gate applies (plan/eligibility.py) and ``health`` (the
    reported status) and ``eligibility`` (what the gate allows, and why) are added.
    """
    today = local_day(now_wall)
    past = history(store)
    ins = checkins(store, today, cfg)
    gate, health = (
        (None, None) if athlete is None else eligibility(store.path.parent, cfg, athlete, now_wall)
    )
    age = None if athlete is None else athlete.age
    rec = recommend_next(past, ins, cfg, today, now_wall, age=age, gate=gate)
    load = load_days(past, cfg, today)[-1]
    ready = readiness(ins, cfg, today)
    doc = {
        "ts": now_wall,
        **rec.to_payload(),
        "readiness": ready.status,
        "acwr": None if load.acwr is None else round(load.acwr, 3),
        "acute_ewma": round(load.acute_ewma, 2),
        "chronic_ewma": round(load.chronic_ewma, 2),
        "ctl": round(load.ctl, 2),
        "atl": round(load.atl, 2),
        "load": round(load.load, 1),
        "estimated_load": round(load.estimated_load, 1),
        "last_session": session_load_payload(past[-1], cfg) if past else None,
    }
    if gate is not None and health is not None:
        doc["health"] = health.to_payload()
        doc["eligibility"] = gate.to_payload()
    return doc


def history_payload(
    store: Store, cfg: PlanConfig, now_wall: float, days: int = 28
) -> list[dict[str, Any]]:
    """Load, ratio and readiness for each of the last ``days`` days, oldest first.

    ``sessions`` names each day's workouts (null for a free run); ``session_loads``
    says for each where its load came from (``rpe``, ``hrss`` or ``estimated``, with
    the estimated RPE).
    """
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
                "session_loads": [session_load_payload(e, cfg) for e in past if e.day == d.day],
                "readiness": ready.to_payload(),
            }
        )
    return out


def session_load_payload(e: SessionEntry, cfg: PlanConfig) -> dict[str, Any]:
    """One session's load and where it came from (``rpe``, ``hrss`` or ``estimated``).

    ``rpe_estimate`` is the RPE the estimate counts at (the workout's, or
    ``easy_rpe`` for a run without a known workout), given whatever the source.
    """
    return {
        "workout": e.workout,
        "day": e.day.isoformat(),
        "minutes": round(e.minutes, 1),
        "load": round(session_load(e, cfg), 1),
        "load_source": e.load_source,
        "rpe_estimate": round(estimated_rpe(e, cfg), 2),
    }


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
