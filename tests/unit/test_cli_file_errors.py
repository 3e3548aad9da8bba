"""A command that cannot make or write its state says which path and the fix, in one line."""

from __future__ import annotations

from pathlib import Path
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import EX_CANTCREAT
from hiitd.cli.main import main

if TYPE_CHECKING:
    import pytest

WORKOUT = Path(__file__).resolve().parents[2] / "config" / "workouts" / "6x800m.toml"


def test_a_state_directory_that_cannot_be_made_is_one_line_and_no_traceback(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """(As root, a missing folder would just be made: a file in its way cannot be.)"""
    blocker = tmp_path / "state"
    blocker.write_text("not a folder", encoding="utf-8")
    monkeypatch.setenv("STATE_DIRECTORY", str(blocker / "hiitd"))
    assert main(["workouts", "import", str(WORKOUT)]) == EX_CANTCREAT
    err = capsys.readouterr().err
    assert err.count("\n") == 1, err
    assert err.startswith(f"hiitd: cannot use {blocker}")
    assert "Traceback" not in err
