"""Small asyncio helpers for the MQTT adapter."""

from __future__ import annotations

import asyncio
import errno
from typing import TYPE_CHECKING, Any

import structlog

if TYPE_CHECKING:
    from collections.abc import Callable

log = structlog.get_logger(__name__)


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


async def cancel_and_wait(tasks: list[asyncio.Task[Any]]) -> None:
    """Cancel ``tasks`` and wait until each has ended: none outlives its owner.

    Waits even if the caller is cancelled meanwhile (then re-raises that).
    """
    for task in tasks:
        task.cancel()
    ended = asyncio.gather(*tasks, return_exceptions=True)
    try:
        await asyncio.shield(ended)
    except asyncio.CancelledError:
        await ended
        raise


def quiet_stale_socket_writes(loop: asyncio.AbstractEventLoop) -> None:
    """Log at debug, not as an error with a traceback, aiomqtt's write-registration race.

    aiomqtt registers the socket for writing with ``call_soon_threadsafe(
    loop.add_writer, sock.fileno(), ...)``; when the broker goes away first, the
    socket is closed before that callback runs and asyncio logs "Exception in
    callback ... add_writer ... Bad file descriptor" at error level on every
    broker restart (the link has already noticed and reconnects). Anything else
    still reaches the handler that was there before (or asyncio's default).
    """
    previous = loop.get_exception_handler()
    if isinstance(previous, _QuietStaleSocketWrites):
        return  # several links on one loop: one handler
    loop.set_exception_handler(_QuietStaleSocketWrites(previous))


class _QuietStaleSocketWrites:
    """A loop exception handler: the race at debug, anything else to ``previous``."""

    def __init__(
        self, previous: Callable[[asyncio.AbstractEventLoop, dict[str, Any]], object] | None
    ) -> None:
        self._previous = previous

    def __call__(self, loop: asyncio.AbstractEventLoop, context: dict[str, Any]) -> None:
        exc = context.get("exception")
        callback = getattr(context.get("handle"), "_callback", None)
        if (
            isinstance(exc, OSError)
            and exc.errno == errno.EBADF
            and getattr(callback, "__name__", "") == "add_writer"
        ):
            log.debug("mqtt_socket_closed_before_write", error=str(exc))
            return
        if self._previous is not None:
            self._previous(loop, context)
        else:
            loop.default_exception_handler(context)
