"""Heart-rate variability from RR intervals: RMSSD, lnRMSSD, SDNN. Pure.

Time-domain definitions follow the Task Force of the ESC and NASPE, "Heart rate
variability: standards of measurement, physiological interpretation and
clinical use", Circulation 1996; 93: 1043-65: RMSSD is the root mean square of
successive differences of normal-to-normal intervals, SDNN their (sample)
standard deviation. lnRMSSD is its natural log, the usual form in sport
(Plews et al., Sports Med 2013; 43: 773-81).

Artefacts (missed or extra beats from a chest strap, ectopic beats) are found
in two steps:

1. a physiological gate: an RR outside 300-2000 ms (200-30 bpm) is not a beat
   interval (the bounds of ``hrv-analysis``'s ``remove_outliers``);
2. the adaptive detector of Lipponen JA & Tarvainen MP, "A robust algorithm for
   heart rate variability time series artefact correction using novel beat
   classification", J Med Eng Technol 2019; 43(3): 173-81 (the method of
   Kubios HRV and of NeuroKit2's ``signal_fixpeaks(method="Kubios")``), run
   over the gated beats of each run:

   - dRR, the successive differences, is divided by a time-varying threshold
     Th1 = ``ALPHA`` (5.2) x the quartile deviation of |dRR| over the
     ``QD_WINDOW`` (91) beats centred on each beat;
   - mRR, each RR less the median of the ``MEDIAN_WINDOW`` (11) beats centred on
     it (a negative mRR doubled, as in the paper), is divided by Th2, found from
     |mRR| the same way;
   - a beat is *ectopic* when (S11, S12) falls in the paper's ectopic regions:
     S11 = dRR_j, S12 = the larger of dRR_j-1 and dRR_j+1 when dRR_j > 0 (the
     smaller when < 0), with the boundaries S12 < -c1 S11 - c2 (S11 > 1) and
     S12 > -c1 S11 + c2 (S11 < -1), c1 = 0.13, c2 = 0.17: the middle of the
     down-up-down (or up-down-up) pattern a premature beat leaves in dRR;
   - otherwise a beat is *long* when S21 = dRR_j > 1 and S22 (the smaller of
     dRR_j+1 and dRR_j+2) < -1, *short* when S21 < -1 and S22 (the larger) > 1,
     and either when |mRR| > 3 (long above the local median, short below);
   - a long beat is a *missed* beat when half of it is within Th2 of the local
     median; a short one an *extra* beat when it and the next together are.

   Kubios and NeuroKit2 then correct the beats (insert, delete or move a
   detection); hiitd drops them instead: a missed beat's interval and both
   pieces of an extra beat's split interval are not normal-to-normal intervals,
   and a difference is never taken across a dropped beat. Two choices of ours:

   - every beat is judged, so |mRR| > 3 catches the second and later of
     consecutive missed beats; NeuroKit2 first requires |dRR| > Th1 and so
     keeps them (beats 104-106, counted from 0, of fitdecode's
     ``garmin-fenix-5-run.fit``: 1104, 1105 and 1118 ms among 550 ms beats);
   - neither threshold falls below ``THRESHOLD_FLOOR`` (5 %) of the local
     median RR. At rest the floor never binds (on pyhrv's resting series Th1
     is at least 6.9 % of the median and Th2 11.9 %), but in steady running the
     spread of dRR shrinks to the strap's 1 ms resolution and wiggles of 3-7 ms
     would be called ectopic: on Runalyze's ``FR630-with-lth`` (a run, RR about
     370 ms) Th1 is 3.9 ms, 1 % of the RR, and without the floor 159 of its
     2150 beats are flagged; with it, its 20 missed beats, the only true
     artefacts there.

   Breathing-related changes (respiratory sinus arrhythmia) stay in: the
   thresholds scale with the runner's own variability, where the fixed 20 %
   rule used before (Malik et al., Eur Heart J 1989; 10: 1060-74, against the
   median of 5 neighbours each side) removed 7.4 % of the beats of pyhrv's clean
   resting series and gave 71 ms RMSSD where this detector gives 96 ms
   (NeuroKit2's Kubios correction 98 ms).

Successive differences are taken only between two *consecutive* beats that are
both clean, never across a removed beat or a recording gap. When more than
``MAX_ARTEFACT_PCT`` of the beats are artefacts the values are withheld: the
Task Force and Kubios both warn that correcting more than a few percent of
beats biases RMSSD, so none is better than a wrong one.
"""

from __future__ import annotations

import bisect
import enum
import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.metrics.series import MAX_HOLD_S

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hiitd.record.session_record import SessionRecord

RR_MIN_MS = 300.0
RR_MAX_MS = 2000.0
# Lipponen & Tarvainen 2019: threshold = ALPHA x quartile deviation over QD_WINDOW
# beats, local median over MEDIAN_WINDOW beats, the ectopic boundaries' slope C1
# and offset C2, and |mRR| beyond MRR_LIMIT thresholds as long or short.
ALPHA = 5.2
QD_WINDOW = 91
MEDIAN_WINDOW = 11
C1 = 0.13
C2 = 0.17
MRR_LIMIT = 3.0
THRESHOLD_FLOOR = 0.05  # of the local median RR: no smaller change is an artefact (see above)
MAX_ARTEFACT_PCT = 5.0
MIN_CLEAN_DIFFS = 20  # about 20 s of beats; fewer makes RMSSD a guess


