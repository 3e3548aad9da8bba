"""Clocks injected into the sources, so tests and the demo control time.

A source asks its clock for ``now()`` (monotonic seconds) and awaits
``sleep(seconds)`` in *clock* seconds. ``ScaledClock(50)`` makes one wall second
pass as fifty clock seconds, so a 40-minute workout runs in under a minute.
"""

from __future__ import annotations

import asyncio
import time
from typing import Protocol


class Clock(Protocol):
    """Monotonic time in seconds, and a sleep measured on the same clock.

    ``rate`` is how many clock seconds pass per real second (1 for real time).
    """

    rate: float

    def now(self) -> float:
        """Return the current clock time in seconds."""
        ...

    async def sleep(self, seconds: float) -> None:
        """Wait until ``seconds`` of clock time have passed."""
        ...


class MonotonicClock:
    """Real time: ``time.monotonic`` and ``asyncio.sleep``."""

    rate = 1.0

    def now(self) -> float:
        """Return ``time.monotonic()``."""
        return time.monotonic()

    async def sleep(self, seconds: float) -> None:
        """Sleep for real."""
        await asyncio.sleep(seconds)


class ScaledClock:
    """Accelerated time: ``factor`` clock seconds pass per real second."""

    def __init__(self, factor: float) -> None:
        if factor <= 0:
            raise ValueError(f"clock factor must be positive, got {factor}")
        self.factor = self.rate = factor
        self._origin = time.monotonic()

    def now(self) -> float:
        """Return clock seconds since creation, accelerated by ``factor``."""
        return (time.monotonic() - self._origin) * self.factor

    async def sleep(self, seconds: float) -> None:
        """Sleep ``seconds / factor`` real seconds."""
        await asyncio.sleep(max(0.0, seconds) / self.factor)
