"""An RPE-like intensity (0-10) of a session estimated from its planned workout. Pure.

A session's load is the runner's session-RPE x minutes, else its HRSS
converted (``daily_load``). A session with neither (not rated, and no heart
rate to compute HRSS from) still was training: its load is its minutes x the
intensity estimated here, and is marked estimated (``SessionEntry.load_source``).

The estimate is on Foster's session-RPE scale (the modified Borg CR-10: 1 very
easy, 3 moderate, 5 hard, 7 very hard, 10 maximal; Foster C et al., J Strength
Cond Res 2001; 15: 109-15), time-weighted over the workout's expanded steps, so
that an estimated minute and a rated one are the same unit. Each step's number
comes from its target, through two anchor tables that put threshold at RPE 7
(as ``PlanConfig.srpe_per_hrss`` does: an hour at threshold is 100 HRSS and
about RPE 7 x 60 min) and an easy run at RPE 3 (``PlanConfig.easy_rpe``):

- speed, as % of threshold speed: a walk (40 %) 1, Daniels' E pace (~75 %) 3,
  marathon pace (~90 %) 5, threshold 7, vVO2max (~111 %; library.py) 9, 120 % 10;
- heart rate, as % of max HR: 50 % 1, 70 % (Daniels' E, 65-79 %) 3, 80 % 5,
  90 % (Daniels' T, 88-92 %) 7, 98 % (I, 98-100 %) 9, 100 % 10.

Other references are brought to one of these: % of heart-rate reserve with a
typical resting:max ratio of 0.32 (60:190 bpm), % of LTHR with LTHR at
``LTHR_FRACTION_OF_MAX`` of max HR, zones by their middles (HR zones of the
five-band % of max model, Friel's pace zones in % of threshold speed), a race
pace by Daniels' prediction at VDOT 45 over its threshold speed (5 km ~106 %),
% of FTP as % of threshold speed. A range counts at its middle; a ceiling or a
floor alone (``hr(None, 75)``: "stay under 75 %") counts 5 points inside it,
the middle of a 10-point band. Absolute targets (bpm, m/s, W) count when the
caller gives max HR or threshold speed, else as open.

A step with no usable target (open, cadence) counts by what it is for: warm-up
and cool-down 3 (easy running), recovery 2 (a jog or a walk), rest 1, work 7
(the hard part of a structured session: at least threshold). A run without a
known workout counts ``FREE_RUN_RPE``, an easy run.

Durations: timed steps as planned; a distance at the step's speed (its target,
else 75 % of threshold for easy steps and 100 % for work) with threshold speed
that of VDOT 45 (3.6 m/s, 4:38 /km) unless given; a step ended by the lap
button 5 min, one ended by heart rate its min/max time or 2 min. Only the
first ``minutes`` of the plan count when the session was shorter (a session
stopped after its warm-up was a warm-up).

This is a stand-in, and a low one for interval sessions: runners rate a
session nearer its hard parts than its time-weighted mean, so a rating (or a
strap) always wins over it.
"""

from __future__ import annotations

import functools
from bisect import bisect_right
from typing import TYPE_CHECKING

from hiitd.coach import daniels
from hiitd.coach.workout_model import DurationType, Intensity, Reference, TargetType
from hiitd.metrics.training_load import LTHR_FRACTION_OF_MAX

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.coach.workout_model import Duration, Step, Target, Workout

FREE_RUN_RPE = 3.0  # a run without a known workout: an easy run, as the questionnaire's seed
OPEN_RPE = {
    Intensity.WARMUP: 3.0,
    Intensity.COOLDOWN: 3.0,
    Intensity.RECOVERY: 2.0,
    Intensity.REST: 1.0,
    Intensity.ACTIVE: 7.0,
}
SPEED_ANCHORS = ((40.0, 1.0), (75.0, 3.0), (90.0, 5.0), (100.0, 7.0), (111.0, 9.0), (120.0, 10.0))
HR_ANCHORS = ((50.0, 1.0), (70.0, 3.0), (80.0, 5.0), (90.0, 7.0), (98.0, 9.0), (100.0, 10.0))
ONE_SIDED_INSIDE = 5.0  # a ceiling or floor alone counts this many points inside it
RESTING_TO_MAX = 0.32  # 60 / 190 bpm: for % of heart-rate reserve
HR_ZONE_PCT_MAX = (55.0, 65.0, 75.0, 85.0, 95.0)  # middles of the 50-60-...-100 % bands
# Friel's pace zones as % of threshold speed (his edges are % of threshold pace time:
# 129, 113, 105, 100): middles of <77.5, 77.5-88.5, 88.5-95.2, 95.2-100 and 100-110.
PACE_ZONE_PCT_T = (70.0, 83.0, 92.0, 97.5, 105.0)
REFERENCE_VDOT = 45.0
EASY_PCT_T, WORK_PCT_T = 75.0, 100.0
LAP_STEP_S = 300.0
HR_STEP_S = 120.0


def _interpolate(anchors: Sequence[tuple[float, float]], x: float) -> float:
    """Piecewise linear through ``anchors``, flat beyond the ends, within 0-10."""
    xs = [a for a, _ in anchors]
    i = bisect_right(xs, x)
    if i == 0:
        lo_x, lo_y = anchors[0]
        return max(0.0, lo_y * x / lo_x) if lo_x > 0 else lo_y
    if i == len(anchors):
        return anchors[-1][1]
    (x0, y0), (x1, y1) = anchors[i - 1], anchors[i]
    return y0 + (y1 - y0) * (x - x0) / (x1 - x0)


