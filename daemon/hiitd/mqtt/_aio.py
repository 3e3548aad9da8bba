"""Small asyncio helpers for the MQTT adapter."""

from __future__ import annotations

import asyncio


def reraise_lost_cancel() -> None:
    """Re-raise a cancellation that ``asyncio.wait_for`` swallowed.

    aiomqtt awaits broker round trips with ``asyncio.wait_for``. On Python 3.11
    (Raspberry Pi OS bookworm) a cancellation that arrives just as the awaited
    future completes is lost (CPython gh-86296, fixed in 3.12): the task stays
    "cancelling" but runs on, and shutdown then hangs forever in the next wait.
    Seen here as a daemon that ignored SIGTERM about one time in twenty.
    """
    task = asyncio.current_task()
    if task is not None and task.cancelling():
        raise asyncio.CancelledError


def first_leaf(group: BaseExceptionGroup[BaseException]) -> BaseException:
    first = group.exceptions[0]
    return first_leaf(first) if isinstance(first, BaseExceptionGroup) else first
