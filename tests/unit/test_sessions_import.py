"""``hiitd sessions import``: real FIT activities from shared/data, read in place.

Each test imports through the command line (``main``) into ``tmp_path``, then
reads the store back through the same commands a runner uses (``sessions list``,
``sessions show``, ``plan history``).
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import TYPE_CHECKING, Any

import pytest

from hiitd.cli.main import main
from hiitd.store import schema
from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

RUN = "runalyze__FR630-with-lth.fit"  # fr630: running/generic, 13m39s, 2030 m, HR and RR, 3 laps
WALK = "garmin-fit-python-sdk__HrmPluginTestActivity.fit"  # fr955: walking/generic
NO_HR_RUN = "runalyze__FR920xt-with-Stryd.fit"  # running, Stryd only: no heart rate


@pytest.fixture
def fit_dir(shared_data: Path) -> Path:
    return shared_data / "fit_activities"


@pytest.fixture
def state(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    """A fresh state directory and an athlete with what TRIMP and HRSS need."""
    state_dir = tmp_path / "state"
    monkeypatch.setenv("HIITD_STORAGE__STATE_DIR", str(state_dir))
    monkeypatch.setenv("HIITD_ATHLETE__MAX_HR", "190")
    monkeypatch.setenv("HIITD_ATHLETE__RESTING_HR", "50")
    monkeypatch.setenv("HIITD_ATHLETE__SEX", "male")
    return state_dir


def _json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main([*argv, "--json"]) == 0
    return json.loads(capsys.readouterr().out)


def _summary(fit_dir: Path, name: str) -> dict[str, Any]:
    """The file's facts as FIT_SUMMARY.json (written with fitdecode) has them."""
    doc = json.loads((fit_dir / "FIT_SUMMARY.json").read_text())
    files = doc if isinstance(doc, list) else doc.get("files", doc)
    found = [f for f in (files.values() if isinstance(files, dict) else files) if name in str(f)]
    assert found, f"{name} not in FIT_SUMMARY.json"
    entry: dict[str, Any] = found[0]
    return entry


def _days_back(start_wall: float) -> int:
    return (datetime.now(UTC) - datetime.fromtimestamp(start_wall, UTC)).days + 2


