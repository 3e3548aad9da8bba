"""From the sensors to the sinks: a bounded queue the drivers never wait on, and its pump.

Sources (the BLE links or the simulator) call ``SampleQueue.put``, which never
blocks: the queue is bounded and drops the oldest sample when a sink falls
behind (a driver must never wait for the broker). The pump hands each sample
to the sinks in order: live telemetry, the recorder, a running check-in, the
coach; and the ticker lets time pass in the engine between samples.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.runtime.checkin_desk import CheckinDesk
    from hiitd.runtime.coach_service import Coach
    from hiitd.runtime.outlet import Outlet
    from hiitd.runtime.recording_service import RecordingService
    from hiitd.runtime.telemetry import Telemetry
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

QUEUE_SIZE = 4096  # about 15 minutes of 1 Hz strap + 2 Hz pod: far beyond any stall
TICK_S = 0.5  # engine clock ticks (source-clock seconds): countdowns land within half a second


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


class SamplePump:
    """Drains the queue into the sinks; ticks the engine on the daemon's clock."""

    def __init__(
        self,
        queue: SampleQueue,
        *,
        telemetry: Telemetry,
        recording: RecordingService,
        checkins: CheckinDesk,
        coach: Coach,
        outlet: Outlet,
        clock: Clock,
        wall: Callable[[], float],
    ) -> None:
        self._queue = queue
        self._telemetry = telemetry
        self._recording = recording
        self._checkins = checkins
        self._coach = coach
        self._outlet = outlet
        self._clock = clock
        self._wall = wall

    async def pump(self) -> None:
        """Every sample, in order, to every sink."""
        send = self._outlet.send
        while True:
            sample = await self._queue.get()
            send(self._telemetry.handle(sample, self._wall()))
            self._recording.on_sample(sample, sample.t)
            self._checkins.feed(sample)
            send(self._coach.on_sample(sample, sample.t))

    async def tick(self) -> None:
        """Let time pass in the engine: step ends, countdowns, the state's refresh."""
        while True:
            await self._clock.sleep(TICK_S)
            self._outlet.send(self._coach.on_tick(self._clock.now()))
