"""Store failures are StoreErrors that say what to check, and leave the store usable.

The tests run as root in CI, and root ignores file permissions, so a read-only
directory cannot be provoked with chmod. Real OS errors that root also gets are
used instead: the database path is a directory (SQLite cannot open it), the
state directory is a regular file (mkdir fails with FileExistsError /
NotADirectoryError), the file is not a database, and SQLite's own
``max_page_count`` limit, which fails a write exactly like a full disk
(SQLITE_FULL, "database or disk is full").
"""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

import pytest
from store_rig import Session

from hiitd.errors import HiitdError, StoreError
from hiitd.store import schema
from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path


def test_a_database_path_that_is_a_directory_says_what_to_check(tmp_path: Path) -> None:
    """Opening fails with StoreError naming the file and 'check free space / permissions'."""
    (tmp_path / schema.FILE_NAME).mkdir()
    with pytest.raises(StoreError) as err:
        Store.open(tmp_path)
    assert isinstance(err.value, HiitdError)
    assert str(tmp_path / schema.FILE_NAME) in str(err.value)
    assert f"check free space / permissions of {tmp_path}" in str(err.value)


def test_a_state_directory_that_is_a_file_is_a_store_error(tmp_path: Path) -> None:
    """mkdir's OSError (the state directory is a file) comes out as StoreError, not OSError."""
    blocker = tmp_path / "state"
    blocker.write_text("not a directory")
    with pytest.raises(StoreError, match="check free space / permissions"):
        Store.open(blocker)
    with pytest.raises(StoreError, match="check free space / permissions"):
        Store.open(blocker / "below")


def test_a_file_that_is_not_a_database_says_to_move_it_aside(tmp_path: Path) -> None:
    """Garbage in hiitd.sqlite3 gives a StoreError advising to move the file aside."""
    (tmp_path / schema.FILE_NAME).write_bytes(os.urandom(4096))
    with pytest.raises(StoreError, match="move it aside"):
        Store.open(tmp_path)


@pytest.mark.skipif(os.geteuid() != 0, reason="needs root: a read-only dir works for others")
def test_root_is_not_stopped_by_a_read_only_directory(tmp_path: Path) -> None:
    """Why the other tests do not chmod: as root, a 0o500 directory still opens."""
    tmp_path.chmod(0o500)
    try:
        Store.open(tmp_path).close()
    finally:
        tmp_path.chmod(0o700)


@pytest.mark.skipif(os.geteuid() == 0, reason="root ignores permissions")
def test_a_read_only_state_directory_is_a_store_error(tmp_path: Path) -> None:
    """A read-only state directory (non-root) gives StoreError with the permissions advice."""
    tmp_path.chmod(0o500)
    try:
        with pytest.raises(StoreError, match="check free space / permissions"):
            Store.open(tmp_path)
    finally:
        tmp_path.chmod(0o700)


def test_a_full_disk_fails_the_checkpoint_and_the_next_one_catches_up(tmp_path: Path) -> None:
    """SQLITE_FULL rolls the checkpoint back whole; once space is back, nothing is missing."""
    store = Store.open(tmp_path)
    s = Session()
    s.cmd("start")
    s.run(5)
    rec = s.builder.record()
    assert rec is not None
    store.save(rec)
    pages = store._conn.execute("PRAGMA page_count").fetchone()[0]
    store._conn.execute(f"PRAGMA max_page_count = {pages}")
    s.run(600)
    rec = s.builder.record()
    assert rec is not None
    with pytest.raises(StoreError, match="full") as err:
        store.save(rec)
    assert "check free space / permissions" in str(err.value)
    assert len(store.load(rec.session_id).hr) == 5  # the failed checkpoint left nothing half-done
    store._conn.execute("PRAGMA max_page_count = 1073741823")
    store.save(rec)
    assert store.load(rec.session_id) == rec
    assert store.integrity_check() == "ok"


def test_a_closed_store_raises_store_error(tmp_path: Path) -> None:
    """Calls after close() are StoreErrors (the recorder's retry path), not sqlite3 errors."""
    store = Store.open(tmp_path)
    store.close()
    with pytest.raises(StoreError):
        store.enqueue("t", b"x")
    with pytest.raises(StoreError):
        store.pending()
