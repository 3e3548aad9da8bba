"""The import folder's file handling (runtime/import_folder.py): what is taken, where it goes."""

from __future__ import annotations

import os
from typing import TYPE_CHECKING

from hiitd.runtime.fit_import import ImportOutcome
from hiitd.runtime.import_folder import file_away, ready_files

if TYPE_CHECKING:
    from pathlib import Path


def _touch(path: Path, mtime: float) -> Path:
    path.write_bytes(b"x")
    os.utime(path, (mtime, mtime))
    return path


def test_only_settled_visible_fit_files_oldest_first(tmp_path: Path) -> None:
    folder = tmp_path / "import"
    assert ready_files(folder, 3.0, now=1000.0) == []  # created on the first scan
    b = _touch(folder / "b.FIT", 900.0)
    a = _touch(folder / "a.fit", 800.0)
    _touch(folder / "fresh.fit", 999.0)  # still being written, maybe
    _touch(folder / ".sync.fit", 800.0)  # hidden: a syncing tool's
    _touch(folder / "notes.txt", 800.0)
    (folder / "imported").mkdir()
    _touch(folder / "imported" / "old.fit", 700.0)  # subfolders are not scanned
    assert ready_files(folder, 3.0, now=1000.0) == [a, b]


def test_done_files_move_to_imported_failed_ones_with_their_reason(tmp_path: Path) -> None:
    first = _touch(tmp_path / "run.fit", 1.0)
    done = file_away(first, ImportOutcome(str(first), "imported", "ok", session_id="i1"))
    assert done == tmp_path / "imported" / "run.fit"
    second = _touch(tmp_path / "run.fit", 1.0)  # the same name again: not overwritten
    dup = file_away(second, ImportOutcome(str(second), "duplicate", "already", session_id="i1"))
    assert dup == tmp_path / "imported" / "run-1.fit"
    bad = _touch(tmp_path / "bad.fit", 1.0)
    failed = file_away(bad, ImportOutcome(str(bad), "failed", f"{bad}: not imported: junk"))
    assert failed == tmp_path / "failed" / "bad.fit"
    assert (tmp_path / "failed" / "bad.fit.error.txt").read_text() == f"{bad}: not imported: junk\n"
    assert sorted(p.name for p in tmp_path.iterdir()) == ["failed", "imported"]
