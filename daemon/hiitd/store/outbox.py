"""The persistent outbox: what must reach the broker (cues, step summaries, results).

A message is written here before it is published and marked delivered only when
the broker acknowledged it (QoS 1 PUBACK), so a broker outage or a daemon crash
delays it but never loses it. The row id (AUTOINCREMENT) is its stable message
id: a message may be published twice (a crash after PUBACK, before
``mark_delivered`` committed), never zero times, and consumers deduplicate on the
payload's own ids (cue ``id``, ``session_id`` + step ``index``).

Plain functions over a connection; ``Store`` wraps them with its lock, its
transactions and its error translation.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.store.rows import OutboxItem

if TYPE_CHECKING:
    import sqlite3


def enqueue(
    conn: sqlite3.Connection, topic: str, payload: bytes, *, qos: int, retain: bool, wall: float
) -> int:
    """Queue a message; its id."""
    cur = conn.execute(
        "INSERT INTO outbox (topic, payload, qos, retain, created_wall) VALUES (?, ?, ?, ?, ?)",
        (topic, payload, qos, int(retain), wall),
    )
    assert cur.lastrowid is not None  # an INSERT into a rowid table always sets it
    return cur.lastrowid


def pending(conn: sqlite3.Connection, limit: int) -> list[OutboxItem]:
    """Undelivered messages, oldest first (publish in this order)."""
    rows = conn.execute(
        "SELECT id, topic, payload, qos, retain, created_wall, attempts FROM outbox"
        " WHERE delivered_wall IS NULL ORDER BY id LIMIT ?",
        (limit,),
    )
    return [OutboxItem(r[0], r[1], bytes(r[2]), r[3], bool(r[4]), r[5], r[6]) for r in rows]


def mark_delivered(conn: sqlite3.Connection, item_id: int, wall: float) -> bool:
    """The broker acknowledged this message; False when it was not pending."""
    cur = conn.execute(
        "UPDATE outbox SET delivered_wall = ? WHERE id = ? AND delivered_wall IS NULL",
        (wall, item_id),
    )
    return cur.rowcount > 0


def note_attempt(conn: sqlite3.Connection, item_id: int) -> None:
    """A publish of this message was tried (and not yet acknowledged)."""
    conn.execute("UPDATE outbox SET attempts = attempts + 1 WHERE id = ?", (item_id,))


def pending_count(conn: sqlite3.Connection) -> int:
    """How many messages wait for the broker."""
    return int(
        conn.execute("SELECT count(*) FROM outbox WHERE delivered_wall IS NULL").fetchone()[0]
    )


def prune_delivered(conn: sqlite3.Connection, before_wall: float) -> int:
    """Delete messages delivered before this time; how many."""
    cur = conn.execute("DELETE FROM outbox WHERE delivered_wall < ?", (before_wall,))
    return cur.rowcount
