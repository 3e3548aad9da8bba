"""Heart-rate recovery 60 s after work (HRR60). Pure.

HRR60 = heart rate at the end of an effort minus heart rate 60 s later, the
measure of Cole et al. ("Heart-rate recovery immediately after exercise as a
predictor of mortality", N Engl J Med 1999; 341: 1351-7) taken after each work
step. Two choices make it robust to a 1 Hz strap:

- the *peak* over the last ``PEAK_WINDOW_S`` of the step stands for "at the end"
  (a single sample can be a beat-detection blip, and the peak is what the
  runner reached);
- the *mean* over ``LATER_HALF_WINDOW_S`` either side of +60 s stands for "60 s
  later".

Raw samples are used (pauses included): recovery is physiology on the wall
clock. No contact is no data. ``None`` with a reason when either window has no
data, or when another work step starts before the later window does (the
recovery was cut short).

Recovery means the runner slowed down. HRR is measured at rest or walking; a
runner who keeps jogging after a rep keeps their heart rate up (real files
coached as intervals gave -5 to -19 bpm "recoveries" during jogs), and such a
figure says nothing about recovery. So HRR60 is *measured* only where the
runner is seen to slow down, and otherwise *withheld* with a reason a runner
can read:

- with a speed source (footpod): the speed must fall to a walk within
  ``DROP_WITHIN_S`` of the step's end and stay there until the later window has
  passed (``UP_SHARE_MAX`` of the known seconds may be above it: a step or two
  to get off a treadmill belt). "A walk" is below ``WALK_MPS`` (1.8 m/s, under
  the walk-run transition near 2.0 m/s: Hreljac A, "Preferred and energetically
  optimal gait transition speeds in human locomotion", Med Sci Sports Exerc
  1993; 25: 1158-62), and at most ``DROP_FRACTION`` of the work speed (the
  median over the step's last ``WORK_SPEED_S``); a work step that ended at a
  walk or standing (median below ``WALK_MPS``) has no drop to look for. A paused
  timer counts as stopped, and a footpod sample holds for ``MAX_HOLD_S`` as in
  every metric. ``basis`` says ``stopped`` (mean speed after the drop below
  ``STOP_MPS``) or ``walked``;
- with a heart-rate strap only: measured when the planned steps after the work
  step are a rest for the whole minute (``planned_rest``: a ``rest`` step
  without a speed, cadence or power floor, or a ``recovery`` step with no
  target at all, like the library's "Walk back"); a recovery step with a pace
  target is a jog and is withheld. The plan is trusted here, not seen.

The session's HRR60 is defined as the HRR60 after the *last work step*: the
cool-down that follows it is the recovery a runner and a coach look at. A
record without work steps (a free run) measures from the session's end
instead, which needs heart rate recorded after ``end_t``; usually there is
none, and the value is ``None`` saying so.
"""

from __future__ import annotations

import bisect
import math
import statistics
from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hiitd.coach.compliance import BETA_BLOCKERS
from hiitd.metrics.series import MAX_HOLD_S

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.record.session_record import HrPoint, PauseRecord, SessionRecord, StepRecord

PEAK_WINDOW_S = 5.0
RECOVERY_S = 60.0
LATER_HALF_WINDOW_S = 2.5
# FIT's intensity values for hard work; the coach writes "active".
WORK_INTENSITIES = frozenset({"active", "interval"})

# Slowing down (see the module doc).
WALK_MPS = 1.8  # below: walking or standing
STOP_MPS = 0.5  # mean speed after the drop below: stopped
DROP_FRACTION = 0.7  # and at most this share of the work speed
DROP_WITHIN_S = 15.0  # the drop must come this soon after the step's end
UP_SHARE_MAX = 0.1  # share of the known seconds after the drop allowed above the walk
MIN_KNOWN_SHARE = 0.5  # share of the seconds judged that need a speed (or a pause)
WORK_SPEED_S = 30.0  # the work speed is the median over the step's last 30 s
SPEED_HOLD_S = MAX_HOLD_S  # a footpod sample stands this long, as in every metric
# Steps a strap-only runner is trusted to stand or walk through.
_SPEED_FLOORS = frozenset({"speed", "cadence", "power"})

STOPPED = "stopped"
WALKED = "walked"
PLANNED_REST = "planned_rest"


@dataclass(frozen=True, slots=True)
class Hrr60:
    """Recovery after an effort that ended at ``t_end``; ``drop_bpm`` None with ``reason``.

    ``basis`` says why a measured value means recovery (``stopped``, ``walked``,
    ``planned_rest``); None when withheld or not measured.
    """

    anchor: str  # work_step or session_end
    step_index: int | None
    t_end: float
    peak_bpm: float | None
    later_bpm: float | None
    drop_bpm: float | None
    reason: str | None = None
    basis: str | None = None


