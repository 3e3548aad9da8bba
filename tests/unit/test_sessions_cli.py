"""``hiitd sessions list|show|export`` on a real store of sessions run by the real engine."""

from __future__ import annotations

import csv
import io
import json
import subprocess
import sys
import xml.etree.ElementTree as ET
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING, Any

import pytest
from engine_rig import PROFILE
from store_rig import WALL0, Session

from hiitd.cli import sessions_cmd
from hiitd.cli.cli_support import EX_DATAERR, EX_OK, EX_UNAVAILABLE
from hiitd.cli.main import main
from hiitd.coach.events import Event, SessionEnded
from hiitd.export import COLUMNS
from hiitd.metrics import compute_metrics
from hiitd.record.record_builder import RecordBuilder
from hiitd.record.session_record import SessionStatus
from hiitd.store import schema
from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

DAY = 86400.0
ATHLETE = replace(PROFILE, weight_kg=70.0, age=40, sex="male")  # enough for a calorie estimate
# The store_rig workout ("test") as a catalogue file, so FIT exports carry the workout.
WORKOUT_TOML = """\
name = "test"
[[step]]
intensity = "warmup"
time = 60
hr = { max = 150 }
[[step]]
intensity = "active"
time = 60
speed_mps = [3.8, 4.1]
[[step]]
intensity = "recovery"
time = 60
speed_mps = { max = 3.0 }
[[step]]
intensity = "cooldown"
time = 60
"""


@dataclass(frozen=True)
class Recorded:
    state: Path
    stored: str  # finished, summary and metrics stored
    plain: str  # finished, nothing but the record stored
    running: str  # still being recorded (the newest)
    kcal: float


def _session(prefix: str, wall0: float) -> tuple[Session, list[Any]]:
    """A store_rig session with its own id prefix and start time, keeping the engine summary."""
    s = Session(profile=ATHLETE, prefix=prefix)
    s.builder = RecordBuilder(
        profile=lambda: s.engine.profile,
        planned=lambda: s.engine.steps,
        wall_at=lambda t: wall0 + t,
    )
    summaries: list[Any] = []

    def sink(events: list[Event], now: float) -> None:
        summaries.extend(e.summary for e in events if isinstance(e, SessionEnded))
        s.builder.on_events(events, now)

    s.sink_events = sink
    s.devices()
    s.cmd("start")
    return s, summaries


def _full(prefix: str, wall0: float) -> tuple[Session, list[Any]]:
    s, summaries = _session(prefix, wall0)
    s.run(40)
    s.run(10, bpm=None)
    s.cmd("pause")
    s.run(10)
    s.cmd("resume")
    s.run(200)
    return s, summaries


@pytest.fixture(scope="module")
def recorded(tmp_path_factory: pytest.TempPathFactory) -> Recorded:
    state = tmp_path_factory.mktemp("state")
    (state / "workouts").mkdir()
    (state / "workouts" / "test.toml").write_text(WORKOUT_TOML, encoding="utf-8")
    with Store.open(state) as store:
        a, a_summaries = _full("run-a", WALL0)
        rec_a = a.builder.record()
        assert rec_a is not None
        assert rec_a.status is SessionStatus.FINISHED
        store.save(rec_a)
        metrics = compute_metrics(rec_a)
        assert metrics.energy.kcal is not None
        store.set_summary(rec_a.session_id, a_summaries[0].to_payload(), metrics.to_payload())
        b, _ = _full("run-b", WALL0 + DAY)
        rec_b = b.builder.record()
        assert rec_b is not None
        store.save(rec_b)
        c, _ = _session("tempo", WALL0 + 2 * DAY)
        c.run(90)
        rec_c = c.builder.record()
        assert rec_c is not None
        assert rec_c.status is SessionStatus.RUNNING
        store.save(rec_c)
    kcal = round(metrics.energy.kcal)
    return Recorded(state, rec_a.session_id, rec_b.session_id, rec_c.session_id, kcal)


@pytest.fixture(autouse=True)
def _state(monkeypatch: pytest.MonkeyPatch, recorded: Recorded) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(recorded.state))


def run(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, str, str]:
    code = main(list(argv))
    out, err = capsys.readouterr()
    return code, out, err


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> tuple[int, Any]:
    code, out, _ = run(capsys, *argv, "--json")
    return code, json.loads(out)


