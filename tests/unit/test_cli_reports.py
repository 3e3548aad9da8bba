"""``hiitd zones`` and ``hiitd workouts`` as a user runs them, on real workout files."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from hiitd.cli.cli_support import EX_DATAERR, EX_OK
from hiitd.cli.main import main
from hiitd.coach import daniels

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _athlete(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    for key in ("HIITD_ATHLETE__THRESHOLD_PACE", "HIITD_ATHLETE__MAX_HR"):
        monkeypatch.delenv(key, raising=False)
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("HIITD_ATHLETE__RACE__DISTANCE_M", "5000")
    monkeypatch.setenv("HIITD_ATHLETE__RACE__TIME", "25:00")
    monkeypatch.setenv("HIITD_ATHLETE__MAX_HR", "188")


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code = main([*argv, "--json"])
    return code, json.loads(capsys.readouterr().out)


def test_zones_from_a_5k_race(capsys: pytest.CaptureFixture[str]) -> None:
    """A 25:00 5 km gives VDOT about 38.3 and threshold pace about 5:16 /km."""
    code, report = run_json(capsys, "zones")
    assert code == EX_OK
    assert report["vdot"] == pytest.approx(38.3, abs=0.2)
    assert report["threshold_pace_s_per_km"] == pytest.approx(316, abs=3)
    assert report["max_hr"] == 188
    assert report["max_hr_estimated"] is False
    assert len(report["hr_zones"]["max_hr"]) == 5


def test_workouts_list_has_the_library(capsys: pytest.CaptureFixture[str]) -> None:
    """The built-in library lists the sessions a runner recognises, each with a level."""
    code, rows = run_json(capsys, "workouts", "list")
    assert code == EX_OK
    names = {r["name"] for r in rows}
    assert {"norwegian-4x4", "billat-30-30", "tabata", "run-walk-beginner"} <= names
    assert all(r["level"] for r in rows)


def test_show_a_zwo_pyramid_resolves_pace_fractions(
    capsys: pytest.CaptureFixture[str], shared_data: Path
) -> None:
    """The .zwo pyramid expands to 16 steps; its 1.05 x 5 km pace reps resolve to m/s."""
    path = shared_data / "zwo_workouts" / "luishpinto__pyramid.zwo"
    code, doc = run_json(capsys, "workouts", "show", str(path))
    assert code == EX_OK
    assert doc["step_count"] == 16
    reps = doc["steps"][3:13:2]
    five_k = daniels.race_speed(daniels.vdot_from_race(5000, 1500), 5000)
    for step in reps:
        assert step["target_type"] == "speed"
        mid = (step["target_low"] + step["target_high"]) / 2
        assert mid == pytest.approx(1.05 * five_k, rel=0.03)
        assert step["duration_value"] == 200


def test_show_an_intervals_icu_file(capsys: pytest.CaptureFixture[str], tmp_path: Path) -> None:
    """An intervals.icu text workout shows its repeats expanded with HR and pace targets."""
    path = tmp_path / "session.txt"
    path.write_text(
        "Warmup\n- 10m 70% HR\n\nMain set 4x\n- 800mtr 98-103% Pace\n- 90s Z1 HR\n\n"
        "Cooldown\n- 5m 65% HR\n",
        encoding="utf-8",
    )
    code, doc = run_json(capsys, "workouts", "show", str(path))
    assert code == EX_OK
    assert doc["step_count"] == 10
    work = [s for s in doc["steps"] if s["duration_type"] == "distance"]
    assert [s["duration_value"] for s in work] == [800.0] * 4
    assert all(s["target_type"] == "speed" for s in work)


def test_validate_reports_file_and_position(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    """A bad workout file is rejected with the file, the position and exit 65."""
    bad = tmp_path / "bad.zwo"
    bad.write_text(
        "<workout_file><sportType>run</sportType><workout>"
        '<SteadyState Duration="-60" Power="0.9"/></workout></workout_file>',
        encoding="utf-8",
    )
    code, doc = run_json(capsys, "workouts", "validate", str(bad))
    assert code == EX_DATAERR
    assert doc["ok"] is False
    assert doc["source"] == str(bad)
    assert doc["position"]


def test_import_then_start_by_name(capsys: pytest.CaptureFixture[str], shared_data: Path) -> None:
    """An imported file joins the catalogue under its file name."""
    src = shared_data / "zwo_workouts" / "zwomaker__slowcomeback_w1_slow600.zwo"
    code, entry = run_json(capsys, "workouts", "import", str(src))
    assert code == EX_OK
    _, rows = run_json(capsys, "workouts", "list")
    assert entry["name"] in {r["name"] for r in rows}
    code, doc = run_json(capsys, "workouts", "show", entry["name"])
    assert code == EX_OK
    assert doc["step_count"] == 10


def test_show_gives_a_plyometric_sessions_foot_contacts(capsys: pytest.CaptureFixture[str]) -> None:
    """The runner sees the plyometric volume of a session before doing it; strength has none."""
    code, doc = run_json(capsys, "workouts", "show", "plyo-low")
    assert code == EX_OK
    assert doc["foot_contacts"] == 80
    assert main(["workouts", "show", "plyo-core-circuit"]) == EX_OK
    assert "plyometric volume: 112 foot contacts" in capsys.readouterr().out
    assert main(["workouts", "show", "strength-basics"]) == EX_OK
    assert "plyometric volume" not in capsys.readouterr().out
