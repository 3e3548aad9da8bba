"""Bad flags and names: one line naming what was wrong, before anything starts."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest

from hiitd.cli.cli_support import EX_CONFIG, EX_UNAVAILABLE
from hiitd.cli.main import main

REPO = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("flags", "message"),
    [
        (["--speed", "0"], "hiitd: --speed 0: the clock factor must be above 0 (1 is real time)"),
        (["--sim-effort", "2"], "hiitd: --sim-effort 2: must be between 0.1 and 1.5"),
        (["--duration", "-5"], "hiitd: --duration -5: must be above 0 seconds"),
    ],
)
def test_demo_flags_are_checked_first(
    flags: list[str], message: str, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["demo", *flags]) == EX_CONFIG
    err = capsys.readouterr().err
    assert err.startswith(message)
    assert err.count("\n") == 1  # not even the demo's profile line came first


def test_demo_refuses_an_unknown_workout_before_starting_a_broker(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path))
    assert main(["demo", "--workout", "nonexist", "--broker", "mqtt://127.0.0.1:1"]) == (
        EX_UNAVAILABLE
    )
    err = capsys.readouterr().err
    assert "hiitd: no workout named 'nonexist'; 'hiitd workouts list' shows the names" in err
    assert "started one at" not in err


def test_dev_with_an_unknown_command_fails_with_its_usage() -> None:
    proc = subprocess.run(
        [str(REPO / "dev"), "foo"], capture_output=True, text=True, timeout=30, check=False
    )
    assert proc.returncode == 64
    assert proc.stderr.startswith("dev: unknown command 'foo'\n")
    assert "./dev demo" in proc.stderr
