"""The SQLite file: connection settings (and why), tables, schema version and migrations.

Durability on an SD card, in short: the journal is a write-ahead log (WAL) and
``synchronous=NORMAL``. A commit appends its pages to ``hiitd.sqlite3-wal`` and
returns *without* fsync; the WAL is fsynced only when SQLite copies it back into
the database (a WAL checkpoint, about every 1000 pages) or when a caller asks for
a durable commit (see ``Store.save(durable=True)``: that one commit runs with
``synchronous=FULL``).

- A process kill (SIGKILL, OOM, a crash, systemd's stop timeout) loses nothing
  committed: the written WAL pages sit in the kernel's page cache, which outlives
  the process, and the next open replays them.
- A power cut can lose the commits made since the last fsync (the kernel usually
  writes dirty pages out within ~30 s anyway). It never corrupts the file: WAL
  frames carry checksums, and recovery stops at the last complete commit. The
  recorder bounds the loss by making one commit durable every ``durable_s``
  (30 s by default) and at every session end.
- ``synchronous=FULL`` would fsync at every checkpoint of the recorder (every
  2 s): 1800 fsyncs an hour, each 5-50 ms on an SD card, each rewriting flash
  erase blocks (wear), for seconds of data that a power cut during a run puts at
  risk anyway. NORMAL plus periodic durable commits is the trade made here.

Samples reference sessions by an integer key (``sid``) rather than the text id,
and sample tables are ``WITHOUT ROWID`` clustered on ``(sid, seq)``, to keep an
hour of 1 Hz data small and to make re-inserting a point a no-op (``seq`` is the
point's position in the record).
"""

from __future__ import annotations

import sqlite3
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

FILE_NAME = "hiitd.sqlite3"
# Another process (``hiitd sessions list``) may hold the write lock briefly; wait
# for it rather than fail. Readers never block the writer in WAL mode.
BUSY_TIMEOUT_MS = 5000

_V1 = """
CREATE TABLE sessions (
    sid INTEGER PRIMARY KEY,
    id TEXT NOT NULL UNIQUE,
    workout TEXT,
    start_wall REAL NOT NULL,
    status TEXT NOT NULL,
    end_t REAL,
    athlete TEXT NOT NULL,              -- AthleteSnapshot as JSON
    sub_sport TEXT NOT NULL DEFAULT 'generic',
    rpe INTEGER,
    summary TEXT,                       -- the engine's SessionSummary payload, JSON
    metrics TEXT,                       -- computed metrics, JSON
    distance_m REAL,                    -- from the summary, for listings
    last_checkpoint_t REAL,             -- latest t the store holds for this session
    last_checkpoint_wall REAL,          -- Unix time of the last checkpoint commit
    samples_pruned_wall REAL,           -- raw samples deleted by retention at this time
    created_wall REAL NOT NULL,
    updated_wall REAL NOT NULL
);
CREATE INDEX sessions_by_start ON sessions (start_wall);
CREATE INDEX sessions_running ON sessions (status) WHERE status = 'running';

-- Value columns are nullable on purpose: a strange value (NaN becomes NULL in
-- SQLite) must never make every later checkpoint of a session fail.
CREATE TABLE hr_samples (
    sid INTEGER NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    t REAL,
    bpm INTEGER,                        -- NULL: no data (never 0)
    rr TEXT,                            -- RR intervals, ms, comma-separated repr()s
    contact INTEGER,                    -- 1, 0 or NULL (strap cannot tell)
    PRIMARY KEY (sid, seq)
) WITHOUT ROWID;

CREATE TABLE pod_samples (
    sid INTEGER NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    t REAL,
    speed_mps REAL,
    cadence_spm REAL,
    stride_m REAL,
    distance_m REAL,
    PRIMARY KEY (sid, seq)
) WITHOUT ROWID;

CREATE TABLE steps (
    sid INTEGER NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,               -- position in the record
    step_index INTEGER,                 -- position in the expanded workout
    name TEXT, label TEXT, intensity TEXT,
    start_t REAL, end_t REAL,
    duration_type TEXT, duration_value REAL,
    target_type TEXT, target_low REAL, target_high REAL,
    ended_by TEXT,
    PRIMARY KEY (sid, seq)
) WITHOUT ROWID;

CREATE TABLE pauses (
    sid INTEGER NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    start_t REAL, end_t REAL, auto INTEGER,
    PRIMARY KEY (sid, seq)
) WITHOUT ROWID;

CREATE TABLE cues (
    sid INTEGER NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    t REAL, cue_id TEXT, kind TEXT, text TEXT, step_index INTEGER,
    PRIMARY KEY (sid, seq)
) WITHOUT ROWID;

CREATE TABLE devices (
    sid INTEGER NOT NULL REFERENCES sessions (sid) ON DELETE CASCADE,
    seq INTEGER NOT NULL,
    role TEXT, address TEXT, name TEXT, manufacturer TEXT, model TEXT,
    serial TEXT, firmware TEXT, battery INTEGER,
    PRIMARY KEY (sid, seq)
) WITHOUT ROWID;

CREATE TABLE commands (
    id INTEGER PRIMARY KEY,
    wall REAL NOT NULL,
    session_id TEXT,
    action TEXT NOT NULL,
    payload TEXT,                       -- truncated
    ok INTEGER NOT NULL,
    error TEXT
);

-- AUTOINCREMENT: an id is never reused, even after the newest rows are pruned,
-- so it is a stable message id for deduplication downstream.
CREATE TABLE outbox (
    id INTEGER PRIMARY KEY AUTOINCREMENT,
    topic TEXT NOT NULL,
    payload BLOB NOT NULL,
    qos INTEGER NOT NULL,
    retain INTEGER NOT NULL,
    created_wall REAL NOT NULL,
    delivered_wall REAL,
    attempts INTEGER NOT NULL DEFAULT 0
);
CREATE INDEX outbox_pending ON outbox (id) WHERE delivered_wall IS NULL;
"""

