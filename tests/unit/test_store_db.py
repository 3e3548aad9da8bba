"""The SQLite store on real files: round trips, incremental checkpoints, summaries, retention."""

from __future__ import annotations

import dataclasses
import sqlite3
from typing import TYPE_CHECKING

import pytest
from store_rig import WALL0, Session, full_session

from hiitd.errors import StoreError
from hiitd.record.session_record import SessionRecord, SessionStatus
from hiitd.store import schema
from hiitd.store.db import COMMAND_PAYLOAD_MAX, Store

if TYPE_CHECKING:
    from pathlib import Path


def rows(path: Path, table: str) -> int:
    with sqlite3.connect(path / schema.FILE_NAME) as conn:
        return int(conn.execute(f"SELECT count(*) FROM {table}").fetchone()[0])  # noqa: S608


def finished(tmp_path: Path) -> tuple[Store, SessionRecord]:
    store = Store.open(tmp_path)
    rec = full_session().builder.record()
    assert rec is not None
    store.save(rec)
    return store, rec


def test_a_recorded_session_reads_back_equal(tmp_path: Path) -> None:
    """A full coached session (gap, pause, cues, devices) saved and loaded is the same value."""
    store, rec = finished(tmp_path)
    assert rec.status is SessionStatus.FINISHED
    assert any(p.bpm is None for p in rec.hr)
    assert rec.pauses
    assert rec.devices
    assert store.load(rec.session_id) == rec
    store.close()
    with Store.open(tmp_path) as again:
        assert again.load(rec.session_id) == rec


def test_the_file_uses_wal_normal_sync_foreign_keys_and_a_schema_version(tmp_path: Path) -> None:
    """The connection settings the durability notes rely on are in force."""
    with Store.open(tmp_path) as store:
        conn = store._conn
        assert conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
        assert conn.execute("PRAGMA synchronous").fetchone()[0] == 1  # NORMAL
        assert conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
        assert conn.execute("PRAGMA busy_timeout").fetchone()[0] == schema.BUSY_TIMEOUT_MS
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
        assert store.integrity_check() == "ok"


def test_checkpoints_write_only_what_is_new(tmp_path: Path) -> None:
    """Saving every few seconds stores each point once; a repeat writes only the session row."""
    store = Store.open(tmp_path)
    s = Session()
    s.cmd("start")
    for _ in range(30):
        s.run(3)
        rec = s.builder.record()
        assert rec is not None
        store.save(rec)
    assert store.save(rec) == 1
    assert rows(tmp_path, "hr_samples") == len(rec.hr) == 90
    assert rows(tmp_path, "pod_samples") == len(rec.pod)
    assert rows(tmp_path, "cues") == len(rec.cues)
    assert rows(tmp_path, "steps") == len(rec.steps)
    assert store.load(rec.session_id) == rec


def test_a_reopened_store_continues_a_session_without_duplicates(tmp_path: Path) -> None:
    """A new Store (a restarted daemon) learns what the file holds and appends the rest."""
    s = Session()
    s.cmd("start")
    s.run(20)
    first = s.builder.record()
    assert first is not None
    with Store.open(tmp_path) as store:
        store.save(first)
    s.run(20)
    later = s.builder.record()
    assert later is not None
    with Store.open(tmp_path) as store:
        store.save(later)
        assert store.load(later.session_id) == later
    assert rows(tmp_path, "hr_samples") == 40


def test_sessions_are_listed_newest_first_with_summary_and_rpe(tmp_path: Path) -> None:
    """The listing gives status, duration, distance from the summary, and whether one exists."""
    store, rec = finished(tmp_path)
    running = dataclasses.replace(
        rec, session_id="later", start_wall=WALL0 + 9999, status=SessionStatus.RUNNING, end_t=None
    )
    store.save(running)
    store.set_summary(rec.session_id, {"distance_m": 812.5, "moving_s": 230.0}, {"trimp": 41.0})
    store.set_rpe(rec.session_id, 7)
    listed = store.list_sessions(10)
    assert [r.session_id for r in listed] == ["later", rec.session_id]
    assert store.latest_id() == "later"
    done = listed[1]
    assert (done.status, done.duration_s, done.distance_m) == ("finished", rec.end_t, 812.5)
    assert done.has_summary
    assert done.rpe == 7
    assert not listed[0].has_summary
    assert listed[0].duration_s == running.hr[-1].t
    assert [r.session_id for r in store.unfinished()] == ["later"]
    assert store.summary(rec.session_id) == {"distance_m": 812.5, "moving_s": 230.0}
    assert store.metrics(rec.session_id) == {"trimp": 41.0}
    store.save(rec)  # a later checkpoint does not clear an RPE given after the session
    assert store.load(rec.session_id).rpe == 7
    with pytest.raises(ValueError, match="0 to 10"):
        store.set_rpe(rec.session_id, 11)


def test_an_interrupted_session_ends_at_its_last_checkpoint(tmp_path: Path) -> None:
    """mark_interrupted closes the session, its open step and open pause at the last stored t."""
    store = Store.open(tmp_path)
    s = Session()
    s.cmd("start")
    s.run(70)
    s.cmd("pause")
    s.run(5)
    rec = s.builder.record()
    assert rec is not None
    assert rec.steps[-1].end_t is None
    assert rec.pauses[-1].end_t is None
    store.save(rec)
    assert store.mark_interrupted(rec.session_id)
    assert not store.mark_interrupted(rec.session_id)  # already closed: nothing changes
    back = store.load(rec.session_id)
    assert back.status is SessionStatus.INTERRUPTED
    assert back.end_t == rec.hr[-1].t == 75.0
    assert back.steps[-1].end_t == 75.0
    assert back.pauses[-1].end_t == 75.0
    assert back.hr == rec.hr
    assert store.unfinished() == []


