"""Training load: Banister's TRIMP and heart-rate stress score (HRSS). Pure.

TRIMP (Banister EW, "Modeling elite athletic performance", in MacDougall JD,
Wenger HA, Green HJ (eds), *Physiological Testing of the High-Performance
Athlete*, Human Kinetics 1991; weighting factors from Banister & Calvert and as
restated by Morton, Fitz-Clarke & Banister, J Appl Physiol 1990; 69: 1171-7):

    TRIMP = sum over time of  minutes x HRr x k x exp(b x HRr)
    HRr   = (HR - HRrest) / (HRmax - HRrest), clamped to [0, 1]
    k, b  = 0.64, 1.92 for men; 0.86, 1.67 for women

integrated here per sample interval rather than per whole minute, which is the
same sum at a finer step. HRSS scales it so that one hour at lactate-threshold
heart rate scores 100 (the hrTSS idea of TrainingPeaks / Friel):

    HRSS = 100 x TRIMP / TRIMP(60 min at LTHR)

Without a measured LTHR it is estimated as ``LTHR_FRACTION_OF_MAX`` of max HR, a
rule of thumb with wide individual spread (LTHR lies at roughly 85-92 % of max in
trained runners), and the result says so.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.metrics.energy import normalise_sex

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hiitd.metrics.series import Segment
    from hiitd.record.session_record import AthleteSnapshot

_BANISTER = {"male": (0.64, 1.92), "female": (0.86, 1.67)}
LTHR_FRACTION_OF_MAX = 0.9


@dataclass(frozen=True, slots=True)
class TrainingLoad:
    """TRIMP and HRSS; ``None`` with the reason in ``missing`` or ``notes``."""

    trimp: float | None
    hrss: float | None
    lthr_used: float | None
    lthr_estimated: bool
    missing: tuple[str, ...] = ()  # profile fields needed: resting_hr, sex
    notes: tuple[str, ...] = ()


def hr_reserve_fraction(hr: float, resting: float, maximum: float) -> float:
    """Karvonen's fraction of heart-rate reserve, clamped to [0, 1]."""
    span = maximum - resting
    if span <= 0:
        return 0.0
    return min(max((hr - resting) / span, 0.0), 1.0)


def trimp_rate(hrr: float, sex: str) -> float:
    """Banister's TRIMP per minute at heart-rate-reserve fraction ``hrr``."""
    k, b = _BANISTER[sex]
    return hrr * k * math.exp(b * hrr)


def training_load(hr: Iterable[Segment], athlete: AthleteSnapshot) -> TrainingLoad:
    """TRIMP over the heart-rate segments (moving time with data) and HRSS from it."""
    sex = normalise_sex(athlete.sex)
    rest = athlete.resting_hr
    missing = tuple(n for n, v in (("resting_hr", rest), ("sex", sex)) if v is None)
    if rest is None or sex is None:
        return TrainingLoad(None, None, None, lthr_estimated=False, missing=missing)
    if rest >= athlete.max_hr:
        note = f"resting HR {rest} is not below max HR {athlete.max_hr}"
        return TrainingLoad(None, None, None, lthr_estimated=False, notes=(note,))
    segments = list(hr)
    if not segments:
        # No heart rate at all (no strap, a footpod-only import) is no data, not a load
        # of 0: the planner then estimates the session's load (plan/intensity.py).
        note = "no heart-rate data: no TRIMP or HRSS"
        return TrainingLoad(None, None, None, lthr_estimated=False, notes=(note,))
    trimp = sum(
        s.dt / 60.0 * trimp_rate(hr_reserve_fraction(s.value, rest, athlete.max_hr), sex)
        for s in segments
    )
    notes: list[str] = []
    estimated = athlete.lthr is None
    lthr = (
        float(athlete.lthr) if athlete.lthr is not None else LTHR_FRACTION_OF_MAX * athlete.max_hr
    )
    if estimated:
        notes.append(
            f"LTHR estimated as {LTHR_FRACTION_OF_MAX:.0%} of max HR ({lthr:.0f} bpm); "
            "set athlete.lthr for a real HRSS"
        )
    ref = 60.0 * trimp_rate(hr_reserve_fraction(lthr, rest, athlete.max_hr), sex)
    hrss: float | None = 100.0 * trimp / ref if ref > 0 else None
    if ref <= 0:
        notes.append(f"LTHR {lthr:.0f} is not above resting HR {rest}: no HRSS")
    return TrainingLoad(trimp, hrss, lthr, estimated, notes=tuple(notes))
