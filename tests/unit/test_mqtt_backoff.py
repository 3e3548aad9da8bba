"""Reconnect backoff: grows, is capped, is jittered, never zero."""

from __future__ import annotations

import itertools
import random

import pytest

from hiitd_drivers.backoff import backoff_delays

# Seeded jitter for reproducible tests, not cryptography.
Rng = random.Random


def test_delays_double_then_cap() -> None:
    """Nominal delays double from initial and stop at maximum; each lies in [c/2, c]."""
    delays = list(itertools.islice(backoff_delays(1.0, 10.0, Rng(1)), 8))
    for delay, ceiling in zip(delays, [1, 2, 4, 8, 10, 10, 10, 10], strict=True):
        assert ceiling / 2 <= delay <= ceiling


def test_delays_are_jittered() -> None:
    """Two daemons with different random states do not retry in lock-step."""
    a = list(itertools.islice(backoff_delays(1.0, 60.0, Rng(1)), 5))
    b = list(itertools.islice(backoff_delays(1.0, 60.0, Rng(2)), 5))
    assert a != b


def test_same_seed_same_delays() -> None:
    """The policy is a pure function of its arguments (the rng is injected)."""
    a = list(itertools.islice(backoff_delays(0.5, 30.0, Rng(7)), 10))
    b = list(itertools.islice(backoff_delays(0.5, 30.0, Rng(7)), 10))
    assert a == b


def test_initial_above_maximum_is_capped() -> None:
    """An initial delay above the maximum never exceeds the maximum."""
    delays = itertools.islice(backoff_delays(100.0, 5.0, Rng(3)), 5)
    assert all(2.5 <= d <= 5.0 for d in delays)


def test_non_positive_delays_are_rejected() -> None:
    """A zero delay would be a busy loop: ValueError."""
    with pytest.raises(ValueError):
        next(backoff_delays(0.0, 5.0, Rng()))


async def test_a_swallowed_cancellation_is_raised_again() -> None:
    """A task whose cancel was swallowed (3.11 wait_for race) stops at the next check."""
    import asyncio  # noqa: PLC0415
    import contextlib  # noqa: PLC0415

    from hiitd.mqtt._aio import reraise_lost_cancel  # noqa: PLC0415

    reached = asyncio.Event()

    async def victim() -> str:
        # What wait_for does in the race: the cancellation is lost.
        with contextlib.suppress(asyncio.CancelledError):
            await asyncio.sleep(10)
        reached.set()
        reraise_lost_cancel()
        return "ran on"

    task = asyncio.create_task(victim())
    await asyncio.sleep(0)
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    assert reached.is_set()
