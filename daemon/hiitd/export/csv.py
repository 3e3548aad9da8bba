"""A session as CSV: one row per second with a sample (pure: a ``SessionRecord`` in, text out).

RFC 4180 (comma separated, CRLF line ends, quoted when needed), a header row,
then one row per whole second in which a heart-rate or footpod notification
arrived. A dropout has no rows; an empty cell is "no data", never 0.

Columns (``COLUMNS``):

==============  ===========================================================
t_s             seconds since the session start (the whole second)
time_utc        wall time of that second, ISO 8601 UTC (``...Z``)
hr_bpm          heart rate; empty with no contact or no strap sample
rr_ms           RR intervals notified in that second, ms, joined with ``;``
speed_mps       footpod speed, m/s; empty with no footpod sample
pace_s_per_km   1000 / speed; empty when standing (speed below 0.5 m/s)
cadence_spm     steps per minute (both feet)
stride_m        length of one step, m
distance_m      session distance, m: the pod total made monotonic, not
                counted while paused
step_index      index of the workout step (``StepRecord.index``); empty outside steps
step_name       its name
paused          1 while the timer was stopped, else 0
==============  ===========================================================

Text cells that start with ``=``, ``+``, ``-``, ``@`` (a step name from an
imported workout file) get a leading ``'`` so a spreadsheet shows them rather
than running them as a formula (OWASP, "CSV Injection").
"""

from __future__ import annotations

import csv
import io
from typing import TYPE_CHECKING

from hiitd.export._track import build_track, utc_iso

if TYPE_CHECKING:
    from hiitd.record.session_record import SessionRecord

__all__ = ["COLUMNS", "export_csv"]

COLUMNS = (
    "t_s",
    "time_utc",
    "hr_bpm",
    "rr_ms",
    "speed_mps",
    "pace_s_per_km",
    "cadence_spm",
    "stride_m",
    "distance_m",
    "step_index",
    "step_name",
    "paused",
)
_STANDING_MPS = 0.5  # below this pace is meaningless (minutes per km run away)
_FORMULA_START = ("=", "+", "-", "@", "\t", "\r")


def _f(value: float | None, digits: int) -> str:
    return "" if value is None else f"{value:.{digits}f}"


def _safe(text: str) -> str:
    return "'" + text if text.startswith(_FORMULA_START) else text


def export_csv(record: SessionRecord) -> str:
    """The session's samples as CSV text (see the module docstring for the columns)."""
    names = {s.index: s.name for s in record.steps}
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(COLUMNS)
    for p in build_track(record):
        speed = p.speed_mps
        pace = 1000 / speed if speed is not None and speed >= _STANDING_MPS else None
        writer.writerow(
            (
                p.sec,
                utc_iso(record.start_wall + p.sec, millis=True),
                "" if p.bpm is None else p.bpm,
                ";".join(_f(rr, 1) for rr in p.rr_ms),
                _f(speed, 3),
                _f(pace, 1),
                _f(p.cadence_spm, 1),
                _f(p.stride_m, 3),
                _f(p.distance_m, 2),
                "" if p.step_index is None else p.step_index,
                _safe(names.get(p.step_index, "")) if p.step_index is not None else "",
                1 if p.paused else 0,
            )
        )
    return out.getvalue()
