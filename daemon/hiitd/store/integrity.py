"""Before the store is opened for writing: is this file hiitd's, and is it whole?

An SD card in a Pi fails in its own ways: a file cut to 0 bytes by a full
disk or a bad copy, a page damaged mid-file, a ``-wal`` left beside the
database by another program (SQLite applies any valid write-ahead log it finds
next to a database, whoever wrote it, and the database then *becomes* the
other one). So the file is examined through a read-only connection first,
which never writes back (no checkpoint): nothing changes until it passes.

- Not hiitd's (tables but schema version 0, or without hiitd's tables):
  refused with one clear error, nothing changed (``ForeignDatabaseError``).
- Empty, not SQLite at all, or damaged (``PRAGMA quick_check``): moved aside
  with a timestamped name, together with its ``-wal`` and ``-shm`` (so it still
  opens as it was, for a look or a rescue), and a new store is started; what
  was done is said on the retained ``diagnostics`` and in the log. Only the
  daemon does this (``repair=True``); a command-line tool only refuses.

The full ``PRAGMA integrity_check`` is ``hiitd store check`` (it reads every
page and index: too slow for every start on a year of data).
"""

from __future__ import annotations

import contextlib
import sqlite3
import time
from pathlib import Path
from typing import Final

from hiitd.errors import StoreError

SQLITE_HEADER: Final = b"SQLite format 3\x00"
# hiitd's own tables (schema version 1): a database without them is not hiitd's.
HIITD_TABLES: Final = frozenset({"sessions", "hr_samples", "pod_samples", "cues", "outbox"})
SIDE_FILES: Final = ("-wal", "-shm")


class ForeignDatabaseError(StoreError):
    """The file holds another program's database: refused, nothing changed."""


def _moved_aside(path: Path, why: str, wall: float) -> Path:
    """Rename the database (and its -wal, -shm) to ``<name>.<why>-<UTC time>``."""
    stamp = time.strftime("%Y%m%dT%H%M%SZ", time.gmtime(wall))
    target = path.with_name(f"{path.name}.{why}-{stamp}")
    path.rename(target)
    for side in SIDE_FILES:
        extra = path.with_name(path.name + side)
        if extra.exists():
            extra.rename(target.with_name(target.name + side))
    return target


def _read_only(path: Path) -> sqlite3.Connection:
    return sqlite3.connect(f"file:{path}?mode=ro", uri=True, check_same_thread=False)


def _tables(conn: sqlite3.Connection) -> set[str]:
    rows = conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")
    return {str(r[0]) for r in rows if not str(r[0]).startswith("sqlite_")}


def _refuse_foreign(path: Path, tables: set[str], version: int) -> None:
    if not tables or (version > 0 and tables >= HIITD_TABLES):
        return
    shown = ", ".join(sorted(tables)[:5]) + (" ..." if len(tables) > 5 else "")
    beside = [s for s in SIDE_FILES if path.with_name(path.name + s).exists()]
    hint = (
        f" (a {' and '.join(beside)} file beside it is applied by SQLite: another "
        "program's may make the file look like its database)"
        if beside
        else ""
    )
    raise ForeignDatabaseError(
        f"{path} is not a hiitd database (tables {shown}; schema version {version}){hint}: "
        "nothing was changed. Move it aside together with its -wal and -shm files, "
        "or point STATE_DIRECTORY elsewhere"
    )


def _damage(path: Path, *, quick: bool) -> str | None:
    """What is wrong with the file as a hiitd database (None: nothing); may refuse."""
    with path.open("rb") as fh:
        if fh.read(len(SQLITE_HEADER)) != SQLITE_HEADER:
            return "not an SQLite file"
    try:
        conn = _read_only(path)
    except sqlite3.Error as exc:
        return f"cannot be opened ({exc})"
    try:
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        _refuse_foreign(path, _tables(conn), version)
        if quick:
            found = [str(r[0]) for r in conn.execute("PRAGMA quick_check(5)")]
            if found != ["ok"]:
                return "damaged (quick_check: " + "; ".join(found) + ")"
    except sqlite3.DatabaseError as exc:
        return f"damaged ({exc})"
    finally:
        with contextlib.suppress(sqlite3.Error):
            conn.close()
    return None


def examine(path: Path, *, repair: bool, quick: bool, wall: float | None = None) -> str | None:
    """Check ``path`` before it is opened for writing (see the module docstring).

    Returns what was done (a file moved aside), or None. Raises
    ``ForeignDatabaseError`` for another program's database, and, without
    ``repair``, ``StoreError`` for an empty or damaged file.
    """
    if not path.exists():
        return None  # a new store
    if path.stat().st_size == 0:
        why, reason = "empty", "empty (0 bytes: cut short by a full disk or a bad copy?)"
    else:
        damage = _damage(path, quick=quick)
        if damage is None:
            return None
        why, reason = "damaged", damage
    if not repair:
        raise StoreError(
            f"{path} is {reason}: move it aside with its -wal and -shm files (the daemon "
            "does at its next start), or check it with 'hiitd store check'"
        )
    moved = _moved_aside(path, why, time.time() if wall is None else wall)
    return f"{path.name} was {reason}; it was moved to {moved.name} and a new store was started"


def full_check(path: Path) -> list[str]:
    """SQLite's full ``integrity_check`` and foreign key check, read only: ``["ok"]`` or what."""
    conn = _read_only(Path(path))
    try:
        found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
        found += [f"foreign key: {tuple(r)}" for r in conn.execute("PRAGMA foreign_key_check")]
    finally:
        conn.close()
    return found or ["ok"]