def test_list_json_gives_every_session_newest_first(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """``list --json`` is one array, newest first, with status, duration and stored compliance."""
    code, rows = run_json(capsys, "sessions", "list")
    assert code == EX_OK
    assert [r["session_id"] for r in rows] == [recorded.running, recorded.plain, recorded.stored]
    assert [r["status"] for r in rows] == ["running", "finished", "finished"]
    stored = rows[2]
    assert stored["workout"] == "test"
    assert stored["start_wall"] == WALL0
    assert stored["duration_s"] == pytest.approx(250, abs=2)
    assert stored["distance_m"] > 0
    assert 0 <= stored["compliance_pct"] <= 100
    assert stored["has_summary"]
    assert stored["has_metrics"]
    assert rows[1]["compliance_pct"] is None  # nothing stored, nothing computed for a listing
    code, rows = run_json(capsys, "sessions", "list", "--limit", "1")
    assert [r["session_id"] for r in rows] == [recorded.running]


def test_list_prints_a_readable_table(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """Without --json, ``list`` prints a header and one line per session with its id."""
    code, out, _ = run(capsys, "sessions", "list")
    lines = out.splitlines()
    assert code == EX_OK
    assert lines[0].split()[:4] == ["DATE", "WORKOUT", "STATUS", "TIME"]
    assert len(lines) == 4
    assert lines[3].endswith(recorded.stored)
    assert "finished" in lines[3]
    assert " km" in lines[3]


def test_without_a_database_list_is_empty_and_show_export_fail(
    capsys: pytest.CaptureFixture[str], monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    """No store yet: ``list`` says so and exits 0; ``show``/``export`` exit 69; no file is made."""
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "new"))
    assert run_json(capsys, "sessions", "list") == (EX_OK, [])
    code, out, _ = run(capsys, "sessions", "list")
    assert (code, out) == (EX_OK, f"no sessions recorded yet in {tmp_path / 'new'}\n")
    for argv in (("show", "latest"), ("export", "latest", "--format", "csv")):
        code, _, err = run(capsys, "sessions", *argv)
        assert code == EX_UNAVAILABLE
        assert "no sessions recorded yet in" in err
    assert not (tmp_path / "new" / schema.FILE_NAME).exists()


def test_show_json_has_stored_summary_metrics_steps_and_cues(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """``show --json`` gives the stored summary and metrics, 4 steps with compliance, the cues."""
    code, doc = run_json(capsys, "sessions", "show", recorded.stored)
    assert code == EX_OK
    assert doc["session"]["session_id"] == recorded.stored
    assert doc["session"]["status"] == "finished"
    assert doc["session"]["partial"] is False
    assert doc["metrics_source"] == "stored"
    assert doc["summary"]["completed"] is True
    assert doc["metrics"]["calories"]["kcal"] == recorded.kcal
    assert doc["metrics"]["calories"]["estimate"] is True
    steps = doc["steps"]
    assert [s["intensity"] for s in steps] == ["warmup", "active", "recovery", "cooldown"]
    assert all(s["compliance"] is not None for s in steps)
    assert steps[1]["target_type"] == "speed"
    assert 0 <= steps[1]["compliance"]["in_pct"] <= 100
    assert doc["cues"]
    assert {"t", "kind", "text", "step_index"} <= set(doc["cues"][0])


def test_show_computes_metrics_when_none_are_stored(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """A session without stored metrics is shown with metrics computed from its record."""
    code, doc = run_json(capsys, "sessions", "show", recorded.plain)
    assert code == EX_OK
    assert doc["metrics_source"] == "computed"
    assert doc["summary"] is None
    assert doc["metrics"]["session_id"] == recorded.plain
    assert doc["metrics"]["hr"]["avg_bpm"] == pytest.approx(140, abs=1)
    assert doc["metrics"]["hrv"]["rmssd_ms"] is not None or doc["metrics"]["hrv"]["withheld"]


def test_show_prints_the_figures_a_runner_wants(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """Readable ``show``: time, distance, HR, zones, compliance, kcal, load, HRR60, RMSSD, EF."""
    code, out, _ = run(capsys, "sessions", "show", recorded.stored)
    assert code == EX_OK
    for words in (
        "distance",
        "heart rate avg 140",
        "time in zones",
        "in target",
        f"calories {recorded.kcal:.0f} kcal (estimate)",
        "TRIMP",
        "HRSS",
        "HRR60",
        "RMSSD",
        "efficiency factor",
        "cues heard",
    ):
        assert words in out
    assert out.count(" %") >= 4  # compliance per step


def test_latest_and_unique_prefixes_resolve(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """``latest`` is the newest session; a unique prefix names its session."""
    code, doc = run_json(capsys, "sessions", "show", "latest")
    assert (code, doc["session"]["session_id"]) == (EX_OK, recorded.running)
    code, doc = run_json(capsys, "sessions", "show", "run-b")
    assert (code, doc["session"]["session_id"]) == (EX_OK, recorded.plain)


def test_an_ambiguous_prefix_is_an_error(
    capsys: pytest.CaptureFixture[str], recorded: Recorded
) -> None:
    """A prefix of several ids exits 65 and names the candidates."""
    code, out, err = run(capsys, "sessions", "show", "run-")
    assert code == EX_DATAERR
    assert out == ""
    assert "matches 2 sessions" in err
    assert recorded.stored in err
    assert recorded.plain in err


def test_an_unknown_id_is_an_error(capsys: pytest.CaptureFixture[str]) -> None:
    """An id naming no session exits 65 with a message saying how to find the ids."""
    for argv in (("show", "nope"), ("export", "nope", "--format", "fit")):
        code, out, err = run(capsys, "sessions", *argv)
        assert code == EX_DATAERR
        assert out == ""
        assert "no session 'nope'" in err
        assert "hiitd sessions list" in err


def test_export_fit_decodes_with_the_garmin_sdk(
    capsys: pytest.CaptureFixture[str], recorded: Recorded, tmp_path: Path
) -> None:
    """FIT export: no decoder errors, one lap per step, the workout and the calorie estimate."""
    from garmin_fit_sdk import Decoder, Stream  # noqa: PLC0415

    target = tmp_path / "a.fit"
    code, result = run_json(
        capsys, "sessions", "export", "run-a", "--format", "fit", "--output", str(target)
    )
    assert code == EX_OK
    assert result == {
        "session_id": recorded.stored,
        "format": "fit",
        "path": str(target),
        "bytes": target.stat().st_size,
        "status": "finished",
        "partial": False,
    }
    data = bytearray(target.read_bytes())
    checked = Decoder(Stream.from_byte_array(data))
    assert checked.is_fit()
    assert checked.check_integrity()
    messages, errors = Decoder(Stream.from_byte_array(data)).read()  # a fresh stream
    assert errors == []
    assert len(messages["lap_mesgs"]) == 4
    assert [lap["wkt_step_index"] for lap in messages["lap_mesgs"]] == [0, 1, 2, 3]
    assert messages["session_mesgs"][0]["total_calories"] == recorded.kcal
    assert messages["workout_mesgs"][0]["wkt_name"] == "test"
    assert len(messages["workout_step_mesgs"]) == 4


def test_export_tcx_is_xml_with_a_lap_per_step(
    capsys: pytest.CaptureFixture[str], recorded: Recorded, tmp_path: Path
) -> None:
    """TCX export parses as XML, with 4 laps whose calories add up to the estimate."""
    code, out, _ = run(
        capsys, "sessions", "export", recorded.stored, "--format", "tcx", "--output", str(tmp_path)
    )
    path = tmp_path / f"{recorded.stored}.tcx"  # a directory as --output: ID.EXT inside it
    assert code == EX_OK
    assert out == f"wrote {path} ({path.stat().st_size} bytes, TCX)\n"
    ns = {"t": "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"}
    laps = ET.parse(path).getroot().findall(".//t:Lap", ns)  # noqa: S314 (our own file)
    assert len(laps) == 4
    kcal = sum(int(lap.findtext("t:Calories", "0", ns)) for lap in laps)
    assert kcal == pytest.approx(recorded.kcal, abs=2)


def test_export_csv_to_stdout(capsys: pytest.CaptureFixture[str], recorded: Recorded) -> None:
    """``--output -`` writes CSV to stdout: the documented header, then a row per second."""
    code, out, _ = run(
        capsys, "sessions", "export", recorded.plain, "--format", "csv", "--output", "-"
    )
    assert code == EX_OK
    rows = list(csv.reader(io.StringIO(out)))
    assert tuple(rows[0]) == COLUMNS
    assert len(rows) > 200
    assert all(len(r) == len(COLUMNS) for r in rows)


def test_export_png_defaults_to_id_in_the_current_directory(
    capsys: pytest.CaptureFixture[str],
    monkeypatch: pytest.MonkeyPatch,
    recorded: Recorded,
    tmp_path: Path,
) -> None:
    """Without --output the chart goes to ./<id>.png, and it is a PNG."""
    monkeypatch.chdir(tmp_path)
    code, _, _ = run(capsys, "sessions", "export", recorded.plain, "--format", "png")
    assert code == EX_OK
    assert (tmp_path / f"{recorded.plain}.png").read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"


def test_exporting_an_unfinished_session_says_it_is_partial(
    capsys: pytest.CaptureFixture[str], recorded: Recorded, tmp_path: Path
) -> None:
    """A session still running exports (exit 0), with a warning that the file is partial."""
    target = tmp_path / "tempo.tcx"
    code, out, err = run(
        capsys, "sessions", "export", "latest", "--format", "tcx", "--output", str(target), "--json"
    )
    assert code == EX_OK
    assert json.loads(out)["partial"] is True
    assert f"session {recorded.running} is still being recorded: the export is partial" in err
    assert ET.parse(target).getroot().findall(".//{*}Lap")  # noqa: S314 (our own file)


def test_an_unwritable_output_is_an_error(
    capsys: pytest.CaptureFixture[str], recorded: Recorded, tmp_path: Path
) -> None:
    """An output in a missing directory exits 69 naming the path, and leaves nothing behind."""
    target = tmp_path / "missing" / "a.csv"
    code, out, err = run(
        capsys, "sessions", "export", recorded.stored, "--format", "csv", "--output", str(target)
    )
    assert code == EX_UNAVAILABLE
    assert out == ""
    assert f"cannot write {target}" in err
    assert list(tmp_path.iterdir()) == []


def test_list_and_show_load_no_exporter() -> None:
    """The module loads no exporter; ``list``/``show`` never load matplotlib or hiitd.export."""
    heavy = "{'matplotlib', 'garmin_fit_sdk', 'hiitd.export'}"
    code = (
        "import sys; import hiitd.cli.sessions_cmd;"
        f" assert not {heavy} & set(sys.modules), 'on import';"
        " from hiitd.cli.main import main; main(['sessions', 'list']);"
        " main(['sessions', 'show', 'latest']);"
        " assert not {'matplotlib', 'hiitd.export'} & set(sys.modules), 'on use'"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, check=False)
    assert done.returncode == 0, done.stderr
    assert b"tempo1-0" in done.stdout


def test_show_recomputes_hrr60_from_metrics_v2(
    capsys: pytest.CaptureFixture[str], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Metrics v2 took HRR60 during jogs (-7 bpm): ``show`` computes them again and says why."""
    state = tmp_path / "state"
    state.mkdir()
    with Store.open(state) as store:
        s, summaries = _full("old", WALL0)
        rec = s.builder.record()
        assert rec is not None
        store.save(rec)
        old = compute_metrics(rec).to_payload()
        old["metrics_version"] = 2
        jog = {"hrr60_bpm": -7.0, "reason": None, "anchor": "work_step"}
        old["hrr60"] = {"steps": [jog], "session": jog}
        store.set_summary(rec.session_id, summaries[0].to_payload(), old)
    monkeypatch.setenv("STATE_DIRECTORY", str(state))
    code, out, _ = run(capsys, "sessions", "show", rec.session_id)
    assert code == EX_OK
    assert "metrics computed" in out
    (line,) = [x for x in out.splitlines() if "HRR60" in x]
    assert line == (
        "  HRR60 - after the last interval: kept jogging after the work step: "
        "no speed drop, so HRR60 would not mean recovery"
    )


def test_hrr60_text_says_what_it_was_measured_on() -> None:
    """Measured: the basis in words and each interval measured; withheld: the reason."""
    stop = {"hrr60_bpm": 31.0, "basis": "stopped", "anchor": "work_step"}
    jog = {"hrr60_bpm": None, "basis": None, "reason": "kept jogging", "anchor": "work_step"}
    rest = {"hrr60_bpm": 28.0, "basis": "planned_rest", "anchor": "work_step"}
    m = {"hrr60": {"steps": [jog, rest, stop], "session": stop}}
    (line,) = sessions_cmd.hrr60_lines(m)
    assert line == (
        "  HRR60 31 bpm after the last interval (you stopped); "
        "measured after 2 of 3 intervals: 28, 31"
    )
    m = {"hrr60": {"steps": [stop, jog], "session": jog}}
    assert sessions_cmd.hrr60_lines(m) == [
        "  HRR60 - after the last interval: kept jogging; measured after 1 of 2 intervals: 31"
    ]
    m = {"hrr60": {"steps": [jog, jog], "session": jog}}
    assert sessions_cmd.hrr60_lines(m) == [
        "  HRR60 - after the last interval: kept jogging; withheld after all 2 intervals"
    ]
    m = {"hrr60": {"steps": [rest], "session": rest}}
    assert sessions_cmd.hrr60_lines(m) == [
        "  HRR60 28 bpm after the last interval (a planned rest; no footpod to see it)"
    ]
