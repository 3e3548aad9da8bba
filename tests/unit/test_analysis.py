"""The post-session analysis in its child process: metrics, FIT file and chart, or why not."""

from __future__ import annotations

import asyncio
from dataclasses import replace
from typing import TYPE_CHECKING

import fitdecode
from export_rig import four_by_four

from hiitd.metrics import compute_metrics
from hiitd.record.point_columns import HrColumns, PodColumns
from hiitd.runtime.analysis_child import Job, analyse_in_child

if TYPE_CHECKING:
    from pathlib import Path


def test_the_child_computes_what_the_daemon_would(tmp_path: Path) -> None:
    plain = four_by_four()
    # As the daemon hands it over: points in columns (they travel as arrays).
    record = replace(plain, hr=HrColumns(plain.hr).view(), pod=PodColumns(plain.pod).view())
    done = asyncio.run(analyse_in_child(Job(record, tmp_path), timeout_s=600))
    assert done.errors == ()
    assert done.metrics == compute_metrics(plain).to_payload()
    assert done.chart is not None
    assert done.chart.startswith(b"\x89PNG")
    assert (tmp_path / f"{plain.session_id}.png").read_bytes() == done.chart
    with fitdecode.FitReader(tmp_path / f"{plain.session_id}.fit") as fit:
        laps = [f for f in fit if isinstance(f, fitdecode.FitDataMessage) and f.name == "lap"]
    assert len(laps) == len(plain.steps)


def test_exports_that_cannot_be_written_are_named_and_the_metrics_still_come(
    tmp_path: Path,
) -> None:
    job = Job(four_by_four(), tmp_path / "missing")
    done = asyncio.run(analyse_in_child(job, timeout_s=600))
    assert done.metrics is not None
    assert done.metrics["duration_s"] > 0
    assert done.chart is None
    assert [e.split(":")[0] for e in done.errors] == ["fit", "chart"]
    assert all("No such file or directory" in e for e in done.errors)


def test_an_analysis_that_overruns_is_stopped_and_said(tmp_path: Path) -> None:
    done = asyncio.run(analyse_in_child(Job(four_by_four(), tmp_path), timeout_s=0.05))
    assert done.metrics is None
    assert done.errors == ("the analysis took longer than 0.05 s",)
    assert not list(tmp_path.iterdir())  # killed before it wrote anything