def _valid(points: Sequence[HrPoint], t0: float, t1: float) -> list[float]:
    return [
        float(p.bpm)
        for p in points
        if t0 <= p.t <= t1 and p.bpm is not None and p.bpm > 0 and p.contact is not False
    ]


def hrr60_at(
    points: Sequence[HrPoint],
    t_end: float,
    *,
    anchor: str = "work_step",
    step_index: int | None = None,
    cut_at: float | None = None,
) -> Hrr60:
    """Heart rate only: HRR60 for an effort ending at ``t_end`` (no check of slowing down).

    ``cut_at`` is when the next effort begins.
    """
    later_t0 = t_end + RECOVERY_S - LATER_HALF_WINDOW_S
    later_t1 = t_end + RECOVERY_S + LATER_HALF_WINDOW_S
    peaks = _valid(points, t_end - PEAK_WINDOW_S, t_end)
    peak = max(peaks) if peaks else None
    if cut_at is not None and cut_at < later_t0:
        return Hrr60(
            anchor, step_index, t_end, peak, None, None, "next work step began within 60 s"
        )
    laters = _valid(points, later_t0, later_t1)
    later = statistics.fmean(laters) if laters else None
    reason = None
    if peak is None:
        reason = "no heart rate in the last 5 s of the effort"
    elif later is None:
        reason = "no heart rate around 60 s after the effort"
    drop = None if peak is None or later is None else peak - later
    return Hrr60(anchor, step_index, t_end, peak, later, drop, reason)


@dataclass(frozen=True, slots=True)
class Slowing:
    """Whether the runner slowed down after an effort: ``basis``, else ``reason``."""

    basis: str | None
    reason: str | None


def _paused(pauses: Sequence[PauseRecord], t: float) -> bool:
    return any(p.start_t <= t < (math.inf if p.end_t is None else p.end_t) for p in pauses)


def _has_speed(record: SessionRecord, t0: float, t1: float) -> bool:
    times = [p.t for p in record.pod]
    i = bisect.bisect_left(times, t0)
    return i < len(times) and times[i] <= t1


def speed_drop(record: SessionRecord, t_end: float, work_start: float | None = None) -> Slowing:
    """Footpod: did the speed fall to a walk soon after ``t_end`` and stay there (module doc)?"""
    pod = sorted(record.pod, key=lambda p: p.t)
    times = [p.t for p in pod]
    w0 = t_end - WORK_SPEED_S if work_start is None else max(work_start, t_end - WORK_SPEED_S)
    work = [p.speed_mps for p in pod if w0 <= p.t <= t_end]
    threshold = WALK_MPS
    if work:
        work_mps = statistics.median(work)
        if work_mps < WALK_MPS:
            return Slowing(
                None,
                f"not running at the end of the work step ({work_mps:.1f} m/s): "
                "no speed drop, so HRR60 would not mean recovery",
            )
        threshold = min(WALK_MPS, DROP_FRACTION * work_mps)

    def speed_at(t: float) -> float | None:
        """Speed at second ``t``: 0 while paused, the last sample within the hold, else None."""
        if _paused(record.pauses, t):
            return 0.0
        i = bisect.bisect_right(times, t) - 1
        if i >= 0 and t - times[i] <= SPEED_HOLD_S:
            return pod[i].speed_mps
        return None

    horizon = t_end + RECOVERY_S + LATER_HALF_WINDOW_S
    seconds = [t_end + k for k in range(1, math.floor(horizon - t_end) + 1)]
    speeds = [speed_at(t) for t in seconds]
    drop_at = next(
        (
            k
            for k, (t, v) in enumerate(zip(seconds, speeds, strict=True))
            if t - t_end <= DROP_WITHIN_S and v is not None and v < threshold
        ),
        None,
    )
    if drop_at is None:
        early = [v for t, v in zip(seconds, speeds, strict=True) if t - t_end <= DROP_WITHIN_S]
        if sum(1 for v in early if v is not None) < MIN_KNOWN_SHARE * len(early):
            return Slowing(
                None,
                "no speed from the footpod after the work step: "
                "cannot tell whether you slowed down, so no HRR60",
            )
        return Slowing(
            None,
            "kept jogging after the work step: no speed drop, so HRR60 would not mean recovery",
        )
    after = speeds[drop_at:]
    known = [v for v in after if v is not None]
    if len(known) < MIN_KNOWN_SHARE * len(after):
        return Slowing(
            None,
            "the footpod went quiet after you slowed down: "
            "cannot tell whether you stayed slow, so no HRR60",
        )
    up = sum(1 for v in known if v >= threshold)
    if up > UP_SHARE_MAX * len(known):
        return Slowing(
            None,
            f"slowed down after the work step but ran again for {up} s within the minute, "
            "so HRR60 would not mean recovery",
        )
    return Slowing(STOPPED if statistics.fmean(known) < STOP_MPS else WALKED, None)


