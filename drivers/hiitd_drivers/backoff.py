"""When to try a lost link again: capped, jittered exponential backoff (pure).

The one retry policy of hiitd: the sensor links use ``Backoff``, the broker
link ``backoff_delays``, both on top of ``backoff_delay``.

A strap drops out for ordinary reasons (the runner took it off, went round the
far side of a track, a flat battery), so reconnecting never gives up; the
backoff only keeps a missing sensor from hammering BlueZ and from starving
the other sensor's link, which shares the same adapter. The same holds for a
broker that restarts: many daemons must not reconnect to it in lock-step.
"""

from __future__ import annotations

import random
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable, Iterator

__all__ = [
    "INITIAL_BACKOFF_S",
    "JITTER_FRACTION",
    "MAX_BACKOFF_S",
    "STABLE_AFTER_S",
    "Backoff",
    "backoff_delay",
    "backoff_delays",
]

# One second: after a link loss BlueZ needs a moment to tear the old connection
# down; reconnecting at once mostly earns org.bluez.Error.InProgress. Short
# enough that a strap that blipped is back before the runner notices.
INITIAL_BACKOFF_S: Final = 1.0

# Thirty seconds: a sensor that left range (or whose battery died) should be
# picked up within half a minute of coming back, while a scan every 30 s keeps
# the radio free for the other sensor's notifications most of the time.
MAX_BACKOFF_S: Final = 30.0

# Up to half of each delay is removed at random ("equal jitter", see
# https://aws.amazon.com/blogs/architecture/exponential-backoff-and-jitter/):
# the HR and footpod links often drop together (the runner walks away from the
# Pi) and must not rescan in lock-step on one adapter.
JITTER_FRACTION: Final = 0.5

# A connection that lasted this long was a good one: the next loss starts the
# backoff again from INITIAL_BACKOFF_S instead of where flapping left it.
STABLE_AFTER_S: Final = 30.0


def backoff_delay(
    attempt: int,
    *,
    initial_s: float = INITIAL_BACKOFF_S,
    max_s: float = MAX_BACKOFF_S,
    jitter: float = JITTER_FRACTION,
    unit: float = 1.0,
) -> float:
    """Return the delay before retry number ``attempt`` (0-based).

    The ceiling is ``min(max_s, initial_s * 2**attempt)``; ``unit`` in [0, 1]
    (a random draw) removes up to ``jitter`` of it, so the result lies in
    ``[ceiling * (1 - jitter), ceiling]``.
    """
    if attempt < 0:
        raise ValueError(f"attempt must be >= 0, got {attempt}")
    if not 0 < initial_s <= max_s:
        raise ValueError(f"need 0 < initial_s <= max_s, got {initial_s} and {max_s}")
    if not 0.0 <= jitter <= 1.0 or not 0.0 <= unit <= 1.0:
        raise ValueError(f"jitter and unit must be in [0, 1], got {jitter} and {unit}")
    # Cap the exponent first: 2**attempt overflows a float after ~1000 retries,
    # which a sensor left switched off overnight would reach.
    doublings = min(attempt, 64)
    ceiling = min(max_s, initial_s * 2.0**doublings)
    return ceiling * (1.0 - jitter * unit)


def backoff_delays(initial: float, maximum: float, rng: random.Random) -> Iterator[float]:
    """Endless delays: the n-th lies in ``[c/2, c]`` with ``c = min(maximum, initial * 2**n)``.

    ``backoff_delay`` with ``JITTER_FRACTION`` and a draw from ``rng`` each time.
    An ``initial`` above ``maximum`` is capped to it (a setting, not a bug: the
    maximum wins), so no delay exceeds ``maximum``. Zero or negative delays
    raise ``ValueError``: they would be a busy loop.
    """
    if initial <= 0 or maximum <= 0:
        raise ValueError("backoff delays must be positive")
    initial = min(initial, maximum)
    attempt = 0
    while True:
        yield backoff_delay(attempt, initial_s=initial, max_s=maximum, unit=rng.random())
        attempt += 1


class Backoff:
    """The retry state of one sensor link.

    ``rand`` is injected so tests pin the jitter; it defaults to
    ``random.random`` (jitter, not cryptography).
    """

    def __init__(
        self,
        *,
        initial_s: float = INITIAL_BACKOFF_S,
        max_s: float = MAX_BACKOFF_S,
        jitter: float = JITTER_FRACTION,
        stable_after_s: float = STABLE_AFTER_S,
        rand: Callable[[], float] = random.random,
    ) -> None:
        # Validate once, here, rather than on the first failure in the field.
        backoff_delay(0, initial_s=initial_s, max_s=max_s, jitter=jitter)
        self.initial_s = initial_s
        self.max_s = max_s
        self.jitter = jitter
        self.stable_after_s = stable_after_s
        self._rand = rand
        self.attempt = 0

    def next_delay(self) -> float:
        """Return the delay before the next try and count the attempt."""
        delay = backoff_delay(
            self.attempt,
            initial_s=self.initial_s,
            max_s=self.max_s,
            jitter=self.jitter,
            unit=min(1.0, max(0.0, self._rand())),
        )
        self.attempt += 1
        return delay

    def reset(self) -> None:
        """Start again from the initial delay."""
        self.attempt = 0

    def connection_ended(self, lasted_s: float) -> None:
        """Reset after a connection that lasted ``stable_after_s``; keep climbing otherwise."""
        if lasted_s >= self.stable_after_s:
            self.reset()
