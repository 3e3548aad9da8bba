"""The runner's reported health (``health.json``): ok, ill or injured, since when, and history.

Shared by ``hiitd health`` and the daemon's ``cmd/health``: whoever reports
writes the file, the planner reads it every time it works the plan out
(plan/eligibility.py). Written atomically (a temporary file renamed over the
old one, fsynced), like ``learned.json``; a file that cannot be read is logged
and treated as "nothing reported" (ok), and a report that cannot be kept is a
``StoreError`` the reporter sees.
"""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.errors import StoreError
from hiitd.plan.eligibility import HealthReport, HealthState, HealthStatus
from hiitd.store.json_file import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

log = structlog.get_logger(__name__)
FILE_NAME = "health.json"
MAX_REPORTS = 200  # a few years of reports; older ones are dropped
MAX_NOTE = 200


def _report(item: object) -> HealthReport | None:
    if not isinstance(item, dict):
        return None
    status, at, note = item.get("status"), item.get("at"), item.get("note")
    if status not in {s.value for s in HealthStatus} or isinstance(at, bool):
        return None
    if not isinstance(at, int | float) or (note is not None and not isinstance(note, str)):
        return None
    return HealthReport(HealthStatus(status), float(at), note)


def load(state_dir: Path) -> HealthState:
    """What the file holds (nothing reported when there is none, or one we cannot read)."""
    path = state_dir / FILE_NAME
    try:
        data = json.loads(path.read_text(encoding="utf-8"))
    except FileNotFoundError:
        return HealthState()
    except (OSError, ValueError) as exc:
        log.warning("health_unreadable", file=str(path), error=str(exc))
        return HealthState()
    items = data.get("history") if isinstance(data, dict) else None
    if not isinstance(items, list):
        log.warning("health_unreadable", file=str(path), error="no history list")
        return HealthState()
    reports = [r for r in map(_report, items) if r is not None]
    return HealthState(tuple(sorted(reports, key=lambda r: r.at)))


def save(state_dir: Path, state: HealthState) -> None:
    """Keep ``state`` atomically; StoreError when it cannot be written."""
    doc: dict[str, Any] = {
        **state.to_payload(),
        "history": [r.to_payload() for r in state.history[-MAX_REPORTS:]],
    }
    try:
        write_atomic(state_dir / FILE_NAME, doc)
    except OSError as exc:
        where = state_dir / FILE_NAME
        raise StoreError(f"cannot keep the health report in {where}: {exc}") from exc


def report(
    state_dir: Path, status: HealthStatus, at: float, note: str | None = None
) -> HealthState:
    """Add a report and keep it; the new state (StoreError when it cannot be kept)."""
    note = None if note is None else note.strip()[:MAX_NOTE] or None
    state = load(state_dir).reported(status, at, note)
    save(state_dir, state)
    return state
