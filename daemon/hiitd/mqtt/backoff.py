"""Reconnect delays: capped exponential backoff with jitter. Pure."""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    import random
    from collections.abc import Iterator


def backoff_delays(initial: float, maximum: float, rng: random.Random) -> Iterator[float]:
    """Endless delays: the n-th lies in ``[c/2, c]`` with ``c = min(maximum, initial * 2**n)``.

    "Equal jitter": never below half the nominal delay, so a broker restart is not
    hammered, yet many daemons restarted together spread out instead of
    reconnecting in lock-step. The cap applies after jitter, so no delay exceeds
    ``maximum``.
    """
    if initial <= 0 or maximum <= 0:
        raise ValueError("backoff delays must be positive")
    ceiling = min(initial, maximum)
    while True:
        yield rng.uniform(ceiling / 2, ceiling)
        ceiling = min(maximum, ceiling * 2)
