"""The planner's I/O side on a real store: check-ins, migration, metrics to plan entries, CLI."""

from __future__ import annotations

import json
import random
import sqlite3
from typing import TYPE_CHECKING

import pytest

from hiitd.cli.main import main
from hiitd.plan import PlanConfig, checkin_values
from hiitd.store import plan_history, schema
from hiitd.store.db import Store
from hiitd.store.rows import SessionRow

if TYPE_CHECKING:
    from pathlib import Path

WALL = 1_700_000_000.0


def test_a_version_1_file_gains_the_checkins_table_and_keeps_its_rows(tmp_path: Path) -> None:
    """Opening a v1 store migrates it to v2 in place: old rows stay, check-ins work."""
    conn = sqlite3.connect(tmp_path / schema.FILE_NAME, isolation_level=None)
    schema.MIGRATIONS[0](conn)
    conn.execute("PRAGMA user_version = 1")
    conn.execute("INSERT INTO commands (wall, action, ok) VALUES (1.0, 'start', 1)")
    conn.close()
    with Store.open(tmp_path) as store:
        assert len(store.commands()) == 1
        store.add_checkin(checkin_values.checkin_manual(50, 60, WALL))
        [row] = store.checkins("2000-01-01")
    assert row.ln_rmssd == pytest.approx(4.0943, abs=1e-4)
    assert row.source == "manual"


def test_checkin_from_rr_gives_resting_hr_and_ln_rmssd() -> None:
    """Alternating 1000/1040 ms RR: HR 60000/1020 = 58.8 bpm, RMSSD 40 ms."""
    row = checkin_values.checkin_from_rr([1000.0, 1040.0] * 60, WALL, "rr_file")
    assert row.resting_hr == pytest.approx(60000 / 1020)
    assert row.rmssd_ms == pytest.approx(40.0)
    with pytest.raises(ValueError, match="too few"):
        checkin_values.checkin_from_rr([1000.0] * 10, WALL, "rr_file")


def test_entry_of_reads_load_compliance_economy_and_the_rung() -> None:
    """A stored plan rung's metrics become a HIIT entry with its ladder step."""
    row = SessionRow("s1", "plan-hills-2", WALL, "finished", 1800.0, None, True, 6, None)
    metrics = {
        "moving_s": 1500.0,
        "load": {"hrss": 40.0},
        "compliance": {"in_pct": 72.5},
        "economy": {"efficiency_factor": 1.6},
        "speed": {"avg_pace_s_per_km": 330.0},
        "hrr60": {"session": None, "steps": [{"hrr60_bpm": 30.0}, {"hrr60_bpm": 34.0}]},
        "metrics_version": 3,
    }
    e = plan_history.entry_of(row, metrics)
    assert e is not None
    assert (e.protocol, e.step, e.hiit, e.minutes) == ("hills", 2, True, 25.0)
    assert (e.hrss, e.rpe, e.compliance_pct, e.ef, e.hrr60_bpm) == (40.0, 6, 72.5, 1.6, 32.0)
    short = SessionRow("s2", None, WALL, "stopped", 120.0, None, False, None, None)
    assert plan_history.entry_of(short, None) is None


def test_hrr60_of_metrics_before_v3_stays_out_of_the_trend() -> None:
    """Version 2 took HRR60 during jogs (-7 bpm here): the planner's trend never sees it."""
    row = SessionRow("s1", "plan-hills-2", WALL, "finished", 1800.0, None, True, 6, None)
    hrr60 = {"session": {"hrr60_bpm": -7.0}, "steps": [{"hrr60_bpm": -7.0}]}
    old = {"moving_s": 1500.0, "metrics_version": 2, "hrr60": hrr60}
    e = plan_history.entry_of(row, old)
    assert e is not None
    assert e.hrr60_bpm is None
    measured = {"session": {"hrr60_bpm": 31.0, "basis": "stopped"}, "steps": []}
    e = plan_history.entry_of(row, {**old, "metrics_version": 3, "hrr60": measured})
    assert e is not None
    assert e.hrr60_bpm == 31.0


def test_cli_checkin_then_plan_next_and_history(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """hiitd checkin --rr-file records; plan next/history --json print one document each."""
    monkeypatch.setenv("HIITD_STORAGE__STATE_DIR", str(tmp_path))
    rng = random.Random(3)  # noqa: S311 - synthetic RR, not a secret
    rr = tmp_path / "rr.txt"
    rr.write_text("\n".join(f"{1000 + rng.gauss(0, 30):.1f}" for _ in range(130)) + "\n")
    assert main(["checkin", "--rr-file", str(rr), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["beats"] == 130
    assert doc["readiness"]["status"] == "unknown"  # no baseline after one check-in
    assert main(["plan", "next", "--json"]) == 0
    nxt = json.loads(capsys.readouterr().out)
    assert nxt["workout"] == "plan-intervals-1"
    assert nxt["readiness"] == "unknown"
    assert main(["plan", "history", "--days", "3", "--json"]) == 0
    assert len(json.loads(capsys.readouterr().out)) == 3
    bad = tmp_path / "bad.txt"
    bad.write_text("1000\nabc\n")
    assert main(["checkin", "--rr-file", str(bad)]) == 65
    assert main(["checkin", "--resting-hr", "50"]) == 65


def test_plan_workouts_are_in_the_catalogue(tmp_path: Path) -> None:
    """The catalogue resolves plan-* names, so "start plan-hills-2" runs the rung."""
    from hiitd.coach.profile import AthleteProfile  # noqa: PLC0415
    from hiitd.store.workout_catalog import WorkoutCatalog  # noqa: PLC0415

    profile = AthleteProfile(190, False, 50, None, 4.0, None, None, None, None)
    w = WorkoutCatalog(tmp_path, profile).get("plan-hills-2")
    assert w.name == "plan-hills-2"
    assert PlanConfig().max_hiit_per_week == 2


def test_rpe_command_parses_0_to_10_only() -> None:
    """cmd/rpe takes 7, "7", {"rpe": 7}; 11, 7.5, true, words and an empty payload are refused."""
    from hiitd.mqtt.command_parser import CommandError, parse_command  # noqa: PLC0415

    assert parse_command("rpe", b"7").rpe == 7
    assert parse_command("rpe", b'"0"').rpe == 0
    assert parse_command("rpe", b'{"rpe": 10, "id": "a"}').request_id == "a"
    for bad in (b"11", b"7.5", b'{"rpe": true}', b"hard", b"", b'{"rpe": -1}'):
        with pytest.raises(CommandError):
            parse_command("rpe", bad)
    with pytest.raises(CommandError):
        parse_command("start", b'{"rpe": 5}')


def test_rate_last_session_rates_the_newest_finished_one(tmp_path: Path) -> None:
    """The RPE goes to the newest session that is not running; none yet is a StoreError."""
    from store_rig import full_session  # noqa: PLC0415

    from hiitd.errors import StoreError  # noqa: PLC0415

    with Store.open(tmp_path) as store:
        with pytest.raises(StoreError, match="no finished session"):
            plan_history.rate_last_session(store, 5)
        rec = full_session().builder.record()
        assert rec is not None
        store.save(rec)
        assert plan_history.rate_last_session(store, 6) == rec.session_id
        assert store.list_sessions(1)[0].rpe == 6