def test_unknown_sessions_are_a_clear_error(tmp_path: Path) -> None:
    """Loading or summarising a session that is not there names it."""
    with Store.open(tmp_path) as store:
        with pytest.raises(StoreError, match="no session 'nope'"):
            store.load("nope")
        with pytest.raises(StoreError, match="no session 'nope'"):
            store.set_summary("nope", {})


def test_retention_drops_raw_samples_but_keeps_the_session(tmp_path: Path) -> None:
    """Old sessions lose hr/pod rows only; steps, cues, summary, metrics and running ones stay."""
    store, rec = finished(tmp_path)
    store.set_summary(rec.session_id, {"distance_m": 800.0}, {"trimp": 40.0})
    running = dataclasses.replace(
        rec, session_id="now", status=SessionStatus.RUNNING, end_t=None, start_wall=WALL0 - 1e8
    )
    store.save(running)
    assert store.prune_samples(None) == 0
    assert store.prune_samples(30, now_wall=WALL0 + 29 * 86400) == 0
    assert store.prune_samples(30, now_wall=WALL0 + 31 * 86400) == 1
    assert store.prune_samples(30, now_wall=WALL0 + 31 * 86400) == 0
    back = store.load(rec.session_id)
    assert (back.hr, back.pod) == ((), ())
    assert (back.steps, back.cues, back.pauses) == (rec.steps, rec.cues, rec.pauses)
    assert store.summary(rec.session_id) == {"distance_m": 800.0}
    assert store.metrics(rec.session_id) == {"trimp": 40.0}
    assert store.load("now").hr == running.hr
    assert store.integrity_check() == "ok"


def test_commands_are_logged_with_the_payload_truncated(tmp_path: Path) -> None:
    """A command log entry keeps action, outcome and at most COMMAND_PAYLOAD_MAX characters."""
    with Store.open(tmp_path) as store:
        store.log_command("workout", "x" * 5000, ok=False, error="unknown workout")
        store.log_command("start", b"", ok=True, session_id="s1")
        newest, oldest = store.commands()
        assert newest[1:] == ("start", "", True, None)
        assert oldest[1] == "workout"
        assert oldest[2] is not None
        assert len(oldest[2]) == COMMAND_PAYLOAD_MAX + 1
        assert oldest[3:] == (False, "unknown workout")


def test_a_newer_schema_is_refused_not_rewritten(tmp_path: Path) -> None:
    """A file from a newer hiitd gives a StoreError and keeps its version."""
    Store.open(tmp_path).close()
    with sqlite3.connect(tmp_path / schema.FILE_NAME) as conn:
        conn.execute(f"PRAGMA user_version = {schema.SCHEMA_VERSION + 1}")
    with pytest.raises(StoreError, match="newer"):
        Store.open(tmp_path)
    with sqlite3.connect(tmp_path / schema.FILE_NAME) as conn:
        assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION + 1


def test_a_migration_hook_runs_each_missing_step_once(tmp_path: Path) -> None:
    """migrate() applies MIGRATIONS[user_version:] in one transaction and sets the version."""
    conn = sqlite3.connect(tmp_path / "m.sqlite3", isolation_level=None)
    schema.migrate(conn)
    assert conn.execute("PRAGMA user_version").fetchone()[0] == schema.SCHEMA_VERSION
    schema.migrate(conn)  # nothing to do
    tables = {r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type = 'table'")}
    assert {"sessions", "hr_samples", "pod_samples", "steps", "outbox", "commands"} <= tables
    conn.close()


def test_a_version_2_store_keeps_its_steps_and_scores_them_from_their_samples(
    tmp_path: Path,
) -> None:
    """A store written before steps kept the coach's score migrates in place: every step is
    still there, without a score, and its compliance is worked out again from the samples."""
    from hiitd.metrics import compute_metrics  # noqa: PLC0415

    record = full_session().builder.record()
    assert record is not None
    with Store.open(tmp_path) as store:
        store.save(record)
    with sqlite3.connect(tmp_path / schema.FILE_NAME) as conn:
        for column in ("in_s", "below_s", "above_s", "gap_s", "unscored"):
            conn.execute(f"ALTER TABLE steps DROP COLUMN {column}")
        conn.execute("DROP TABLE imports")  # version 4's
        conn.execute("PRAGMA user_version = 2")
    with Store.open(tmp_path) as store:
        old = store.load(record.session_id)
    assert [s.index for s in old.steps] == [s.index for s in record.steps]
    assert {s.in_s for s in old.steps} == {None}
    now, then = compute_metrics(record), compute_metrics(old)
    assert {s.scored_by for s in now.steps} == {"coach"}
    assert {s.scored_by for s in then.steps} == {"samples"}
    # The same rule on the same samples: the rescored rep is close to the coach's figure
    # (the coach scored the smoothed speed, the recount the raw samples).
    rep_now, rep_then = now.steps[1], then.steps[1]
    assert rep_then.in_pct == pytest.approx(rep_now.in_pct, abs=10)