# Version 2: readiness check-ins (``hiitd checkin``), one row per measurement.
# A new table only: nothing of version 1 changes, so a file migrates in place.
_V2 = """
CREATE TABLE checkins (
    id INTEGER PRIMARY KEY,
    wall REAL NOT NULL,                 -- Unix time of the measurement
    day TEXT NOT NULL,                  -- its local calendar day, ISO 8601
    resting_hr REAL,
    rmssd_ms REAL,
    ln_rmssd REAL,
    beats INTEGER,                      -- RR intervals measured (NULL: typed in)
    artefact_pct REAL,
    source TEXT NOT NULL                -- rr_file, manual, strap
);
CREATE INDEX checkins_by_day ON checkins (day);
"""

# Version 3: each step keeps the coach's score as it ended (coach/compliance.py), so
# every report shows the figure the runner heard. New columns only, NULL on older
# rows (those are scored again from their samples by the same rule).
_V3 = """
ALTER TABLE steps ADD COLUMN in_s REAL;
ALTER TABLE steps ADD COLUMN below_s REAL;
ALTER TABLE steps ADD COLUMN above_s REAL;
ALTER TABLE steps ADD COLUMN gap_s REAL;
ALTER TABLE steps ADD COLUMN unscored TEXT
"""

# Version 4: sessions imported from a FIT activity recorded elsewhere (``hiitd sessions
# import``, the watched import folder), one row per imported session: where it came
# from, and the file's sha256 so that importing the same file twice is refused.
# A new table only: live sessions have no row, so nothing of version 3 changes.
_V4 = """
CREATE TABLE imports (
    sid INTEGER PRIMARY KEY REFERENCES sessions (sid) ON DELETE CASCADE,
    sha256 TEXT NOT NULL UNIQUE,        -- of the file's bytes, hex
    file_name TEXT NOT NULL,            -- the file's name when imported (no folder)
    device TEXT,                        -- FIT file_id manufacturer and product
    sport TEXT, sub_sport TEXT,         -- FIT session (else sport message)
    imported_wall REAL NOT NULL
)
"""

# MIGRATIONS[n] takes a database at user_version n to n + 1, inside one
# transaction. Add new steps at the end; never edit a released one.
MIGRATIONS: tuple[Callable[[sqlite3.Connection], None], ...] = (
    lambda conn: _script(conn, _V1),
    lambda conn: _script(conn, _V2),
    lambda conn: _script(conn, _V3),
    lambda conn: _script(conn, _V4),
)
SCHEMA_VERSION = len(MIGRATIONS)


def _script(conn: sqlite3.Connection, sql: str) -> None:
    # executescript() would COMMIT first; run statement by statement instead so
    # the migration stays inside the caller's transaction.
    for statement in sql.split(";"):
        if statement.strip():
            conn.execute(statement)


CACHE_KIB = 1024


def connect(path: Path) -> sqlite3.Connection:
    """Open the file with hiitd's settings. Raises sqlite3.Error."""
    # check_same_thread=False: the daemon calls the store from asyncio.to_thread
    # workers, any of which may run a call; Store serialises calls with a lock.
    # isolation_level=None: transactions are explicit (BEGIN IMMEDIATE ... COMMIT).
    conn = sqlite3.connect(
        path, timeout=BUSY_TIMEOUT_MS / 1000, isolation_level=None, check_same_thread=False
    )
    try:
        conn.execute(f"PRAGMA busy_timeout = {BUSY_TIMEOUT_MS}")
        mode = conn.execute("PRAGMA journal_mode = WAL").fetchone()[0]
        if str(mode).lower() != "wal":
            # WAL needs shared memory next to the file (not on some network
            # filesystems); the rollback journal still works, only slower.
            conn.execute("PRAGMA journal_mode = DELETE")
        conn.execute("PRAGMA synchronous = NORMAL")
        conn.execute("PRAGMA foreign_keys = ON")
        # 1 MiB of page cache, not SQLite's 2 MiB: the daemon appends and reads
        # little back, and on a Pi Zero every connection's cache is resident.
        conn.execute(f"PRAGMA cache_size = -{CACHE_KIB}")
        migrate(conn)
    except BaseException:
        conn.close()
        raise
    return conn


def migrate(conn: sqlite3.Connection) -> None:
    """Bring the schema to SCHEMA_VERSION; refuse a file written by a newer hiitd."""
    version = int(conn.execute("PRAGMA user_version").fetchone()[0])
    if version == SCHEMA_VERSION:
        return
    if version == 0:
        found = conn.execute(
            "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%'"
        ).fetchone()[0]
        if found:  # tables, yet never migrated: not hiitd's (integrity.py refuses it first)
            raise sqlite3.DatabaseError(
                "the file has tables but no hiitd schema version: it is not hiitd's database"
            )
    if version > SCHEMA_VERSION:
        msg = f"schema version {version} is newer than this hiitd's ({SCHEMA_VERSION})"
        raise sqlite3.DatabaseError(msg + "; upgrade hiitd or move the file aside")
    conn.execute("BEGIN IMMEDIATE")
    try:
        # Re-read under the write lock: another process may have migrated meanwhile.
        version = int(conn.execute("PRAGMA user_version").fetchone()[0])
        for step in MIGRATIONS[version:]:
            step(conn)
        conn.execute(f"PRAGMA user_version = {SCHEMA_VERSION}")
        conn.execute("COMMIT")
    except BaseException:
        if conn.in_transaction:
            conn.execute("ROLLBACK")
        raise