def _middle(low: float | None, high: float | None) -> float | None:
    if low is not None and high is not None:
        return (low + high) / 2.0
    if high is not None:
        return max(high - ONE_SIDED_INSIDE, 0.0)
    if low is not None:
        return low + ONE_SIDED_INSIDE
    return None


@functools.cache
def race_pct_of_threshold(race_m: float) -> float:
    """A race's predicted pace as % of threshold speed, at ``REFERENCE_VDOT``."""
    return (
        100.0 * daniels.race_speed(REFERENCE_VDOT, race_m) / daniels.threshold_speed(REFERENCE_VDOT)
    )


def _zone(numbers: tuple[float | None, float | None], middles: tuple[float, ...]) -> float | None:
    picked = [n for n in numbers if n is not None and 1 <= n <= len(middles)]
    if not picked:
        return None
    return sum(middles[round(n) - 1] for n in picked) / len(picked)


def _pct_max_hr(target: Target, max_hr: float | None) -> float | None:
    """An HR target as % of max HR (None when it cannot be told)."""
    rel = target.relative
    if rel is None:
        if max_hr is None or max_hr <= 0:
            return None
        mid = _middle(target.low, target.high)
        return None if mid is None else 100.0 * mid / max_hr
    ref = rel.reference
    if ref is Reference.HR_ZONE:
        return _zone((rel.low, rel.high), HR_ZONE_PCT_MAX)
    mid = _middle(rel.low, rel.high)
    if mid is None:
        return None
    if ref is Reference.PCT_MAX_HR:
        return mid
    if ref is Reference.PCT_HRR:
        return 100.0 * RESTING_TO_MAX + (1.0 - RESTING_TO_MAX) * mid
    if ref is Reference.PCT_LTHR:
        return LTHR_FRACTION_OF_MAX * mid
    return None


def _pct_threshold_speed(target: Target, threshold_mps: float | None) -> float | None:
    """A speed (or power) target as % of threshold (None when it cannot be told)."""
    rel = target.relative
    if rel is None:
        if target.type is not TargetType.SPEED or threshold_mps is None or threshold_mps <= 0:
            return None
        mid = _middle(target.low, target.high)
        return None if mid is None else 100.0 * mid / threshold_mps
    ref = rel.reference
    if ref is Reference.PACE_ZONE:
        return _zone((rel.low, rel.high), PACE_ZONE_PCT_T)
    mid = _middle(rel.low, rel.high)
    if mid is None:
        return None
    if ref in {Reference.PCT_THRESHOLD_SPEED, Reference.PCT_FTP}:
        return mid
    if ref is Reference.PCT_RACE_SPEED and rel.race_m is not None and rel.race_m > 0:
        return mid * race_pct_of_threshold(rel.race_m) / 100.0
    return None


def target_rpe(
    target: Target, *, max_hr: float | None = None, threshold_mps: float | None = None
) -> float | None:
    """The RPE a target asks for, or None when it says nothing of intensity."""
    if target.type is TargetType.HR:
        pct = _pct_max_hr(target, max_hr)
        return None if pct is None else _interpolate(HR_ANCHORS, pct)
    if target.type in {TargetType.SPEED, TargetType.POWER}:
        pct = _pct_threshold_speed(target, threshold_mps)
        return None if pct is None else _interpolate(SPEED_ANCHORS, pct)
    return None  # open, cadence


def step_rpe(
    step: Step, *, max_hr: float | None = None, threshold_mps: float | None = None
) -> float:
    """One step's RPE: its target's (a ramp's mean), else its kind's default."""
    found = [
        target_rpe(t, max_hr=max_hr, threshold_mps=threshold_mps)
        for t in (step.target, step.ramp_to)
        if t is not None
    ]
    values = [v for v in found if v is not None]
    return sum(values) / len(values) if values else OPEN_RPE[step.intensity]


def _step_seconds(step: Step, threshold_mps: float | None) -> float:
    d: Duration = step.duration
    if d.type is DurationType.TIME and d.value is not None:
        return d.value
    if d.type is DurationType.DISTANCE and d.value is not None:
        pct = _pct_threshold_speed(step.target, threshold_mps)
        if pct is None:
            pct = WORK_PCT_T if step.intensity is Intensity.ACTIVE else EASY_PCT_T
        t_speed = threshold_mps or daniels.threshold_speed(REFERENCE_VDOT)
        return d.value / (t_speed * max(pct, 10.0) / 100.0)
    if d.type is DurationType.OPEN:
        return LAP_STEP_S
    bounds = [b for b in (d.min_s, d.max_s) if b is not None]
    return sum(bounds) / len(bounds) if bounds else HR_STEP_S


def estimate_rpe(
    workout: Workout,
    minutes: float | None = None,
    *,
    max_hr: float | None = None,
    threshold_mps: float | None = None,
) -> float:
    """The time-weighted RPE of ``workout``'s steps (its first ``minutes`` when given)."""
    left = None if minutes is None else minutes * 60.0
    total = weighted = 0.0
    for planned in workout.expand():
        seconds = _step_seconds(planned.step, threshold_mps)
        if left is not None:
            seconds = min(seconds, left)
            left -= seconds
        if seconds <= 0:
            break
        total += seconds
        weighted += seconds * step_rpe(planned.step, max_hr=max_hr, threshold_mps=threshold_mps)
    return weighted / total if total > 0 else FREE_RUN_RPE
