"""The planner's I/O side on a real store: check-ins, migration, metrics to plan entries, CLI."""

from __future__ import annotations

import dataclasses
import json
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from hiitd.cli.main import main
from hiitd.plan import PlanConfig, checkin_values
from hiitd.store import plan_history, schema
from hiitd.store.db import Store
from hiitd.store.rows import SessionRow

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


def _zones(top_s: float) -> dict[str, object]:
    return {
        "zones": [
            {"zone": "4", "name": "threshold", "low": 152, "high": 170, "seconds": 900.0},
            {"zone": "5", "name": "maximum", "low": 171, "high": 190, "seconds": top_s},
        ],
        "below_s": 0.0,
        "above_s": 0.0,
    }


def test_an_imported_interval_run_counts_as_hiit_and_an_easy_one_does_not() -> None:
    """A watch's run (no workout) with 6 min in HR zone 5 is HIIT for the weekly cap; with
    2 min it is a run; a planned easy run is never HIIT, however high the heart rate."""
    free = SessionRow("w1", None, WALL, "finished", 2400.0, None, True, None, None)
    hard = plan_history.entry_of(free, {"moving_s": 2400.0, "hr_zones": _zones(360.0)})
    easy = plan_history.entry_of(free, {"moving_s": 2400.0, "hr_zones": _zones(120.0)})
    assert hard is not None
    assert easy is not None
    assert (hard.hiit, easy.hiit) == (True, False)
    assert plan_history.entry_of(free, {"moving_s": 2400.0}) is not None  # no HR: a run
    planned = dataclasses.replace(free, workout="plan-easy-40")
    entry = plan_history.entry_of(planned, {"moving_s": 2400.0, "hr_zones": _zones(900.0)})
    assert entry is not None
    assert entry.hiit is False


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
    assert nxt["workout"] == "plan-strides-1"  # a beginner: strides before intervals
    assert nxt["readiness"] == "unknown"
    # No session yet: the default questionnaire's 60 min at RPE 3 (180/7 AU a day) stood
    # in until yesterday; today is empty, so the acute EWMA keeps 3/4, the chronic 27/29.
    seed = 180 / 7
    assert nxt["acute_ewma"] == round(seed * 0.75, 2)
    assert nxt["chronic_ewma"] == round(seed * 27 / 29, 2)
    assert nxt["acwr"] == round(0.75 * 29 / 27, 3)
    assert (nxt["ctl"], nxt["atl"]) == (round(seed * 41 / 42, 2), round(seed * 6 / 7, 2))
    assert (nxt["load"], nxt["estimated_load"], nxt["last_session"]) == (0, 0, None)
    assert main(["plan", "history", "--days", "3", "--json"]) == 0
    days = json.loads(capsys.readouterr().out)
    assert len(days) == 3
    assert days[-1]["acwr"] == nxt["acwr"]
    assert main(["plan", "history", "--days", "2"]) == 0
    header, *rows = capsys.readouterr().out.splitlines()
    assert header.split()[:8] == ["day", "load", "est", "acute", "chronic", "ratio", "CTL", "ATL"]
    assert rows[-1].split()[1:6] == ["0", "0", "19.3", "23.9", "0.81"]
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


def test_a_session_without_rpe_or_hrss_gets_its_workouts_estimate(tmp_path: Path) -> None:
    """entry_of: no rating, no HRSS -> minutes x the planned workout's RPE, marked estimated."""
    from hiitd.plan.daily_load import session_load  # noqa: PLC0415
    from hiitd.plan.intensity import estimate_rpe  # noqa: PLC0415
    from hiitd.plan.ladders import plan_workout  # noqa: PLC0415

    row = SessionRow("s1", "plan-intervals-9", WALL, "finished", 2580.0, None, True, None, None)
    planned = plan_history.PlannedWorkouts(tmp_path).get("plan-intervals-9")
    assert planned is not None
    e = plan_history.entry_of(row, {"moving_s": 2580.0}, planned)
    assert e is not None
    assert e.load_source == "estimated"
    assert e.rpe_estimate == pytest.approx(estimate_rpe(plan_workout("plan-intervals-9")))
    assert e.rpe_estimate is not None
    assert e.rpe_estimate > 3.0
    assert session_load(e, PlanConfig()) == pytest.approx(43.0 * e.rpe_estimate)
    rated = plan_history.entry_of(dataclasses.replace(row, rpe=6), {"load": {"hrss": 50.0}})
    assert rated is not None
    assert (rated.load_source, session_load(rated, PlanConfig())) == ("rpe", 6 * 43.0)


