"""Running economy from heart rate and footpod: EF, decoupling, cadence, stride, VO2max. Pure.

- Efficiency factor (EF): mean speed in m/min over mean heart rate, over
  *steady moving time* (Friel / TrainingPeaks, "Efficiency Factor"; Allen &
  Coggan for the cycling form). Steady moving time is here the unpaused time
  with both heart rate and speed, running at ``MIN_RUNNING_MPS`` or faster, so
  that standing and walking breaks do not dilute it.
- Aerobic decoupling (Pa:HR): EF of the first half of that time against the
  second, ``(EF1 - EF2) / EF1 x 100``; positive means heart rate drifted up for
  the same pace (Friel, "Aerobic endurance and decoupling", 2009). Meaningful
  on steady runs; on intervals it mostly measures the workout's shape.
- VO2max ESTIMATES, never measurements:
  * Uth N, Sorensen H, Overgaard K, Pedersen PK, "Estimation of VO2max from the
    ratio between HRmax and HRrest - the Heart Rate Ratio Method", Eur J Appl
    Physiol 2004; 91: 111-5: VO2max = 15.3 x HRmax / HRrest (ml/kg/min).
  * From heart rate and speed: the ACSM running equation (ACSM's Guidelines for
    Exercise Testing and Prescription, metabolic equations; level ground)
    VO2 = 3.5 + 0.2 x speed (m/min), and %HRR = %VO2R at steady state (Swain &
    Leutholtz, Med Sci Sports Exerc 1997; 29: 410-4), so
    VO2max = 3.5 + (VO2 - 3.5) / HRr. Only time at running speeds (the equation
    holds above 134 m/min) and HRr between ``ACSM_HRR_RANGE`` is used, with HR
    and speed averaged over it: heart-rate lag makes short reps unreliable, so
    ``MIN_ACSM_S`` of such time is required. A treadmill footpod is assumed flat.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.metrics import series
from hiitd.metrics.training_load import hr_reserve_fraction

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.metrics.series import Segment
    from hiitd.record.session_record import AthleteSnapshot

MIN_RUNNING_MPS = 1.5  # 11:07 min/km: slower is walking or standing
MIN_HALF_S = 300.0  # decoupling needs five minutes in each half to say anything
ACSM_MIN_MPS = 134.0 / 60.0  # the ACSM running equation's lower validity bound
ACSM_HRR_RANGE = (0.5, 0.95)
MIN_ACSM_S = 300.0
UTH_FACTOR = 15.3

Joint = tuple[tuple[float, float, float, float], ...]  # (t0, t1, hr, speed)


@dataclass(frozen=True, slots=True)
class Stats:
    """Time-weighted mean and sd, and the range, of a footpod value over moving time."""

    mean: float
    sd: float
    min: float
    max: float
    covered_s: float


@dataclass(frozen=True, slots=True)
class Vo2maxEstimate:
    """A VO2max estimate (ml/kg/min) and the method it came from; always an estimate."""

    value: float
    method: str  # uth2004_hr_ratio or acsm_running_hrr
    estimate: bool = True


@dataclass(frozen=True, slots=True)
class Economy:
    """Efficiency and form over the session; ``None`` where the data does not allow it."""

    steady_s: float
    efficiency_factor: float | None  # (m/min) per bpm
    decoupling_pct: float | None
    cadence: Stats | None
    stride: Stats | None


def segment_stats(segments: Sequence[Segment]) -> Stats | None:
    """Time-weighted statistics of ``segments``; ``None`` without data."""
    total = series.covered(segments)
    mean = series.time_weighted_mean(segments)
    if mean is None or total <= 0:
        return None
    var = sum(s.dt * (s.value - mean) ** 2 for s in segments) / total
    values = [s.value for s in segments]
    return Stats(mean, math.sqrt(max(var, 0.0)), min(values), max(values), total)


def steady(hr: Sequence[Segment], speed: Sequence[Segment]) -> Joint:
    """Moving time with both heart rate and a running speed: the base of EF and decoupling."""
    return tuple(j for j in series.joint(hr, speed) if j[3] >= MIN_RUNNING_MPS)


def _ef(parts: Joint) -> float | None:
    total = sum(t1 - t0 for t0, t1, _, _ in parts)
    if total <= 0:
        return None
    hr = sum((t1 - t0) * h for t0, t1, h, _ in parts) / total
    speed = sum((t1 - t0) * v for t0, t1, _, v in parts) / total
    return speed * 60.0 / hr if hr > 0 else None


def _halves(parts: Joint) -> tuple[Joint, Joint]:
    half = sum(t1 - t0 for t0, t1, _, _ in parts) / 2.0
    first: list[tuple[float, float, float, float]] = []
    second: list[tuple[float, float, float, float]] = []
    acc = 0.0
    for t0, t1, h, v in parts:
        dt = t1 - t0
        if acc + dt <= half:
            first.append((t0, t1, h, v))
        elif acc >= half:
            second.append((t0, t1, h, v))
        else:  # this piece straddles the midpoint: split it
            cut = t0 + (half - acc)
            first.append((t0, cut, h, v))
            second.append((cut, t1, h, v))
        acc += dt
    return tuple(first), tuple(second)


def decoupling(parts: Joint) -> float | None:
    """Pa:HR decoupling in %; ``None`` with under ``MIN_HALF_S`` in either half."""
    first, second = _halves(parts)
    if min(sum(b - a for a, b, _, _ in h) for h in (first, second)) < MIN_HALF_S:
        return None
    ef1, ef2 = _ef(first), _ef(second)
    if ef1 is None or ef2 is None or ef1 <= 0:
        return None
    return (ef1 - ef2) / ef1 * 100.0


def economy(
    hr: Sequence[Segment],
    speed: Sequence[Segment],
    cadence: Sequence[Segment],
    stride: Sequence[Segment],
) -> Economy:
    """EF, decoupling and cadence/stride statistics from the session's series."""
    parts = steady(hr, speed)
    return Economy(
        steady_s=sum(t1 - t0 for t0, t1, _, _ in parts),
        efficiency_factor=_ef(parts),
        decoupling_pct=decoupling(parts),
        cadence=segment_stats(cadence),
        stride=segment_stats(stride),
    )


