"""The state folder's small JSON files: written whole or not at all."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING

import pytest

from hiitd.store.json_file import write_atomic

if TYPE_CHECKING:
    from pathlib import Path


def test_a_failed_write_keeps_the_old_file_and_leaves_no_temporary(tmp_path: Path) -> None:
    path = tmp_path / "state" / "health.json"
    write_atomic(path, {"status": "ok"})
    assert json.loads(path.read_text(encoding="utf-8")) == {"status": "ok"}
    with pytest.raises(TypeError):
        write_atomic(path, {"status": object()})  # not JSON: fails half-way through
    assert json.loads(path.read_text(encoding="utf-8")) == {"status": "ok"}
    assert [p.name for p in path.parent.iterdir()] == ["health.json"]
    write_atomic(path, {"status": "ill"}, indent=2)
    assert json.loads(path.read_text(encoding="utf-8")) == {"status": "ill"}
