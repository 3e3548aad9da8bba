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


def test_config_check_prints_valid_toml(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unset keys as comments (no ``age = null``), sub-sections as tables: the output loads
    back as a configuration with the same effective settings."""
    import tomllib  # noqa: PLC0415

    from hiitd.settings import load_settings  # noqa: PLC0415

    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path))
    monkeypatch.setenv("HIITD_BLE__HR__ADDRESS", "11:22:33:44:55:66")
    assert main(["config", "check"]) == 0
    out = capsys.readouterr().out
    assert "null" not in out
    assert "# age = (unset)" in out
    doc = tomllib.loads(out)
    assert doc["ble"]["hr"]["address"] == "11:22:33:44:55:66"
    again = tmp_path / "again.toml"
    again.write_text(out, encoding="utf-8")
    monkeypatch.delenv("HIITD_BLE__HR__ADDRESS")
    assert load_settings(again).ble == load_settings(None, ble=doc["ble"]).ble
    assert load_settings(again).ble.hr.address == "11:22:33:44:55:66"


def test_the_demo_prints_a_watch_command_that_runs_as_printed(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """``hiitd`` is not on the PATH after ``./dev demo``: the demo names the one that runs."""
    import shlex  # noqa: PLC0415

    from hiitd.cli.demo_cmd import _hiitd_command  # noqa: PLC0415

    monkeypatch.setenv("PATH", str(tmp_path))
    command = _hiitd_command()
    assert command != "hiitd"
    proc = subprocess.run(
        [*shlex.split(command), "--version"], capture_output=True, text=True, timeout=60,
        check=False, cwd=Path.cwd(),
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr
    assert proc.stdout.startswith("hiitd ")
