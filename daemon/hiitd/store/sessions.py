"""Session SQL: the incremental checkpoint write, reading a record back, session listings.

Plain functions over a connection inside the caller's transaction; ``Store``
adds the lock, the transactions and the error translation.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hiitd.record.session_record import SessionRecord, SessionStatus
from hiitd.store import rows
from hiitd.store.rows import SessionRow

if TYPE_CHECKING:
    import sqlite3
    from collections.abc import Callable, Mapping, Sequence

    from hiitd.record.session_record import DeviceRecord, PauseRecord, StepRecord


@dataclass(frozen=True, slots=True)
class Marks:
    """What of a session the file already holds, so a checkpoint writes only what is new.

    Points and cues only grow, so a count is enough; steps, pauses and devices
    change in place (a step gets its end), so the last written values are kept
    and only the ones that differ are rewritten.
    """

    sid: int | None
    hr: int = 0
    pod: int = 0
    cues: int = 0
    steps: tuple[StepRecord, ...] = ()
    pauses: tuple[PauseRecord, ...] = ()
    devices: tuple[DeviceRecord, ...] = ()

    @classmethod
    def of(cls, sid: int, record: SessionRecord) -> Marks:
        """Marks for a record that is entirely stored."""
        return cls(
            sid,
            len(record.hr),
            len(record.pod),
            len(record.cues),
            record.steps,
            record.pauses,
            record.devices,
        )


def sid_of(conn: sqlite3.Connection, session_id: str) -> int | None:
    """The integer key of a session, if stored."""
    row = conn.execute("SELECT sid FROM sessions WHERE id = ?", (session_id,)).fetchone()
    return None if row is None else int(row[0])


def read_marks(conn: sqlite3.Connection, session_id: str) -> Marks:
    """Marks from the file (after a restart, or after a failed checkpoint)."""
    sid = sid_of(conn, session_id)
    if sid is None:
        return Marks(None)

    def n(table: str) -> int:
        # max(seq) walks the primary key: O(log n), unlike count(*).
        sql = f"SELECT coalesce(max(seq) + 1, 0) FROM {table} WHERE sid = ?"  # noqa: S608
        return int(conn.execute(sql, (sid,)).fetchone()[0])

    # Steps, pauses and devices are few: rewriting them once after a restart is cheap.
    return Marks(sid, n("hr_samples"), n("pod_samples"), n("cues"))


_UPSERT_SESSION = """
INSERT INTO sessions (id, workout, start_wall, status, end_t, athlete, sub_sport, rpe,
    last_checkpoint_t, last_checkpoint_wall, created_wall, updated_wall)
VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)
ON CONFLICT (id) DO UPDATE SET
    workout = excluded.workout, start_wall = excluded.start_wall, status = excluded.status,
    end_t = excluded.end_t, athlete = excluded.athlete, sub_sport = excluded.sub_sport,
    rpe = coalesce(excluded.rpe, rpe), last_checkpoint_t = excluded.last_checkpoint_t,
    last_checkpoint_wall = excluded.last_checkpoint_wall, updated_wall = excluded.updated_wall
