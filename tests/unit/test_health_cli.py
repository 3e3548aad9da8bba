"""``hiitd health ill|injured|ok`` and what ``hiitd plan next`` says then (health.json shared)."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from hiitd.cli.cli_support import EX_OK
from hiitd.cli.main import main
from hiitd.plan.eligibility import HealthStatus
from hiitd.store import health_file

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(autouse=True)
def _athlete(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    monkeypatch.setenv("STATE_DIRECTORY", str(tmp_path / "state"))
    monkeypatch.setenv("HIITD_ATHLETE__AGE", "35")
    monkeypatch.delenv("HIITD_ATHLETE__BETA_BLOCKERS", raising=False)


def run_json(capsys: pytest.CaptureFixture[str], *argv: str) -> Any:
    assert main([*argv, "--json"]) == EX_OK
    return json.loads(capsys.readouterr().out)


def test_ill_means_no_running_then_ok_means_easy_days(
    capsys: pytest.CaptureFixture[str], tmp_path: Path
) -> None:
    before = run_json(capsys, "plan", "next")
    assert before["kind"] == "strides"  # a beginner's first quality session: strides
    assert before["health"]["status"] == "ok"
    assert before["eligibility"]["hiit_allowed"] is True

    ill = run_json(capsys, "health", "ill", "--note", "flu")
    assert (ill["status"], ill["note"]) == ("ill", "flu")
    assert ill["eligibility"]["plan_allowed"] is False
    nxt = run_json(capsys, "plan", "next")
    assert (nxt["workout"], nxt["kind"]) == (None, "rest")  # rest, not no_plan (screening)
    assert nxt["why"][0].startswith("reported ill since")
    assert "no running until you report ok" in nxt["why"][0]
    assert main(["plan", "next"]) == EX_OK
    text = capsys.readouterr().out
    assert "next: no training plan (no workout)" in text
    assert "no running until you report ok" in text

    ok = run_json(capsys, "health", "ok")
    assert ok["status"] == "ok"
    nxt = run_json(capsys, "plan", "next")
    assert nxt["kind"] == "easy"
    assert nxt["workout"].startswith("plan-easy-")
    assert "back from being ill (reported ok today)" in nxt["why"][0]
    assert "3 days before any HIIT" in nxt["why"][0]
    assert nxt["hiit_not_before"] == pytest.approx(ok["since"] + 3 * 86400)

    history = health_file.load(tmp_path / "state").history
    assert [r.status for r in history] == [HealthStatus.ILL, HealthStatus.OK]


def test_health_show_says_what_the_plan_allows(capsys: pytest.CaptureFixture[str]) -> None:
    assert main(["health", "injured"]) == EX_OK
    out = capsys.readouterr().out
    assert "health: injured since" in out
    assert "plan: no training plan" in out
    with pytest.raises(SystemExit, match="2"):  # argparse names the choices
        main(["health", "bad"])
    assert "invalid choice: 'bad' (choose from 'ill', 'injured', 'ok')" in capsys.readouterr().err


def test_an_unreadable_file_is_nothing_reported(tmp_path: Path) -> None:
    (tmp_path / health_file.FILE_NAME).write_text("{not json", encoding="utf-8")
    assert health_file.load(tmp_path).status is HealthStatus.OK
    (tmp_path / health_file.FILE_NAME).write_text('{"history": [{"status": "sick"}]}')
    assert health_file.load(tmp_path).history == ()
    state = health_file.report(tmp_path, HealthStatus.INJURED, 5.0, "  knee  ")
    assert health_file.load(tmp_path) == state
    assert state.to_payload() == {"status": "injured", "since": 5.0, "note": "knee"}
