"""The store's file examined before it is written: another program's refused, a damaged one
moved aside with its -wal and -shm, an empty one too; the full check on demand."""

from __future__ import annotations

import shutil
import sqlite3
from typing import TYPE_CHECKING

import pytest
from store_rig import Session

from hiitd.errors import StoreError
from hiitd.store import integrity, schema
from hiitd.store.db import Store
from hiitd.store.integrity import ForeignDatabaseError

if TYPE_CHECKING:
    from pathlib import Path

WALL = 1.8e9


def _stored(state: Path) -> str:
    """A store with one recorded session (10 minutes of samples); its id."""
    s = Session()
    s.cmd("start")
    s.run(600)
    record = s.builder.record()
    assert record is not None
    with Store.open(state) as store:
        store.save(record, durable=True)
    return record.session_id


def _other_program(path: Path) -> None:
    conn = sqlite3.connect(path)
    conn.execute("CREATE TABLE notes (x)")
    conn.commit()
    conn.close()


def test_another_programs_database_is_refused_and_left_as_it_was(tmp_path: Path) -> None:
    """Tables but no hiitd schema: ForeignDatabaseError naming them; the file is unchanged."""
    path = tmp_path / schema.FILE_NAME
    _other_program(path)
    before = path.read_bytes()
    with pytest.raises(ForeignDatabaseError, match=r"not a hiitd database \(tables notes"):
        Store.open(tmp_path, repair=True, quick_check=True)
    assert path.read_bytes() == before
    assert sorted(p.name for p in tmp_path.iterdir()) == [schema.FILE_NAME]


def test_a_foreign_wal_beside_the_store_is_refused_and_applied_to_nothing(tmp_path: Path) -> None:
    """Another database's -wal next to hiitd.sqlite3: refused, saying so; the history is kept."""
    sid = _stored(tmp_path)
    path = tmp_path / schema.FILE_NAME
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE theirs (y)")
    shutil.copy(other.with_name("other.db-wal"), path.with_name(path.name + "-wal"))
    conn.close()
    before = path.read_bytes()
    with pytest.raises(ForeignDatabaseError, match="-wal"):
        Store.open(tmp_path, repair=True, quick_check=True)
    assert path.read_bytes() == before, "nothing was checkpointed into the file"
    path.with_name(path.name + "-wal").unlink()  # the runner moves it away, as told
    with Store.open(tmp_path) as store:
        assert store.latest_id() == sid


def test_a_damaged_file_is_moved_aside_with_its_side_files_and_a_new_one_started(
    tmp_path: Path,
) -> None:
    """A page overwritten mid-file: moved to hiitd.sqlite3.damaged-<time> (+ -wal, -shm)."""
    _stored(tmp_path)
    path = tmp_path / schema.FILE_NAME
    data = bytearray(path.read_bytes())
    page = 4096
    assert len(data) > 6 * page
    data[5 * page : 6 * page] = b"\xa5" * page
    path.write_bytes(bytes(data))
    path.with_name(path.name + "-shm").write_bytes(b"")
    with Store.open(tmp_path, repair=True, quick_check=True, wall=WALL) as store:
        assert store.note is not None
        assert "damaged (quick_check" in store.note
        assert store.list_sessions() == []
    moved = sorted(p.name for p in tmp_path.iterdir() if ".damaged-" in p.name)
    assert moved[0] == "hiitd.sqlite3.damaged-20270115T080000Z"
    assert "hiitd.sqlite3.damaged-20270115T080000Z-shm" in moved, "its side files go with it"


def test_an_empty_file_is_moved_aside_by_the_daemon_and_refused_by_a_tool(tmp_path: Path) -> None:
    """0 bytes: a tool refuses (saying to move it aside); the daemon moves it and starts afresh."""
    path = tmp_path / schema.FILE_NAME
    path.write_bytes(b"")
    with pytest.raises(StoreError, match="empty"):
        Store.open(tmp_path)
    with Store.open(tmp_path, repair=True, wall=WALL) as store:
        assert store.note is not None
        assert "empty" in store.note
    assert (tmp_path / "hiitd.sqlite3.empty-20270115T080000Z").stat().st_size == 0


def test_a_whole_store_passes_and_the_full_check_says_ok(tmp_path: Path) -> None:
    """A healthy store opens with no note; integrity_check and the foreign keys are ok."""
    _stored(tmp_path)
    with Store.open(tmp_path, repair=True, quick_check=True) as store:
        assert store.note is None
    assert integrity.full_check(tmp_path / schema.FILE_NAME) == ["ok"]


def test_a_schema_never_migrated_is_not_migrated_over(tmp_path: Path) -> None:
    """Even past the examination, migrate() refuses tables with user_version 0."""
    path = tmp_path / schema.FILE_NAME
    _other_program(path)
    conn = sqlite3.connect(path, isolation_level=None)
    with pytest.raises(sqlite3.DatabaseError, match="not hiitd's"):
        schema.migrate(conn)
    conn.close()
