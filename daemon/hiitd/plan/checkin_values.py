"""The morning readiness check-in as a value: from RR intervals (or typed in) to its figures. Pure.

A check-in is a resting measurement: resting heart rate from the mean clean RR
interval, and lnRMSSD (metrics/hrv.py). ``CheckinRow`` is what the store keeps
(store/checkins.py) and what the planner reads (plan/readiness.py).
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import TYPE_CHECKING, Any

from hiitd.metrics.hrv import hrv_from_runs

if TYPE_CHECKING:
    from collections.abc import Sequence

MIN_CHECKIN_BEATS = 60  # a 2-minute measurement at rest has 100+ beats


@dataclass(frozen=True, slots=True)
class CheckinRow:
    """One resting measurement as stored."""

    wall: float
    day: str  # local calendar day, ISO 8601
    resting_hr: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None
    beats: int | None
    artefact_pct: float | None
    source: str


def local_day(wall: float) -> date:
    """The local calendar day of a Unix time."""
    return datetime.fromtimestamp(wall, tz=UTC).astimezone().date()


def checkin_from_rr(
    rr_ms: Sequence[float], wall: float, source: str, *, min_beats: int = MIN_CHECKIN_BEATS
) -> CheckinRow:
    """A check-in from a resting RR recording: resting HR from the mean clean RR, lnRMSSD."""
    return checkin_from_runs([rr_ms], wall, source, min_beats=min_beats)


def checkin_from_runs(
    runs: Sequence[Sequence[float]],
    wall: float,
    source: str,
    *,
    min_beats: int = MIN_CHECKIN_BEATS,
) -> CheckinRow:
    """A check-in from runs of contiguous RR intervals (no successive difference spans a gap).

    ValueError says why when there are too few beats or too many artefacts.
    """
    beats = sum(len(r) for r in runs)
    if beats < min_beats:
        raise ValueError(
            f"{beats} RR intervals are too few for a check-in: record 2 minutes at rest "
            f"(at least {min_beats} beats)"
        )
    hrv = hrv_from_runs([list(r) for r in runs])
    if hrv.rmssd_ms is None or hrv.mean_rr_ms is None:
        raise ValueError(f"no usable HRV in the recording: {hrv.withheld}")
    return CheckinRow(
        wall=wall,
        day=local_day(wall).isoformat(),
        resting_hr=60000.0 / hrv.mean_rr_ms,
        rmssd_ms=hrv.rmssd_ms,
        ln_rmssd=hrv.ln_rmssd,
        beats=hrv.beats,
        artefact_pct=hrv.artefact_pct,
        source=source,
    )


def checkin_figures(row: CheckinRow) -> dict[str, Any]:
    """A check-in's figures, rounded for people and dashboards."""

    def r(x: float | None, digits: int) -> float | None:
        return None if x is None else round(x, digits)

    return {
        "day": row.day,
        "resting_hr": r(row.resting_hr, 1),
        "rmssd_ms": r(row.rmssd_ms, 1),
        "ln_rmssd": r(row.ln_rmssd, 3),
        "beats": row.beats,
        "artefact_pct": r(row.artefact_pct, 1),
    }


def checkin_manual(resting_hr: float, rmssd_ms: float, wall: float) -> CheckinRow:
    """A check-in typed in (from another app's morning measurement)."""
    if not 25 <= resting_hr <= 150:
        raise ValueError(f"resting HR {resting_hr:g} bpm is not plausible (25-150)")
    if not 1 <= rmssd_ms <= 500:
        raise ValueError(f"RMSSD {rmssd_ms:g} ms is not plausible (1-500)")
    return CheckinRow(
        wall=wall,
        day=local_day(wall).isoformat(),
        resting_hr=resting_hr,
        rmssd_ms=rmssd_ms,
        ln_rmssd=math.log(rmssd_ms),
        beats=None,
        artefact_pct=None,
        source="manual",
    )
