"""The supervisor: one TaskGroup wiring sources -> sample queue -> sinks.

Sources (the BLE links or the simulator) call ``emit(sample)``, which never
blocks: the queue is bounded and drops the oldest sample when a sink falls
behind (a driver must never wait for the broker). One pump task drains the
queue into the sinks. Shutdown is cancellation: SIGTERM cancels the main task,
the TaskGroup cancels every child, and the MQTT link publishes ``offline`` on
its way out.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.mqtt.client import MqttLink
from hiitd.mqtt.topics import Topics
from hiitd.telemetry import Outgoing, Telemetry
from hiitd_drivers.samples import Role, Sample

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from hiitd.sdnotify import Notifier
    from hiitd.settings import Settings

log = structlog.get_logger(__name__)

QUEUE_SIZE = 4096  # about 15 minutes of 1 Hz strap + 2 Hz pod: far beyond any stall


class SampleQueue:
    """A bounded queue whose producer never waits: when full, the oldest sample goes."""

    def __init__(self, maxsize: int = QUEUE_SIZE) -> None:
        self._queue: asyncio.Queue[Sample] = asyncio.Queue(maxsize)
        self.dropped = 0

    def put(self, sample: Sample) -> None:
        """Enqueue without blocking, dropping the oldest sample when full."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(sample)

    async def get(self) -> Sample:
        """Wait for the next sample."""
        return await self._queue.get()


def enabled_roles(settings: Settings) -> tuple[Role, ...]:
    """The sensor roles this daemon should expect."""
    roles = []
    if settings.ble.hr.enabled:
        roles.append(Role.HR)
    if settings.ble.footpod.enabled:
        roles.append(Role.FOOTPOD)
    return tuple(roles)


async def supervise(
    settings: Settings,
    source: Callable[[Callable[[Sample], None]], Coroutine[Any, Any, None]],
    *,
    notifier: Notifier | None = None,
    printer: Callable[[Outgoing], None] | None = None,
    wall: Callable[[], float] = time.time,
) -> None:
    """Run until cancelled: the MQTT link, the sources and the pump."""
    topics = Topics(settings.mqtt.prefix, settings.athlete.id)
    link = MqttLink(settings.mqtt, topics)
    telemetry = Telemetry(topics)
    queue = SampleQueue()

    def send(out: Outgoing) -> None:
        if out.retain:
            link.set_retained(out.topic, out.payload, qos=out.qos)
        else:
            link.publish(out.topic, out.payload, qos=out.qos)
        if printer is not None:
            printer(out)

    async def pump() -> None:
        for out in telemetry.initial(enabled_roles(settings)):
            send(out)
        while True:
            sample = await queue.get()
            for out in telemetry.handle(sample, wall()):
                send(out)

    log.info("hiitd_starting", base_topic=topics.base, broker=settings.mqtt.url)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(link.run(), name="mqtt-link")
            tg.create_task(pump(), name="sample-pump")
            tg.create_task(source(queue.put), name="sources")
            if notifier is not None:
                tg.create_task(notifier.watchdog_loop(), name="sd-watchdog")
                notifier.notify("READY=1\nSTATUS=running")
    finally:
        if notifier is not None:
            notifier.notify("STOPPING=1")
        log.info("hiitd_stopped", dropped_samples=queue.dropped)
