"""CSV export: one row per second with a sample, empty cells for no data, safe text cells."""

from __future__ import annotations

import csv
import io

from export_rig import HR_DROPOUT, PAUSE, four_by_four, free_run

from hiitd.export import COLUMNS, export_csv
from hiitd.export._track import build_track


def _rows(text: str) -> list[dict[str, str]]:
    return list(csv.DictReader(io.StringIO(text, newline="")))


def test_header_and_one_row_per_track_second() -> None:
    """The header is COLUMNS; there is a row for each second with a sample, in order."""
    text = export_csv(four_by_four())
    assert text.startswith(",".join(COLUMNS) + "\r\n")
    rows = _rows(text)
    assert len(rows) == len(build_track(four_by_four()))
    seconds = [int(r["t_s"]) for r in rows]
    assert seconds == sorted(set(seconds))
    assert rows[0]["time_utc"].endswith("Z")


def test_no_data_is_an_empty_cell_and_rr_joined() -> None:
    """Heart rate is empty in the dropout (never 0); RR intervals are ';'-joined milliseconds."""
    rows = _rows(export_csv(four_by_four()))
    inside = [r for r in rows if HR_DROPOUT[0] + 2 <= int(r["t_s"]) < HR_DROPOUT[1] - 1]
    assert inside
    assert all(r["hr_bpm"] == "" and r["rr_ms"] == "" for r in inside)
    assert "0" not in {r["hr_bpm"] for r in rows}
    first = _rows(export_csv(free_run()))[0]
    assert first["rr_ms"] == "430.0;431.0"
    assert float(first["pace_s_per_km"]) == round(1000 / 3.0, 1)
    assert first["cadence_spm"] == "171.3"


def test_paused_rows_are_flagged_and_steps_named() -> None:
    """Rows in the pause say paused=1; step names come from the steps; formulas are defused."""
    rows = _rows(export_csv(four_by_four()))
    paused = {int(r["t_s"]) for r in rows if r["paused"] == "1"}
    assert paused
    assert min(paused) >= PAUSE[0] - 1
    assert max(paused) < PAUSE[1]
    in_steps = [r for r in rows if r["step_index"] != ""]
    assert len(in_steps) >= len(rows) - 1  # the final sample lands on the end time
    assert {r["step_name"] for r in in_steps} == {"Warm-up", "Work", "Jog", "'=Cool-down"}
    assert {r["step_index"] for r in in_steps} == {str(i) for i in range(9)}
