"""Daniels' VDOT: fitness from a race, race predictions and training paces. Pure.

The two equations are Daniels & Gilbert's (*Oxygen Power*, 1979), the basis of the
VDOT tables in *Daniels' Running Formula* (3rd ed., Human Kinetics 2014):

- oxygen cost of running at ``v`` m/min: ``VO2 = -4.60 + 0.182258 v + 0.000104 v^2``
- fraction of VO2max sustainable for ``t`` min:
  ``F(t) = 0.8 + 0.1894393 e^(-0.012778 t) + 0.2989558 e^(-0.1932605 t)``

and ``VDOT = VO2(race speed) / F(race time)``. Speeds are m/s at the API (the
model's unit) and m/min inside, where the equations live.
"""

from __future__ import annotations

import math
from dataclasses import dataclass

MILE_M = 1609.344
# The race distances a pace can be relative to; the .zwo importer's pace 0-4 are
# these, in this order (mile, 5 km, 10 km, half marathon, marathon).
RACE_DISTANCES: tuple[tuple[str, float], ...] = (
    ("mile", MILE_M),
    ("5k", 5000.0),
    ("10k", 10000.0),
    ("half", 21097.5),
    ("marathon", 42195.0),
)

# Daniels' Running Formula, ch. 4 ("Types of training and intensities"), gives
# T as 83-88 % of VO2max; his VDOT tables put T pace at the top of that range
# (VDOT 38.3 -> 5:16 /km), so the single threshold speed is taken at 88 %.
THRESHOLD_FRACTION = 0.88

_A, _B, _C = -4.60, 0.182258, 0.000104


def vo2_cost(v_m_per_min: float) -> float:
    """Oxygen cost (ml/kg/min) of running at ``v`` m/min (Daniels & Gilbert 1979)."""
    return _A + _B * v_m_per_min + _C * v_m_per_min * v_m_per_min


def sustainable_fraction(t_min: float) -> float:
    """Fraction of VO2max a runner sustains in an all-out race of ``t`` minutes."""
    return 0.8 + 0.1894393 * math.exp(-0.012778 * t_min) + 0.2989558 * math.exp(-0.1932605 * t_min)


def vdot_from_race(distance_m: float, time_s: float) -> float:
    """VDOT from a race result: VO2 cost of the race speed over the sustainable fraction."""
    if distance_m <= 0 or time_s <= 0:
        raise ValueError(
            f"a race needs a positive distance and time, got {distance_m} m {time_s} s"
        )
    t_min = time_s / 60.0
    return vo2_cost(distance_m / t_min) / sustainable_fraction(t_min)


def speed_for_vo2(vo2: float) -> float:
    """The running speed (m/s) whose oxygen cost is ``vo2``: the positive root of the quadratic."""
    disc = _B * _B - 4.0 * _C * (_A - vo2)
    if vo2 <= 0 or disc < 0:
        raise ValueError(f"no running speed costs {vo2} ml/kg/min")
    v_m_per_min = (-_B + math.sqrt(disc)) / (2.0 * _C)
    return v_m_per_min / 60.0


def speed_at_fraction(vdot: float, fraction: float) -> float:
    """The speed (m/s) at ``fraction`` of VDOT, e.g. 0.88 for threshold."""
    return speed_for_vo2(vdot * fraction)


def threshold_speed(vdot: float) -> float:
    """Daniels' T (threshold) speed in m/s for a VDOT."""
    return speed_at_fraction(vdot, THRESHOLD_FRACTION)


def vdot_from_threshold_speed(speed_mps: float) -> float:
    """The VDOT whose T pace is ``speed_mps``: the inverse of ``threshold_speed``."""
    if speed_mps <= 0:
        raise ValueError(f"threshold speed must be positive, got {speed_mps}")
    return vo2_cost(speed_mps * 60.0) / THRESHOLD_FRACTION


def race_time(vdot: float, distance_m: float) -> float:
    """Predicted all-out time (s) for ``distance_m`` at this VDOT.

    Solves ``VO2(d/t) / F(t) = VDOT`` for ``t``; the left side falls as ``t``
    grows, so bisection on 1 min .. 2 days always converges.
    """
    if vdot <= 0 or distance_m <= 0:
        raise ValueError(f"need a positive VDOT and distance, got {vdot}, {distance_m} m")
    lo, hi = 1.0 / 60.0, 2880.0  # minutes
    for _ in range(200):
        mid = 0.5 * (lo + hi)
        if vo2_cost(distance_m / mid) / sustainable_fraction(mid) > vdot:
            lo = mid  # too fast for this VDOT: the time must be longer
        else:
            hi = mid
    return 0.5 * (lo + hi) * 60.0


def race_speed(vdot: float, distance_m: float) -> float:
    """Predicted average race speed (m/s) for ``distance_m`` at this VDOT."""
    return distance_m / race_time(vdot, distance_m)


@dataclass(frozen=True, slots=True)
class TrainingPace:
    """One of Daniels' training intensities as a speed range (m/s)."""

    code: str  # E, M, T, I, R
    name: str
    low_pct: float  # % of VO2max (VDOT) at the slow end
    high_pct: float
    low_mps: float
    high_mps: float
    pace_mps: float  # the single pace Daniels' tables print


# Daniels' Running Formula, 3rd ed., ch. 4: E 59-74 % VO2max, M 75-84 % (run at
# the predicted marathon pace), T 83-88 %, I 95-100 %, R 105-120 % ("not based on
# VO2max but on current mile race pace", which the equations put at ~105 %). The
# single pace is what the VDOT tables print: E mid-range, M the marathon
# prediction, T 88 %, I 97.5 % (reproduces the tables' I column within ~2 s/km),
# R 105 % (within ~1 s/km of the equations' mile race pace).
_E, _I = (0.59, 0.74), (0.95, 1.00)


def training_paces(vdot: float) -> tuple[TrainingPace, ...]:
    """Daniels' E, M, T, I and R paces for a VDOT, slowest first."""
    marathon = race_speed(vdot, 42195.0)
    return (
        TrainingPace(
            "E",
            "easy",
            59,
            74,
            speed_at_fraction(vdot, _E[0]),
            speed_at_fraction(vdot, _E[1]),
            speed_at_fraction(vdot, (_E[0] + _E[1]) / 2),
        ),
        TrainingPace(
            "M",
            "marathon",
            75,
            84,
            speed_at_fraction(vdot, 0.75),
            speed_at_fraction(vdot, 0.84),
            marathon,
        ),
        TrainingPace(
            "T",
            "threshold",
            83,
            88,
            speed_at_fraction(vdot, 0.83),
            threshold_speed(vdot),
            threshold_speed(vdot),
        ),
        TrainingPace(
            "I",
            "interval",
            95,
            100,
            speed_at_fraction(vdot, _I[0]),
            speed_at_fraction(vdot, _I[1]),
            speed_at_fraction(vdot, 0.975),
        ),
        TrainingPace(
            "R",
            "repetition",
            105,
            120,
            speed_at_fraction(vdot, 1.05),
            speed_at_fraction(vdot, 1.20),
            speed_at_fraction(vdot, 1.05),
        ),
    )
