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
clock, and HRR is classically measured standing still. No contact is no data.
``None`` with a reason when either window has no data, or when another work
step starts before the later window does (the recovery was cut short).

The session's HRR60 is defined as the HRR60 after the *last work step*: the
cool-down that follows it is the recovery a runner and a coach look at. A
record without work steps (a free run) measures from the session's end
instead, which needs heart rate recorded after ``end_t``; usually there is
none, and the value is ``None`` saying so.
"""

from __future__ import annotations

import math
import statistics
from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.record.session_record import HrPoint, SessionRecord, StepRecord

PEAK_WINDOW_S = 5.0
RECOVERY_S = 60.0
LATER_HALF_WINDOW_S = 2.5
# FIT's intensity values for hard work; the coach writes "active".
WORK_INTENSITIES = frozenset({"active", "interval"})


@dataclass(frozen=True, slots=True)
class Hrr60:
    """Recovery after an effort that ended at ``t_end``; ``drop_bpm`` None with ``reason``."""

    anchor: str  # work_step or session_end
    step_index: int | None
    t_end: float
    peak_bpm: float | None
    later_bpm: float | None
    drop_bpm: float | None
    reason: str | None = None


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
    """HRR60 for an effort ending at ``t_end``; ``cut_at`` is when the next effort begins."""
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


def _work_steps(record: SessionRecord) -> list[StepRecord]:
    return sorted(
        (s for s in record.steps if s.intensity in WORK_INTENSITIES and math.isfinite(s.start_t)),
        key=lambda s: s.start_t,
    )


def step_recoveries(record: SessionRecord) -> tuple[Hrr60, ...]:
    """HRR60 after every finished work step, in order."""
    work = _work_steps(record)
    out = []
    for i, step in enumerate(work):
        if step.end_t is None or not math.isfinite(step.end_t):
            continue
        nxt = work[i + 1].start_t if i + 1 < len(work) else None
        out.append(hrr60_at(record.hr, step.end_t, step_index=step.index, cut_at=nxt))
    return tuple(out)


def session_recovery(record: SessionRecord) -> Hrr60 | None:
    """The session's HRR60: after the last work step, else after the session end (see above)."""
    work = [s for s in _work_steps(record) if s.end_t is not None and math.isfinite(s.end_t)]
    if work:
        last = max(work, key=lambda s: s.end_t or 0.0)
        assert last.end_t is not None  # filtered above; for mypy
        return hrr60_at(record.hr, last.end_t, step_index=last.index)
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
    return result
