"""The session store: one SQLite file, ``<state_dir>/hiitd.sqlite3`` (settings: schema.py).

Synchronous and short by design. Every call is one small transaction (a
checkpoint of 2-5 s of samples is a few hundred rows), so the daemon may call
tiny writes (``enqueue``, ``mark_delivered``, ``log_command``) on the event loop
and runs checkpoints, loads and pruning in a worker (``asyncio.to_thread``). The
connection is shared by those threads; a lock makes calls one at a time.

Every failure (disk full, read-only or missing state directory, a damaged
file) comes out as ``StoreError`` saying what to check; nothing else escapes.
"""

from __future__ import annotations

import contextlib
import json
import os
import sqlite3
import threading
import time
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any, Self

from hiitd.errors import StoreError
from hiitd.record.session_record import SessionRecord, SessionStatus
from hiitd.store import checkins, imports, integrity, outbox, schema, sessions

if TYPE_CHECKING:
    from collections.abc import Iterator, Mapping

    from hiitd.plan.checkin_values import CheckinRow
    from hiitd.store.imports import ImportOrigin
    from hiitd.store.rows import OutboxItem, SessionRow

COMMAND_PAYLOAD_MAX = 500  # characters of a command payload kept in the log
_DAY_S = 86400.0


@dataclass
class Store:
    """hiitd's sessions, samples, command log and outbox. Open with ``Store.open``."""

    path: Path
    _conn: sqlite3.Connection
    _lock: threading.RLock = field(default_factory=threading.RLock)
    _marks: dict[str, sessions.Marks] = field(default_factory=dict)
    note: str | None = None  # what opening it did to a damaged file (integrity.py)

    # ------------------------------------------------------------ lifecycle

    @classmethod
    def open(
        cls,
        state_dir: Path,
        *,
        repair: bool = False,
        quick_check: bool = False,
        wall: float | None = None,
    ) -> Self:
        """Open (creating, migrating) the store in ``state_dir``, after examining the file.

        Another program's database is refused, nothing changed; an empty or
        damaged file (``quick_check``: the full page check) is moved aside
        with ``repair`` (the daemon) and refused without (integrity.py);
        ``note`` then says what was moved where.
        """
        path = Path(state_dir) / schema.FILE_NAME
        try:
            path.parent.mkdir(parents=True, exist_ok=True)
            _keep_private(path.parent)
            note = integrity.examine(path, repair=repair, quick=quick_check, wall=wall)
            conn = schema.connect(path)
        except (sqlite3.Error, OSError) as exc:
            raise _error(path, "open", exc) from exc
        return cls(path, conn, note=note)

    def close(self) -> None:
        """Close the file (the last connection folds the WAL back into it)."""
        with self._lock, contextlib.suppress(sqlite3.Error):
            self._conn.close()

    def __enter__(self) -> Self:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    @contextlib.contextmanager
    def _tx(self, what: str, *, durable: bool = False) -> Iterator[sqlite3.Connection]:
        """One write transaction; sqlite3 and OS errors become StoreError."""
        conn = self._conn
        with self._lock:
            try:
                if durable:  # this commit fsyncs the WAL (see schema.py)
                    conn.execute("PRAGMA synchronous = FULL")
                # IMMEDIATE: take the write lock now (waiting busy_timeout for
                # another process) rather than fail half-way at the first write.
                conn.execute("BEGIN IMMEDIATE")
                yield conn
                conn.execute("COMMIT")
            except (sqlite3.Error, OSError, OverflowError, UnicodeError) as exc:
                _rollback(conn)
                raise _error(self.path, what, exc) from exc
            except BaseException:
                _rollback(conn)
                raise
            finally:
                if durable:
                    with contextlib.suppress(sqlite3.Error):
                        conn.execute("PRAGMA synchronous = NORMAL")

    @contextlib.contextmanager
    def _read(self, what: str) -> Iterator[sqlite3.Connection]:
        with self._lock:
            try:
                yield self._conn
            except (sqlite3.Error, OSError) as exc:
                raise _error(self.path, what, exc) from exc

    # ------------------------------------------------------------- sessions

    def save(
        self, record: SessionRecord, *, durable: bool = False, wall: float | None = None
    ) -> int:
        """Checkpoint a session: its new points and changed steps, in one transaction.

        Only points beyond those already stored are written (the store tracks
        how many it holds per session, and a point's ``seq`` key makes a repeat
        a no-op), so calling this every few seconds costs only the new data.
        ``durable`` makes this commit survive a power cut too (schema.py).
        Returns the number of rows written.
        """
        now = time.time() if wall is None else wall
        key = record.session_id
        with self._lock:
            try:
                with self._tx("checkpoint", durable=durable) as conn:
                    marks = self._marks.get(key) or sessions.read_marks(conn, key)
                    written, new = sessions.write(conn, record, marks, now)
            except BaseException:
                self._marks.pop(key, None)  # re-read from the file next time
                raise
            self._marks[key] = new  # only once committed
        return written

    def load(self, session_id: str) -> SessionRecord:
        """The stored session (raw samples are empty once retention pruned them)."""
        return self._load(session_id)[1]

    def load_for_resume(self, session_id: str) -> SessionRecord:
        """An unfinished session to continue: later saves append after what it holds."""
        sid, record = self._load(session_id)
        if record.status is not SessionStatus.RUNNING:
            raise StoreError(f"session {session_id!r} is {record.status}, not resumable")
        self._marks[session_id] = sessions.Marks.of(sid, record)
        return record

    def _load(self, session_id: str) -> tuple[int, SessionRecord]:
        with self._read("load session") as conn:
            found = sessions.read(conn, session_id)
        if found is None:
            raise StoreError(f"no session {session_id!r} in {self.path}")
        return found

    def list_sessions(self, limit: int = 50) -> list[SessionRow]:
        """The newest sessions first."""
        with self._read("list sessions") as conn:
            return sessions.listing(conn, "1", limit)

    def unfinished(self) -> list[SessionRow]:
        """Sessions still marked running (the daemon stopped during them), newest first."""
        with self._read("list sessions") as conn:
            return sessions.listing(conn, "status = 'running'", -1)

    def newest_wall(self) -> float | None:
        """The newest wall time any session holds (start or last checkpoint), or None."""
        with self._read("read newest session") as conn:
            row = conn.execute(
                "SELECT max(max(start_wall, coalesce(last_checkpoint_wall, start_wall)))"
                " FROM sessions"
            ).fetchone()
        return None if row is None or row[0] is None else float(row[0])

    def latest_id(self) -> str | None:
        """The id of the newest session, if any."""
        found = self.list_sessions(1)
        return found[0].session_id if found else None

    def mark_interrupted(self, session_id: str, *, wall: float | None = None) -> bool:
        """Close an unfinished session at its last checkpoint (open steps and pauses too).

        False (and nothing changes) when the session was not running.
        """
        now = time.time() if wall is None else wall
        with self._tx("close session", durable=True) as conn:
            closed = sessions.close_interrupted(conn, self._sid(conn, session_id), now)
        self._marks.pop(session_id, None)
        return closed

    def set_summary(
        self,
        session_id: str,
        summary: Mapping[str, Any],
        metrics: Mapping[str, Any] | None = None,
    ) -> None:
        """Keep the engine's session summary (and metrics; None keeps those stored)."""
        with self._tx("save summary", durable=True) as conn:
            sid = self._sid(conn, session_id)
            sessions.set_summary(conn, sid, summary, metrics, time.time())

    def summary(self, session_id: str) -> dict[str, Any] | None:
        """The stored session summary, if any."""
        return self._json(session_id, "summary")

    def metrics(self, session_id: str) -> dict[str, Any] | None:
        """The stored metrics, if any."""
        return self._json(session_id, "metrics")

    def _json(self, session_id: str, column: str) -> dict[str, Any] | None:
        with self._read("load session") as conn:
            sql = f"SELECT {column} FROM sessions WHERE sid = ?"  # noqa: S608 (a fixed name)
            text = conn.execute(sql, (self._sid(conn, session_id),)).fetchone()[0]
        value = None if text is None else json.loads(text)
        return value if isinstance(value, dict) else None

    # ------------------------------------------------------- imported sessions

    def import_session(
        self,
        record: SessionRecord,
        summary: Mapping[str, Any],
        metrics: Mapping[str, Any] | None,
        origin: ImportOrigin,
        *,
        wall: float | None = None,
    ) -> tuple[str, bool]:
        """Keep a session imported from a file, whole, in one durable transaction.

        Returns (the session id, True); or, when a file with the same sha256 was
        imported before, (that session's id, False) and nothing is written.
        """
        now = time.time() if wall is None else wall
        with self._tx("import session", durable=True) as conn:
            found = imports.session_with(conn, origin.sha256)
            if found is not None:
                return found, False
            if sessions.sid_of(conn, record.session_id) is not None:
                raise StoreError(f"a session {record.session_id!r} is already stored")
            _, marks = sessions.write(conn, record, sessions.Marks(None), now)
            sid = marks.sid if marks.sid is not None else self._sid(conn, record.session_id)
            sessions.set_summary(conn, sid, summary, metrics, now)
            imports.insert(conn, sid, origin)
        return record.session_id, True

    def overlapping(self, start_wall: float, end_wall: float, min_s: float) -> list[str]:
        """Sessions whose time shares at least ``min_s`` seconds with ``start_wall..end_wall``."""
        end = "start_wall + coalesce(end_t, last_checkpoint_t, 0)"
        with self._read("list sessions") as conn:
            found = conn.execute(
                f"SELECT id FROM sessions WHERE min({end}, ?2) - max(start_wall, ?1) >= ?3"  # noqa: S608
                " ORDER BY start_wall",
                (start_wall, end_wall, min_s),
            )
            return [str(r[0]) for r in found]

    def imported_as(self, sha256: str) -> str | None:
        """The session imported from the file with this sha256, if any."""
        with self._read("read imports") as conn:
            return imports.session_with(conn, sha256)

    def origin(self, session_id: str) -> ImportOrigin | None:
        """Where an imported session came from; None for a session recorded live."""
        with self._read("read imports") as conn:
            return imports.origin_of(conn, self._sid(conn, session_id))

    def set_rpe(self, session_id: str, rpe: int | None) -> None:
        """The runner's session RPE (0-10), or None to clear it."""
        if rpe is not None and not 0 <= rpe <= 10:
            raise ValueError(f"RPE is 0 to 10, not {rpe}")
        with self._tx("save RPE") as conn:
            conn.execute(
                "UPDATE sessions SET rpe = ?, updated_wall = ? WHERE sid = ?",
                (rpe, time.time(), self._sid(conn, session_id)),
            )

    def _sid(self, conn: sqlite3.Connection, session_id: str) -> int:
        sid = sessions.sid_of(conn, session_id)
        if sid is None:
            raise StoreError(f"no session {session_id!r} in {self.path}")
        return sid

    # ------------------------------------------------------------- check-ins

    def add_checkin(self, row: CheckinRow) -> None:
        """Keep a readiness check-in (``hiitd checkin``)."""
        with self._tx("save check-in", durable=True) as conn:
            checkins.insert(conn, row)

    def checkins(self, since_day: str) -> list[CheckinRow]:
        """Check-ins from ``since_day`` (ISO date) on, oldest first."""
        with self._read("read check-ins") as conn:
            return checkins.since(conn, since_day)

    # ----------------------------------------------------------------- logs

    def log_command(
        self,
        action: str,
        payload: str | bytes | None,
        ok: bool,
        error: str | None = None,
        *,
        session_id: str | None = None,
        wall: float | None = None,
    ) -> None:
        """Log an MQTT/console command and its outcome (payload truncated)."""
        if isinstance(payload, bytes):
            payload = payload.decode("utf-8", "replace")
        if payload is not None and len(payload) > COMMAND_PAYLOAD_MAX:
            payload = payload[:COMMAND_PAYLOAD_MAX] + "…"
        with self._tx("log command") as conn:
            conn.execute(
                "INSERT INTO commands (wall, session_id, action, payload, ok, error)"
                " VALUES (?, ?, ?, ?, ?, ?)",
                (time.time() if wall is None else wall, session_id, action, payload, ok, error),
            )

    def commands(self, limit: int = 100) -> list[tuple[float, str, str | None, bool, str | None]]:
        """The newest logged commands: (wall, action, payload, ok, error)."""
        with self._read("read command log") as conn:
            found = conn.execute(
                "SELECT wall, action, payload, ok, error FROM commands ORDER BY id DESC LIMIT ?",
                (limit,),
            )
            return [(r[0], r[1], r[2], bool(r[3]), r[4]) for r in found]

    # --------------------------------------------------------------- outbox

    def enqueue(self, topic: str, payload: bytes, qos: int = 1, retain: bool = False) -> int:
        """Queue a message for the broker; its stable id."""
        with self._tx("queue message") as conn:
            return outbox.enqueue(conn, topic, payload, qos=qos, retain=retain, wall=time.time())

    def pending(self, limit: int = 100) -> list[OutboxItem]:
        """Messages not yet acknowledged by the broker, oldest first."""
        with self._read("read outbox") as conn:
            return outbox.pending(conn, limit)

    def mark_delivered(self, item_id: int) -> bool:
        """The broker acknowledged ``item_id``; False when it was not pending."""
        with self._tx("mark delivered") as conn:
            return outbox.mark_delivered(conn, item_id, time.time())

    def note_attempt(self, item_id: int) -> None:
        """A publish of ``item_id`` was tried and not acknowledged."""
        with self._tx("count attempt") as conn:
            outbox.note_attempt(conn, item_id)

    def pending_count(self) -> int:
        """How many messages wait for the broker."""
        with self._read("read outbox") as conn:
            return outbox.pending_count(conn)

    def prune_delivered(self, older_than_s: float, *, now_wall: float | None = None) -> int:
        """Forget messages delivered more than ``older_than_s`` ago; how many."""
        now = time.time() if now_wall is None else now_wall
        with self._tx("prune outbox") as conn:
            return outbox.prune_delivered(conn, now - older_than_s)

    # ---------------------------------------------------------- maintenance

    def prune_samples(self, retention_days: int | None, *, now_wall: float | None = None) -> int:
        """Delete raw samples of sessions older than the retention; how many sessions.

        Sessions, steps, pauses, cues, devices, summaries and metrics stay.
        ``None`` keeps samples forever. Running sessions are never touched.
        """
        if retention_days is None:
            return 0
        now = time.time() if now_wall is None else now_wall
        with self._tx("prune samples") as conn:
            count = sessions.prune_samples(conn, now - retention_days * _DAY_S, now)
        self._marks.clear()
        return count

    def integrity_check(self) -> str:
        """SQLite's integrity check: "ok", or what is wrong."""
        with self._read("check integrity") as conn:
            found = [str(r[0]) for r in conn.execute("PRAGMA integrity_check")]
            found += [f"foreign key: {r}" for r in conn.execute("PRAGMA foreign_key_check")]
        return "\n".join(found)


def _keep_private(folder: Path) -> None:
    """A state folder an older version left world-readable is closed to others (0750)."""
    with contextlib.suppress(OSError):
        st = folder.stat()
        if st.st_mode & 0o007 and st.st_uid == os.getuid():
            folder.chmod(st.st_mode & 0o770)


def _rollback(conn: sqlite3.Connection) -> None:
    with contextlib.suppress(sqlite3.Error):  # also: the connection is closed
        if conn.in_transaction:
            conn.execute("ROLLBACK")


def _error(path: Path, what: str, exc: BaseException) -> StoreError:
    """A StoreError that says what failed and what to check."""
    text = str(exc)
    if "not a database" in text or "malformed" in text:
        advice = "the file is damaged or not hiitd's: move it aside and hiitd starts a new one"
    elif "newer" in text:
        advice = "this file was written by a newer hiitd"
    else:
        advice = f"check free space / permissions of {path.parent}"
    return StoreError(f"session store: cannot {what} ({path}): {text}; {advice}")
