"""Heart-rate variability from RR intervals: RMSSD, lnRMSSD, SDNN. Pure.

Time-domain definitions follow the Task Force of the ESC and NASPE, "Heart rate
variability: standards of measurement, physiological interpretation and
clinical use", Circulation 1996; 93: 1043-65: RMSSD is the root mean square of
successive differences of normal-to-normal intervals, SDNN their (sample)
standard deviation. lnRMSSD is its natural log, the usual form in sport
(Plews et al., Sports Med 2013; 43: 773-81).

Artefacts (missed or extra beats from a chest strap) are found in two steps:

1. a physiological gate: an RR outside 300-2000 ms (200-30 bpm) is not a beat
   interval (the bounds of ``hrv-analysis``'s ``remove_outliers``);
2. a relative rule: an RR differing by more than 20 % from the median of its
   up to ``NEIGHBOURS`` gated neighbours on each side is an artefact. The 20 %
   threshold is Malik's (Malik M et al., "Heart rate variability in relation to
   prognosis after myocardial infarction: selection of optimal processing
   techniques", Eur Heart J 1989; 10: 1060-74), which compares a beat with the
   one before it; comparing with a local median instead, as Kubios's threshold
   filter and Lipponen & Tarvainen (J Med Eng Technol 2019; 43: 173-81) do, lets
   one artefact not condemn the good beat after it.

Successive differences are taken only between two *consecutive* beats that are
both clean, never across a removed beat or a recording gap. When more than
``MAX_ARTEFACT_PCT`` of the beats are artefacts the values are withheld: the
Task Force and Kubios both warn that correcting more than a few percent of
beats biases RMSSD, so none is better than a wrong one.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.metrics.series import MAX_HOLD_S

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.record.session_record import SessionRecord

RR_MIN_MS = 300.0
RR_MAX_MS = 2000.0
RELATIVE_LIMIT = 0.20
NEIGHBOURS = 5
MAX_ARTEFACT_PCT = 5.0
MIN_CLEAN_DIFFS = 20  # about 20 s of beats; fewer makes RMSSD a guess


@dataclass(frozen=True, slots=True)
class HrvResult:
    """HRV over the clean beats; the variability values are None with ``withheld`` saying why."""

    beats: int  # every RR interval received
    clean_beats: int
    artefact_pct: float | None
    mean_rr_ms: float | None
    sdnn_ms: float | None
    rmssd_ms: float | None
    ln_rmssd: float | None
    withheld: str | None = None


def clean_mask(rr_ms: Sequence[float]) -> list[bool]:
    """``True`` for each RR that passes the range gate and the relative-to-median rule."""
    gated = [math.isfinite(x) and RR_MIN_MS <= x <= RR_MAX_MS for x in rr_ms]
    mask = []
    for i, x in enumerate(rr_ms):
        if not gated[i]:
            mask.append(False)
            continue
        lo, hi = max(0, i - NEIGHBOURS), min(len(rr_ms), i + NEIGHBOURS + 1)
        near = [rr_ms[j] for j in range(lo, hi) if j != i and gated[j]]
        if not near:
            mask.append(True)  # nothing to compare with: the gate is all we can say
            continue
        ref = statistics.median(near)
        mask.append(abs(x - ref) <= RELATIVE_LIMIT * ref)
    return mask


@dataclass(frozen=True, slots=True)
class TimeDomain:
    """Plain time-domain values over the beats a mask keeps (no withholding)."""

    clean_beats: int
    diffs: int  # successive differences between two consecutive kept beats
    mean_rr_ms: float | None
    sdnn_ms: float | None  # sample standard deviation (n - 1), as the Task Force
    rmssd_ms: float | None


def time_domain(runs: Sequence[Sequence[float]], masks: Sequence[Sequence[bool]]) -> TimeDomain:
    """Mean RR, SDNN and RMSSD over the kept beats; a difference needs both beats kept."""
    kept: list[float] = []
    diffs: list[float] = []
    for run, mask in zip(runs, masks, strict=True):
        kept.extend(x for x, ok in zip(run, mask, strict=True) if ok)
        diffs.extend(run[i] - run[i - 1] for i in range(1, len(run)) if mask[i] and mask[i - 1])
    return TimeDomain(
        clean_beats=len(kept),
        diffs=len(diffs),
        mean_rr_ms=statistics.fmean(kept) if kept else None,
        sdnn_ms=statistics.stdev(kept) if len(kept) > 1 else None,
        rmssd_ms=math.sqrt(statistics.fmean(d * d for d in diffs)) if diffs else None,
    )


def hrv_from_runs(runs: Sequence[Sequence[float]]) -> HrvResult:
    """HRV over runs of contiguous RR intervals (ms); no difference spans two runs."""
    beats = sum(len(r) for r in runs)
    if beats == 0:
        return HrvResult(0, 0, None, None, None, None, None, "no RR intervals recorded")
    td = time_domain(runs, [clean_mask(r) for r in runs])
    artefact_pct = 100.0 * (beats - td.clean_beats) / beats
    withheld = None
    if artefact_pct > MAX_ARTEFACT_PCT:
        withheld = f"{artefact_pct:.1f} % of beats are artefacts (more than {MAX_ARTEFACT_PCT:g} %)"
    elif td.diffs < MIN_CLEAN_DIFFS:
        withheld = f"only {td.diffs} clean successive beats (at least {MIN_CLEAN_DIFFS} needed)"
    if withheld is not None or td.rmssd_ms is None:
        return HrvResult(
            beats, td.clean_beats, artefact_pct, td.mean_rr_ms, None, None, None, withheld
        )
    return HrvResult(
        beats=beats,
        clean_beats=td.clean_beats,
        artefact_pct=artefact_pct,
        mean_rr_ms=td.mean_rr_ms,
        sdnn_ms=td.sdnn_ms,
        rmssd_ms=td.rmssd_ms,
        ln_rmssd=math.log(td.rmssd_ms) if td.rmssd_ms > 0 else None,
    )


def rr_runs(record: SessionRecord) -> list[list[float]]:
    """The record's RR intervals in runs: a run breaks at lost contact or a gap over 3 s."""
    runs: list[list[float]] = []
    cur: list[float] = []
    last_t: float | None = None
    for p in sorted(record.hr, key=lambda p: p.t):
        broken = p.contact is False or (last_t is not None and p.t - last_t > MAX_HOLD_S)
        if broken and cur:
            runs.append(cur)
            cur = []
        if p.contact is not False:
            cur.extend(float(x) for x in p.rr_ms)
        last_t = p.t
    if cur:
        runs.append(cur)
    return runs


def session_hrv(record: SessionRecord) -> HrvResult:
    """HRV over every RR interval the strap sent during the session."""
    return hrv_from_runs(rr_runs(record))