def vo2max_uth(max_hr: float, resting_hr: float | None) -> Vo2maxEstimate | None:
    """Uth et al. 2004: 15.3 x HRmax / HRrest; ``None`` without a sane resting HR."""
    if resting_hr is None or resting_hr <= 0 or resting_hr >= max_hr:
        return None
    return Vo2maxEstimate(UTH_FACTOR * max_hr / resting_hr, "uth2004_hr_ratio")


def vo2max_acsm(
    hr: Sequence[Segment], speed: Sequence[Segment], athlete: AthleteSnapshot
) -> Vo2maxEstimate | None:
    """ACSM running equation at the observed %HRR, extrapolated to 100 % (see the module doc)."""
    rest = athlete.resting_hr
    if rest is None or rest >= athlete.max_hr:
        return None
    lo, hi = ACSM_HRR_RANGE
    parts = [
        j
        for j in series.joint(hr, speed)
        if j[3] >= ACSM_MIN_MPS and lo <= hr_reserve_fraction(j[2], rest, athlete.max_hr) <= hi
    ]
    total = sum(t1 - t0 for t0, t1, _, _ in parts)
    if total < MIN_ACSM_S:
        return None
    mean_hr = sum((t1 - t0) * h for t0, t1, h, _ in parts) / total
    mean_v = sum((t1 - t0) * v for t0, t1, _, v in parts) / total * 60.0  # m/min
    hrr = hr_reserve_fraction(mean_hr, rest, athlete.max_hr)
    if hrr <= 0:
        return None
    vo2 = 3.5 + 0.2 * mean_v
    return Vo2maxEstimate(3.5 + (vo2 - 3.5) / hrr, "acsm_running_hrr")
