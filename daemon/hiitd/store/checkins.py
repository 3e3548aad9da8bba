"""Readiness check-ins in the store: rows in, rows out (schema version 2)."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.plan.checkin_values import CheckinRow

if TYPE_CHECKING:
    import sqlite3


def insert(conn: sqlite3.Connection, row: CheckinRow) -> None:
    """Add one check-in."""
    conn.execute(
        "INSERT INTO checkins (wall, day, resting_hr, rmssd_ms, ln_rmssd, beats, artefact_pct,"
        " source) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
        (
            row.wall,
            row.day,
            row.resting_hr,
            row.rmssd_ms,
            row.ln_rmssd,
            row.beats,
            row.artefact_pct,
            row.source,
        ),
    )


def since(conn: sqlite3.Connection, day: str) -> list[CheckinRow]:
    """The check-ins of ``day`` (ISO) and later, oldest first."""
    found = conn.execute(
        "SELECT wall, day, resting_hr, rmssd_ms, ln_rmssd, beats, artefact_pct, source"
        " FROM checkins WHERE day >= ? ORDER BY wall",
        (day,),
    )
    return [CheckinRow(*r) for r in found]
