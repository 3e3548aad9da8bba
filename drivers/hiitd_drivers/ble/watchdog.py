"""The notification watchdog: wait until a link is lost or has gone quiet.

A strap that walks out of range does not always produce a disconnect: BlueZ
only notices when the link supervision timeout (up to 32 s, Core Spec Vol 6,
Part B, §4.5.2) runs out, and some straps keep the link but stop notifying
when they lose skin contact for long. So a link is also "lost" when no
measurement arrived for ``watchdog_s`` of *clock* time.

No bleak here: the watchdog runs on the injected ``Clock`` and is exercised
by the link tests on virtual time.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd_drivers.clock import Clock

__all__ = ["DISCONNECTED", "WATCHDOG", "wait_for_loss"]

DISCONNECTED = "disconnected"
WATCHDOG = "watchdog"


async def wait_for_loss(
    lost: asyncio.Event,
    last_rx: Callable[[], float],
    clock: Clock,
    watchdog_s: float,
    *,
    name: str = "watchdog",
) -> str:
    """Return ``DISCONNECTED`` once ``lost`` is set, ``WATCHDOG`` after ``watchdog_s`` of silence.

    ``last_rx()`` is the clock time of the latest notification; it is re-read
    on every wake-up, so each notification pushes the deadline back.
    """
    while True:
        if lost.is_set():
            return DISCONNECTED
        silent = clock.now() - last_rx()
        if silent >= watchdog_s:
            return WATCHDOG
        await _event_or_sleep(lost, clock, watchdog_s - silent, name=name)


async def _event_or_sleep(event: asyncio.Event, clock: Clock, seconds: float, *, name: str) -> None:
    # Clock.sleep runs on the injected clock (virtual in tests, scaled in the
    # demo), so this cannot be asyncio.wait_for(event.wait(), seconds).
    async with asyncio.TaskGroup() as tg:
        waiters = {
            tg.create_task(event.wait(), name=f"{name}-lost"),
            tg.create_task(clock.sleep(seconds), name=f"{name}-tick"),
        }
        await asyncio.wait(waiters, return_when=asyncio.FIRST_COMPLETED)
        for task in waiters:
            task.cancel()