def test_a_run_is_listed_shown_and_counted_in_the_load(
    fit_dir: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """sessions list/show mark it imported with its start, time and distance; plan history
    counts its load from HRSS."""
    docs = _json(capsys, "sessions", "import", str(fit_dir / RUN))
    assert [d["status"] for d in docs] == ["imported"]
    sid = docs[0]["session_id"]
    assert sid.startswith("i20151127-")
    assert docs[0]["device"] == "garmin fr630"

    (row,) = _json(capsys, "sessions", "list")
    assert row["session_id"] == sid
    assert row["source"] == "import"
    assert row["status"] == "finished"
    assert row["workout"] is None
    # FIT_SUMMARY: 13m39s and 2030 m; the session message's start is 2015-11-27 20:02:58 UTC.
    assert datetime.fromtimestamp(row["start_wall"], UTC) == datetime(
        2015, 11, 27, 20, 2, 58, tzinfo=UTC
    )
    assert row["duration_s"] == pytest.approx(13 * 60 + 39, abs=3)
    assert row["distance_m"] == pytest.approx(2030, abs=5)

    assert main(["sessions", "list"]) == 0
    assert "(imported run)" in capsys.readouterr().out

    show = _json(capsys, "sessions", "show", sid)
    assert show["session"]["source"] == "import"
    assert show["session"]["imported"]["file_name"] == RUN
    assert show["session"]["imported"]["sport"] == "running"
    assert show["metrics_source"] == "stored"
    assert [s["label"] for s in show["steps"]] == ["Lap 1 of 3", "Lap 2 of 3", "Lap 3 of 3"]
    assert show["cues"] == []
    assert show["summary"]["source"] == "import"
    assert show["metrics"]["load"]["hrss"] > 0
    assert main(["sessions", "show", sid]) == 0
    assert f"imported from {RUN}" in capsys.readouterr().out

    days = _json(capsys, "plan", "history", "--days", str(_days_back(row["start_wall"])))
    loads = [s for d in days for s in d["session_loads"]]
    assert len(loads) == 1
    assert loads[0]["day"] == "2015-11-27" or loads[0]["day"] == "2015-11-28"  # local time zone
    assert loads[0]["load_source"] == "hrss"
    assert loads[0]["load"] > 0
    assert loads[0]["workout"] is None  # a free run


def test_the_same_file_again_is_refused_with_its_session(
    fit_dir: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    first = _json(capsys, "sessions", "import", str(fit_dir / RUN))
    assert main(["sessions", "import", str(fit_dir / RUN)]) == 0
    out = capsys.readouterr().out
    assert f"already imported as session {first[0]['session_id']}" in out
    again = _json(capsys, "sessions", "import", str(fit_dir / RUN))
    assert again[0]["status"] == "duplicate"
    assert again[0]["session_id"] == first[0]["session_id"]
    assert len(_json(capsys, "sessions", "list")) == 1


def test_a_truncated_file_fails_naming_it_and_stores_nothing_yet_the_others_import(
    fit_dir: Path, state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    data = (fit_dir / RUN).read_bytes()
    cut = tmp_path / "cut.fit"
    cut.write_bytes(data[: len(data) // 2])
    junk = tmp_path / "notes.fit"
    junk.write_text("this is not a FIT file\n")
    code = main(["sessions", "import", str(cut), str(junk), str(fit_dir / RUN)])
    captured = capsys.readouterr()
    assert code == 65
    assert f"{cut}: not imported:" in captured.err
    assert f"{junk}: not imported:" in captured.err
    assert "imported as session" in captured.out
    rows = _json(capsys, "sessions", "list")
    assert len(rows) == 1  # only the good file
    with Store.open(state) as store:
        assert store.imported_as("0" * 64) is None
    docs = json.loads(
        (
            main(["sessions", "import", str(cut), "--json"]),
            capsys.readouterr().out,
        )[1]
    )
    assert docs[0]["status"] == "failed"
    assert "FIT" in docs[0]["message"] or "truncated" in docs[0]["message"]


def test_a_walk_is_refused_by_its_sport(
    fit_dir: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    assert main(["sessions", "import", str(fit_dir / WALK)]) == 65
    err = capsys.readouterr().err
    assert "sport walking/generic: only runs are imported" in err
    assert (state / schema.FILE_NAME).is_file()
    assert _json(capsys, "sessions", "list") == []


def test_a_run_without_heart_rate_counts_as_an_estimated_free_run(
    fit_dir: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    (doc,) = _json(capsys, "sessions", "import", str(fit_dir / NO_HR_RUN))
    assert doc["status"] == "imported"
    assert doc["hrss"] is None
    days = _json(capsys, "plan", "history", "--days", str(_days_back(doc["start_wall"])))
    (load,) = [s for d in days for s in d["session_loads"]]
    assert load["load_source"] == "estimated"
    assert load["load"] > 0


def test_a_run_already_stored_under_another_file_is_refused(
    fit_dir: Path, state: Path, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """hiitd's own FIT export of an imported run has other bytes but the same time: refused,
    as a watch's file of a run hiitd recorded live would be (its load would count twice)."""
    (first,) = _json(capsys, "sessions", "import", str(fit_dir / RUN))
    exported = tmp_path / "again.fit"
    assert main(["sessions", "export", "latest", "--format", "fit", "--output", str(exported)]) == 0
    capsys.readouterr()
    assert main(["sessions", "import", str(exported)]) == 65
    err = capsys.readouterr().err
    assert f"{exported}: not imported: its time overlaps session {first['session_id']}" in err
    assert len(_json(capsys, "sessions", "list")) == 1


def test_a_file_without_a_wall_clock_start_is_refused(
    fit_dir: Path, state: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """An FR70 file timed from the device's power-on: no day to count its load on."""
    name = fit_dir / "fitdecode__compressed-speed-distance.fit"
    assert main(["sessions", "import", str(name)]) == 65
    assert "timestamps are relative to the device's power-on" in capsys.readouterr().err
    assert _json(capsys, "sessions", "list") == []