class Artefact(enum.StrEnum):
    """Why a beat is not a normal-to-normal interval."""

    RANGE = "range"  # outside RR_MIN_MS-RR_MAX_MS (a dropout, or noise)
    ECTOPIC = "ectopic"  # a premature beat or its compensatory pause
    MISSED = "missed"  # a long interval holding an undetected beat
    EXTRA = "extra"  # one interval split in two by a false detection
    LONG = "long"
    SHORT = "short"


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


def _quantile(ordered: Sequence[float], q: float) -> float:
    """Linear interpolation between order statistics (numpy's and pandas' default)."""
    pos = q * (len(ordered) - 1)
    lo = math.floor(pos)
    hi = min(lo + 1, len(ordered) - 1)
    return ordered[lo] + (ordered[hi] - ordered[lo]) * (pos - lo)


def _centred(
    values: Sequence[float], width: int, stat: Callable[[Sequence[float]], float]
) -> list[float]:
    """``stat`` of the ``width`` values centred on each one; cut short at the edges."""
    half = width // 2
    window = sorted(values[: half + 1])
    out = []
    for i in range(len(values)):
        out.append(stat(window))
        if i + half + 1 < len(values):
            bisect.insort(window, values[i + half + 1])
        if i - half >= 0:
            del window[bisect.bisect_left(window, values[i - half])]
    return out


def _quartile_deviation(ordered: Sequence[float]) -> float:
    return (_quantile(ordered, 0.75) - _quantile(ordered, 0.25)) / 2


def _median(ordered: Sequence[float]) -> float:
    return _quantile(ordered, 0.5)


def _thresholds(values: Sequence[float], floors: Sequence[float]) -> list[float]:
    qd = _centred([abs(v) for v in values], QD_WINDOW, _quartile_deviation)
    return [max(ALPHA * q, f) for q, f in zip(qd, floors, strict=True)]


def _classify(rr: Sequence[float]) -> list[Artefact | None]:
    """Lipponen & Tarvainen's classes for a run of in-range RR intervals (ms)."""
    n = len(rr)
    if n == 0:
        return []
    med = _centred(rr, MEDIAN_WINDOW, _median)
    floors = [THRESHOLD_FLOOR * m for m in med]
    drr = [0.0] + [rr[j] - rr[j - 1] for j in range(1, n)]  # a run's first beat: no change
    th1 = _thresholds(drr, floors)
    mrr = [x - m if x >= m else 2.0 * (x - m) for x, m in zip(rr, med, strict=True)]
    th2 = _thresholds(mrr, floors)
    d = [v / t for v, t in zip(drr, th1, strict=True)]  # thresholds are >= 15 ms: never 0

    def at(j: int) -> float:
        return d[j] if 0 <= j < n else 0.0  # past a run's ends: no change

    kinds: list[Artefact | None] = [None] * n
    j = 0
    while j < n:
        s11 = d[j]
        s12 = max(at(j - 1), at(j + 1)) if s11 > 0 else min(at(j - 1), at(j + 1))
        s22 = min(at(j + 1), at(j + 2)) if s11 >= 0 else max(at(j + 1), at(j + 2))
        far = abs(mrr[j]) > MRR_LIMIT * th2[j]
        if (s11 > 1 and s12 < -C1 * s11 - C2) or (s11 < -1 and s12 > -C1 * s11 + C2):
            kinds[j] = Artefact.ECTOPIC
        elif (s11 > 1 and s22 < -1) or (far and mrr[j] > 0):
            missed = abs(rr[j] / 2 - med[j]) < th2[j]
            kinds[j] = Artefact.MISSED if missed else Artefact.LONG
        elif (s11 < -1 and s22 > 1) or (far and mrr[j] < 0):
            if j + 1 < n and abs(rr[j] + rr[j + 1] - med[j]) < th2[j]:
                kinds[j] = kinds[j + 1] = Artefact.EXTRA  # both pieces of the split beat
                j += 2
                continue
            kinds[j] = Artefact.SHORT
        j += 1
    return kinds


def artefacts(rr_ms: Sequence[float]) -> list[Artefact | None]:
    """For each RR of a run, why it is an artefact, or ``None`` for a clean beat.

    The detector sees the beats that pass the range gate, in order: a dropout
    between two beats leaves them neighbours, so the thresholds keep their context.
    """
    kinds: list[Artefact | None] = [
        None if math.isfinite(x) and RR_MIN_MS <= x <= RR_MAX_MS else Artefact.RANGE for x in rr_ms
    ]
    gated = [i for i, k in enumerate(kinds) if k is None]
    for i, kind in zip(gated, _classify([rr_ms[i] for i in gated]), strict=True):
        kinds[i] = kind
    return kinds


def clean_mask(rr_ms: Sequence[float]) -> list[bool]:
    """``True`` for each RR that passes the range gate and the adaptive artefact detector."""
    return [k is None for k in artefacts(rr_ms)]


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