RETURNING sid
"""


def write(
    conn: sqlite3.Connection, record: SessionRecord, m: Marks, now: float
) -> tuple[int, Marks]:
    """Write what of ``record`` the file lacks; (rows written, the new marks)."""
    values = (
        record.session_id,
        record.workout,
        record.start_wall,
        record.status.value,
        record.end_t,
        rows.athlete_json(record.athlete),
        record.sub_sport,
        record.rpe,  # None keeps an RPE given after the session (set_rpe)
        rows.last_t(record),
        now,
        now,
        now,
    )
    sid = int(conn.execute(_UPSERT_SESSION, values).fetchone()[0])
    written = 1

    def put(verb: str, table: str, new: list[rows.Row]) -> None:
        nonlocal written
        if new:
            marks = ", ".join("?" * len(new[0]))
            sql = f"{verb} INTO {table} VALUES ({marks})"
            conn.executemany(sql, new)
            written += len(new)

    def appended(items: Sequence[Any], start: int, f: Callable[..., rows.Row]) -> list[rows.Row]:
        # OR IGNORE: a point already stored (same seq) is never duplicated.
        return [f(sid, i, x) for i, x in enumerate(items[start:], start)]

    def changed(
        old: Sequence[Any], items: Sequence[Any], f: Callable[..., rows.Row]
    ) -> list[rows.Row]:
        return [f(sid, i, x) for i, x in enumerate(items) if i >= len(old) or old[i] != x]

    put("INSERT OR IGNORE", "hr_samples", appended(record.hr, m.hr, rows.hr_row))
    put("INSERT OR IGNORE", "pod_samples", appended(record.pod, m.pod, rows.pod_row))
    put("INSERT OR IGNORE", "cues", appended(record.cues, m.cues, rows.cue_row))
    put("INSERT OR REPLACE", "steps", changed(m.steps, record.steps, rows.step_row))
    put("INSERT OR REPLACE", "pauses", changed(m.pauses, record.pauses, rows.pause_row))
    put("INSERT OR REPLACE", "devices", changed(m.devices, record.devices, rows.device_row))
    new = Marks(
        sid,
        max(m.hr, len(record.hr)),
        max(m.pod, len(record.pod)),
        max(m.cues, len(record.cues)),
        record.steps,
        record.pauses,
        record.devices,
    )
    return written, new


def read(conn: sqlite3.Connection, session_id: str) -> tuple[int, SessionRecord] | None:
    """(sid, the stored record), or None when there is no such session."""
    row = conn.execute(
        "SELECT sid, id, workout, start_wall, status, end_t, athlete, sub_sport, rpe"
        " FROM sessions WHERE id = ?",
        (session_id,),
    ).fetchone()
    if row is None:
        return None
    sid = int(row[0])

    def q(columns: str, table: str) -> list[rows.Row]:
        sql = f"SELECT {columns} FROM {table} WHERE sid = ? ORDER BY seq"  # noqa: S608
        return conn.execute(sql, (sid,)).fetchall()

    step_cols = "step_index, name, label, intensity, start_t, end_t, duration_type,"
    step_cols += " duration_value, target_type, target_low, target_high, ended_by,"
    step_cols += " in_s, below_s, above_s, gap_s, unscored"
    device_cols = "role, address, name, manufacturer, model, serial, firmware, battery"
    pod_cols = "t, speed_mps, cadence_spm, stride_m, distance_m"
    record = SessionRecord(
        session_id=row[1],
        workout=row[2],
        start_wall=row[3],
        status=SessionStatus(row[4]),
        end_t=row[5],
        athlete=rows.athlete_snapshot(row[6]),
        hr=tuple(map(rows.hr_point, q("t, bpm, rr, contact", "hr_samples"))),
        pod=tuple(map(rows.pod_point, q(pod_cols, "pod_samples"))),
        steps=tuple(map(rows.step_record, q(step_cols, "steps"))),
        pauses=tuple(map(rows.pause_record, q("start_t, end_t, auto", "pauses"))),
        cues=tuple(map(rows.cue_record, q("t, cue_id, kind, text, step_index", "cues"))),
        devices=tuple(map(rows.device_record, q(device_cols, "devices"))),
        sub_sport=row[7],
        rpe=row[8],
    )
    return sid, record


def listing(conn: sqlite3.Connection, where: str, limit: int) -> list[SessionRow]:
    """Session rows (``where`` is a fixed SQL condition), newest first."""
    columns = "id, workout, start_wall, status, coalesce(end_t, last_checkpoint_t),"
    columns += " distance_m, summary IS NOT NULL, rpe, last_checkpoint_wall,"
    columns += " EXISTS (SELECT 1 FROM imports WHERE imports.sid = sessions.sid)"
    order = "ORDER BY start_wall DESC, sid DESC LIMIT ?"
    sql = f"SELECT {columns} FROM sessions WHERE {where} {order}"  # noqa: S608 (fixed text)
    found = conn.execute(sql, (limit,))
    return [
        SessionRow(
            session_id=r[0],
            workout=r[1],
            start_wall=r[2],
            status=r[3],
            duration_s=r[4],
            distance_m=r[5],
            has_summary=bool(r[6]),
            rpe=r[7],
            last_checkpoint_wall=r[8],
            source="import" if r[9] else "live",
        )
        for r in found
    ]


def set_summary(
    conn: sqlite3.Connection,
    sid: int,
    summary: Mapping[str, Any],
    metrics: Mapping[str, Any] | None,
    now: float,
) -> None:
    """Keep a session's summary (and metrics; None keeps those stored) as strict JSON."""
    distance = summary.get("distance_m")
    distance = float(distance) if isinstance(distance, int | float) else None
    # Strict JSON (no Infinity or NaN): what is stored must read back as JSON anywhere.
    text = json.dumps(summary, separators=(",", ":"), allow_nan=False)
    mtext = None if metrics is None else json.dumps(metrics, separators=(",", ":"), allow_nan=False)
    conn.execute(
        "UPDATE sessions SET summary = ?, metrics = coalesce(?, metrics), distance_m = ?,"
        " updated_wall = ? WHERE sid = ?",
        (text, mtext, distance, now, sid),
    )


def close_interrupted(conn: sqlite3.Connection, sid: int, now: float) -> bool:
    """Close a running session at its last checkpoint; False when it was not running."""
    found = conn.execute(
        "UPDATE sessions SET status = 'interrupted', updated_wall = ?,"
        " end_t = coalesce(last_checkpoint_t, 0)"
        " WHERE sid = ? AND status = 'running' RETURNING end_t",
        (now, sid),
    ).fetchone()
    if found is None:
        return False
    for table in ("steps", "pauses"):  # close what was open; nothing ends before it starts
        conn.execute(
            f"UPDATE {table} SET end_t = coalesce(max(start_t, ?1), ?1)"  # noqa: S608
            " WHERE sid = ?2 AND end_t IS NULL",
            (found[0], sid),
        )
    return True


def prune_samples(conn: sqlite3.Connection, before_wall: float, now: float) -> int:
    """Delete raw samples of finished sessions started before ``before_wall``; how many sessions."""
    sids = [
        r[0]
        for r in conn.execute(
            "SELECT sid FROM sessions WHERE start_wall < ? AND status != 'running'"
            " AND samples_pruned_wall IS NULL",
            (before_wall,),
        )
    ]
    for sid in sids:
        conn.execute("DELETE FROM hr_samples WHERE sid = ?", (sid,))
        conn.execute("DELETE FROM pod_samples WHERE sid = ?", (sid,))
        conn.execute("UPDATE sessions SET samples_pruned_wall = ? WHERE sid = ?", (now, sid))
    return len(sids)
