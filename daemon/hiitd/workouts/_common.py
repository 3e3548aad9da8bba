"""Helpers shared by the workout importers: numbers, limits and error positions.

Every importer rejects a bad file *whole* (docs/architecture.md, Principles 3): the first
problem raises ``WorkoutError`` naming the file (``source``) and where in it
(``position``). The model's own validation (``hiitd.coach.workout_model``) raises
``WorkoutError`` without a position; ``at()`` adds the importer's position.
"""

from __future__ import annotations

import math
from contextlib import contextmanager
from typing import TYPE_CHECKING

from hiitd.coach.workout_model import Repeat, Step, Workout
from hiitd.errors import WorkoutError

if TYPE_CHECKING:
    from collections.abc import Iterator

# Sanity limits. A real running session is a few hours and a few hundred steps;
# anything far beyond is a typo ("800m" = 800 minutes) or a hostile file whose
# repeats would expand into millions of steps in ``Workout.expand()``.
MAX_STEP_S = 6 * 3600.0  # longest single step: an ultra's long run
MAX_STEP_M = 200_000.0  # 200 km
MAX_REPEAT = 1000  # one repeat block
MAX_EXPANDED_STEPS = 5000  # the whole workout, repeats unrolled
MAX_FILE_BYTES = 1_000_000  # workout files are a few kB; checked before parsing


@contextmanager
def at(source: str, position: str) -> Iterator[None]:
    """Re-raise a position-less ``WorkoutError`` (from the model) with source and position."""
    try:
        yield
    except WorkoutError as exc:
        if exc.position is not None:
            raise
        raise WorkoutError(exc.reason, source=source, position=position) from exc


def finite(text: str, what: str, source: str, position: str) -> float:
    """Parse a finite decimal number, or reject it naming the attribute."""
    try:
        value = float(text.strip())
    except ValueError:
        raise WorkoutError(
            f"{what} {text!r} is not a number", source=source, position=position
        ) from None
    if not math.isfinite(value):
        raise WorkoutError(
            f"{what} {text!r} is not a finite number", source=source, position=position
        )
    return value


def check_time(seconds: float, source: str, position: str) -> float:
    """A step time must be positive and at most ``MAX_STEP_S``."""
    if not 0 < seconds <= MAX_STEP_S:
        raise WorkoutError(
            f"step time {seconds:g} s is outside 0 < t <= {MAX_STEP_S:g} s",
            source=source,
            position=position,
        )
    return seconds


def check_distance(metres: float, source: str, position: str) -> float:
    """A step distance must be positive and at most ``MAX_STEP_M``."""
    if not 0 < metres <= MAX_STEP_M:
        raise WorkoutError(
            f"step distance {metres:g} m is outside 0 < d <= {MAX_STEP_M:g} m",
            source=source,
            position=position,
        )
    return metres


def check_count(count: float, source: str, position: str) -> int:
    """A repeat count must be a whole number from 1 to ``MAX_REPEAT``."""
    if count != int(count) or not 1 <= count <= MAX_REPEAT:
        raise WorkoutError(
            f"repeat count {count:g} is not a whole number from 1 to {MAX_REPEAT}",
            source=source,
            position=position,
        )
    return int(count)


def expanded_size(items: tuple[Step | Repeat, ...]) -> int:
    """How many steps ``items`` unroll to, without unrolling them."""
    total = 0
    for item in items:
        total += 1 if isinstance(item, Step) else item.count * expanded_size(item.steps)
    return total


def finish(workout: Workout) -> Workout:
    """Reject a workout whose repeats unroll to more than ``MAX_EXPANDED_STEPS`` steps."""
    size = expanded_size(workout.items)
    if size > MAX_EXPANDED_STEPS:
        raise WorkoutError(
            f"the workout unrolls to {size} steps (limit {MAX_EXPANDED_STEPS})",
            source=workout.source,
            position="whole file",
        )
    return workout