def _rest_like(step: StepRecord) -> bool:
    """A planned step a strap-only runner is trusted to stand or walk through."""
    if step.intensity == "rest":
        return not (step.target_type in _SPEED_FLOORS and step.target_low is not None)
    return step.intensity == "recovery" and step.target_type == "open"


def planned_rest(record: SessionRecord, t_end: float) -> Slowing:
    """Strap only: are the planned steps in the minute after ``t_end`` a rest?"""
    later = RECOVERY_S - LATER_HALF_WINDOW_S
    following = sorted(
        (
            s
            for s in record.steps
            if math.isfinite(s.start_t)
            and s.start_t < t_end + later
            and (s.end_t is None or s.end_t > t_end + 1.0)
        ),
        key=lambda s: s.start_t,
    )
    covered = t_end
    for s in following:
        if not _rest_like(s):
            return Slowing(
                None,
                f"no footpod, and the step after the work step is a {s.intensity} step, "
                "not a planned rest: HRR60 would not mean recovery",
            )
        covered = max(covered, math.inf if s.end_t is None else s.end_t)
    if covered < t_end + later:
        return Slowing(
            None,
            "no footpod, and no planned rest for the minute after the work step: "
            "HRR60 would not mean recovery",
        )
    return Slowing(PLANNED_REST, None)


def slowing(record: SessionRecord, t_end: float, work_start: float | None = None) -> Slowing:
    """Speed drop where a footpod recorded speed around the effort, else the planned rest."""
    horizon = t_end + RECOVERY_S + LATER_HALF_WINDOW_S
    if _has_speed(record, t_end - WORK_SPEED_S, horizon):
        return speed_drop(record, t_end, work_start)
    return planned_rest(record, t_end)


def _judged(record: SessionRecord, h: Hrr60, work_start: float | None) -> Hrr60:
    """``h`` with its basis, or withheld (value None) when the runner did not slow down.

    Withheld too with beta blockers: a blunted heart rate's recovery says little.
    """
    if record.athlete.beta_blockers:
        return replace(h, drop_bpm=None, reason=BETA_BLOCKERS)
    if h.drop_bpm is None:
        return h
    s = slowing(record, h.t_end, work_start)
    if s.basis is None:
        return replace(h, drop_bpm=None, reason=s.reason)
    return replace(h, basis=s.basis)


def _work_steps(record: SessionRecord) -> list[StepRecord]:
    return sorted(
        (s for s in record.steps if s.intensity in WORK_INTENSITIES and math.isfinite(s.start_t)),
        key=lambda s: s.start_t,
    )


def step_recoveries(record: SessionRecord) -> tuple[Hrr60, ...]:
    """HRR60 after every finished work step, in order (withheld where the runner kept going)."""
    work = _work_steps(record)
    out = []
    for i, step in enumerate(work):
        if step.end_t is None or not math.isfinite(step.end_t):
            continue
        nxt = work[i + 1].start_t if i + 1 < len(work) else None
        h = hrr60_at(record.hr, step.end_t, step_index=step.index, cut_at=nxt)
        out.append(_judged(record, h, step.start_t))
    return tuple(out)


def session_recovery(record: SessionRecord) -> Hrr60 | None:
    """The session's HRR60: after the last work step, else after the session end (see above)."""
    work = [s for s in _work_steps(record) if s.end_t is not None and math.isfinite(s.end_t)]
    if work:
        last = max(work, key=lambda s: s.end_t or 0.0)
        assert last.end_t is not None  # filtered above; for mypy
        h = hrr60_at(record.hr, last.end_t, step_index=last.index)
        return _judged(record, h, last.start_t)
    if record.end_t is None or not math.isfinite(record.end_t):
        return None
    result = hrr60_at(record.hr, record.end_t, anchor="session_end")
    if result.later_bpm is None and result.peak_bpm is not None:
        return Hrr60(
            "session_end",
            None,
            record.end_t,
            result.peak_bpm,
            None,
            None,
            "no heart rate recorded 60 s after the session end",
        )
    return _judged(record, result, None)
