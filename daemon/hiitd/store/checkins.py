"""Readiness check-ins in the store: rows in, rows out (schema version 2)."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


@dataclass(frozen=True, slots=True)
class CheckinRow:
    """One resting measurement as stored."""

    wall: float
    day: str  # local calendar day, ISO 8601
    resting_hr: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None
    beats: int | None
    artefact_pct: float | None
    source: str


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