def test_history_resolves_plan_builtin_and_imported_workouts(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """Unrated sessions without HR: each estimated from its workout, a free run as an easy run."""
    from hiitd.plan.intensity import FREE_RUN_RPE, estimate_rpe  # noqa: PLC0415
    from hiitd.plan.ladders import plan_workout  # noqa: PLC0415
    from hiitd.record.session_record import (  # noqa: PLC0415
        AthleteSnapshot,
        SessionRecord,
        SessionStatus,
    )
    from hiitd.workouts.library import get_builtin  # noqa: PLC0415
    from hiitd.workouts.loader import load_workout_file  # noqa: PLC0415

    source = Path(__file__).resolve().parents[2] / "config" / "workouts" / "hills-5x3min.toml"
    (tmp_path / "workouts").mkdir()
    shutil.copyfile(source, tmp_path / "workouts" / source.name)
    now = 1_700_000_000.0
    names = ["plan-intervals-9", "norwegian-4x4", "hills-5x3min", "gone-import", None]
    with Store.open(tmp_path) as store:
        for i, name in enumerate(names):
            start = now - 86400.0 * (len(names) - i)
            rec = SessionRecord(
                f"s{i}", name, start, SessionStatus.FINISHED, 1800.0, AthleteSnapshot(190)
            )
            store.save(rec)
        got = {e.workout: e for e in plan_history.history(store)}
        days = plan_history.history_payload(store, PlanConfig(), now, days=6)
    expected = {
        "plan-intervals-9": estimate_rpe(plan_workout("plan-intervals-9"), 30.0),
        "norwegian-4x4": estimate_rpe(get_builtin("norwegian-4x4"), 30.0),
        "hills-5x3min": estimate_rpe(load_workout_file(source), 30.0),
        "gone-import": FREE_RUN_RPE,
        None: FREE_RUN_RPE,
    }
    assert PlanConfig().easy_rpe == FREE_RUN_RPE  # a run without a known workout: easy_rpe
    assert got["gone-import"].rpe_estimate is None
    assert got[None].rpe_estimate is None
    known = {k: e.rpe_estimate for k, e in got.items() if e.rpe_estimate is not None}
    assert known == pytest.approx({k: v for k, v in expected.items() if k in known})
    assert len(known) == 3
    assert all(e.load_source == "estimated" for e in got.values())
    assert expected["plan-intervals-9"] > FREE_RUN_RPE
    worked = [d for d in days if d["sessions"]]
    assert len(worked) == len(names)
    for d in worked:
        [s] = d["session_loads"]
        assert s["load_source"] == "estimated"
        assert d["load"] == d["estimated_load"] == s["load"] > 0
        assert s["load"] == pytest.approx(30.0 * expected[s["workout"]], abs=0.1)
        assert s["rpe_estimate"] == pytest.approx(expected[s["workout"]], abs=0.01)
    monkeypatch.setenv("HIITD_STORAGE__STATE_DIR", str(tmp_path))
    monkeypatch.setattr("time.time", lambda: now)
    assert main(["plan", "history", "--days", "2"]) == 0
    yesterday, today = capsys.readouterr().out.splitlines()[-2:]
    assert yesterday.endswith("  free run (estimated RPE 3.0)")
    assert today.split()[1:3] == ["0", "0"]  # no load, none of it estimated
    with Store.open(tmp_path) as store:
        nxt = plan_history.next_payload(store, PlanConfig(), now)
    assert nxt["last_session"] == {
        "workout": None,
        "day": days[-2]["day"],
        "minutes": 30.0,
        "load": 90.0,
        "load_source": "estimated",
        "rpe_estimate": 3.0,
    }
    assert main(["plan", "next"]) == 0
    last = capsys.readouterr().out.splitlines()[-1]
    assert last == f"last session {days[-2]['day']}: free run (estimated RPE 3.0), load 90 AU"
    with Store.open(tmp_path) as store:
        store.set_rpe("s4", 5)
    assert main(["plan", "next", "--json"]) == 0
    rated = json.loads(capsys.readouterr().out)["last_session"]
    assert (rated["load"], rated["load_source"]) == (150.0, "rpe")
    assert main(["plan", "next"]) == 0
    assert capsys.readouterr().out.splitlines()[-1].endswith("free run, load 150 AU from your RPE")
