"""Imported sessions' SQL: where an imported session came from, and its file's sha256.

Plain functions over a connection inside the caller's transaction (``Store`` adds
the lock and the transaction). A live session has no ``imports`` row.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import sqlite3


@dataclass(frozen=True, slots=True)
class ImportOrigin:
    """Where an imported session came from (FIT file_id and session messages)."""

    sha256: str
    file_name: str
    device: str | None = None  # "garmin fr920xt"
    sport: str | None = None
    sub_sport: str | None = None
    imported_wall: float = 0.0


def session_with(conn: sqlite3.Connection, sha256: str) -> str | None:
    """The id of the session imported from the file with this sha256, if any."""
    row = conn.execute(
        "SELECT s.id FROM imports i JOIN sessions s ON s.sid = i.sid WHERE i.sha256 = ?",
        (sha256,),
    ).fetchone()
    return None if row is None else str(row[0])


def insert(conn: sqlite3.Connection, sid: int, origin: ImportOrigin) -> None:
    """Keep the origin of session ``sid``."""
    conn.execute(
        "INSERT INTO imports (sid, sha256, file_name, device, sport, sub_sport, imported_wall)"
        " VALUES (?, ?, ?, ?, ?, ?, ?)",
        (
            sid,
            origin.sha256,
            origin.file_name,
            origin.device,
            origin.sport,
            origin.sub_sport,
            origin.imported_wall,
        ),
    )


def origin_of(conn: sqlite3.Connection, sid: int) -> ImportOrigin | None:
    """The origin of session ``sid``; None for a live session."""
    row = conn.execute(
        "SELECT sha256, file_name, device, sport, sub_sport, imported_wall FROM imports"
        " WHERE sid = ?",
        (sid,),
    ).fetchone()
    return None if row is None else ImportOrigin(*row)
