"""Builders for synthetic session records with known, hand-computable metrics."""

from __future__ import annotations

import itertools
import math
from typing import TYPE_CHECKING

from hiitd.record.session_record import (
    AthleteSnapshot,
    HrPoint,
    PauseRecord,
    PodPoint,
    SessionRecord,
    SessionStatus,
    StepRecord,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable, Sequence

ATHLETE = AthleteSnapshot(max_hr=200)


def record(
    *,
    end_t: float | None,
    hr: Iterable[HrPoint] = (),
    pod: Iterable[PodPoint] = (),
    steps: Iterable[StepRecord] = (),
    pauses: Iterable[PauseRecord] = (),
    athlete: AthleteSnapshot = ATHLETE,
) -> SessionRecord:
    """A finished record with these samples."""
    return SessionRecord(
        session_id="s1",
        workout="test",
        start_wall=1_700_000_000.0,
        status=SessionStatus.FINISHED,
        end_t=end_t,
        athlete=athlete,
        hr=tuple(hr),
        pod=tuple(pod),
        steps=tuple(steps),
        pauses=tuple(pauses),
    )


def hr_points(t0: int, t1: int, bpm: int | Callable[[int], int | None]) -> list[HrPoint]:
    """One heart-rate point a second from ``t0`` to ``t1 - 1``."""
    return [HrPoint(float(t), bpm(t) if callable(bpm) else bpm, (), True) for t in range(t0, t1)]


def pod_points(
    t0: int, t1: int, speed: float, cadence: float = 170.0, stride: float | None = None
) -> list[PodPoint]:
    """One footpod point a second, no running total."""
    return [PodPoint(float(t), speed, cadence, stride) for t in range(t0, t1)]


def step(
    index: int,
    start: float,
    end: float | None,
    *,
    intensity: str = "active",
    target: str = "open",
    low: float | None = None,
    high: float | None = None,
) -> StepRecord:
    """A time step with a target."""
    return StepRecord(
        index=index,
        name=f"step {index}",
        label=f"Step {index + 1}",
        intensity=intensity,
        start_t=start,
        end_t=end,
        duration_type="time",
        duration_value=None if end is None else end - start,
        target_type=target,
        target_low=low,
        target_high=high,
        ended_by="time",
    )


def breathing_rr(
    n: int, mean: float = 1000.0, swing: float = 50.0, period: float = 4.6
) -> list[float]:
    """RR (ms) as at rest: a sine of ``swing`` ms around ``mean``, one breath per ``period`` beats.

    Respiratory sinus arrhythmia: the heart speeds up breathing in and slows down
    breathing out. Rounded to 0.1 ms, like a strap's 1/1024 s steps.
    """
    return [round(mean + swing * math.sin(2 * math.pi * i / period), 1) for i in range(n)]


def rmssd(*runs: Sequence[float]) -> float:
    """RMSSD by its definition, over the successive differences inside each run."""
    diffs = [b - a for run in runs for a, b in itertools.pairwise(run)]
    return math.sqrt(sum(d * d for d in diffs) / len(diffs))
