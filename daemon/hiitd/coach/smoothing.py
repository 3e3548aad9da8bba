"""Moving averages and hold timers over explicit time. No clock, no I/O.

Speed is averaged as speed, never as pace: pace is 1/speed, so a mean of paces
over-weights the slow moments (one 10 s stop at a crossing would add minutes per
km) and disagrees with distance / time.
"""

from __future__ import annotations

from collections import deque


class MovingAverage:
    """The mean of the samples of the last ``window_s`` seconds.

    Sensors notify at a steady 1-2 Hz, so a plain mean of the samples in the
    window is a time average; gaps simply leave fewer samples, and an empty
    window is ``None`` (no data), never a stale value.
    """

    __slots__ = ("_sum", "_values", "window_s")

    def __init__(self, window_s: float) -> None:
        self.window_s = window_s
        self._values: deque[tuple[float, float]] = deque()
        self._sum = 0.0

    def reset(self, window_s: float | None = None) -> None:
        """Forget every sample (a step start); optionally change the window."""
        if window_s is not None:
            self.window_s = window_s
        self._values.clear()
        self._sum = 0.0

    def add(self, t: float, value: float) -> None:
        """Add a sample taken at ``t``."""
        self._values.append((t, value))
        self._sum += value
        self._expire(t)

    def value(self, now: float) -> float | None:
        """The mean over ``(now - window_s, now]``, or None with no samples there."""
        self._expire(now)
        if not self._values:
            return None
        return self._sum / len(self._values)

    def _expire(self, now: float) -> None:
        horizon = now - self.window_s
        while self._values and self._values[0][0] <= horizon:
            _, v = self._values.popleft()
            self._sum -= v
        if not self._values:
            self._sum = 0.0  # no float drift carried across an empty window


class Hold:
    """How long a condition has been true without interruption."""

    __slots__ = ("since",)

    def __init__(self) -> None:
        self.since: float | None = None

    def update(self, now: float, condition: bool) -> float:
        """Record the condition at ``now``; return for how long it has held (0 when false)."""
        if not condition:
            self.since = None
            return 0.0
        if self.since is None:
            self.since = now
        return now - self.since

    def reset(self) -> None:
        """Forget (a step change, a gap)."""
        self.since = None


class Mean:
    """A running arithmetic mean and maximum (step averages)."""

    __slots__ = ("max", "n", "total")

    def __init__(self) -> None:
        self.n = 0
        self.total = 0.0
        self.max: float | None = None

    def add(self, value: float) -> None:
        """Add one value."""
        self.n += 1
        self.total += value
        self.max = value if self.max is None else max(self.max, value)

    @property
    def mean(self) -> float | None:
        """The mean, or None when empty."""
        return self.total / self.n if self.n else None
