"""The live readiness check-in at run time: let the daemon's clock run, then store the result.

``CheckinDesk`` (runtime/checkin_desk.py, pure) collects the strap's RR
intervals from the sample stream and says how it goes; this task wakes when
one starts, publishes the countdown every few seconds of the daemon's clock,
and stores the figures off the loop when the time is over.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import structlog

from hiitd.errors import StoreError
from hiitd.runtime.checkin_desk import PROGRESS_EVERY_S, CheckinDesk, CheckinFailed
from hiitd.store import plan_history

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.topics import Topics
    from hiitd.plan.plan_config import PlanConfig
    from hiitd.runtime.outlet import Outlet
    from hiitd.runtime.plan_service import PlanService
    from hiitd.runtime.recording_service import RecordingService
    from hiitd_drivers.clock import Clock

log = structlog.get_logger(__name__)


class CheckinService:
    """Runs one check-in at a time: the desk measures, this task keeps time and stores."""

    def __init__(
        self,
        topics: Topics,
        clock: Clock,
        wall: Callable[[], float],
        *,
        hr_enabled: bool,
        recording: RecordingService,
        plan: PlanService,
        plan_config: PlanConfig,
        outlet: Outlet,
    ) -> None:
        self._clock = clock
        self._wall = wall
        self._recording = recording
        self._plan = plan
        self._plan_config = plan_config
        self._outlet = outlet
        self._wake = asyncio.Event()
        self.desk = CheckinDesk(
            topics,
            wall,
            hr_enabled=hr_enabled,
            precheck=recording.store_missing,
            on_start=self._wake.set,
        )

    async def run(self) -> None:
        """One measurement at a time: progress on the daemon's clock, then stored off the loop."""
        clock, desk = self._clock, self.desk
        while True:
            await self._wake.wait()
            self._wake.clear()
            job = desk.job
            while job is not None and desk.job is job and not job.due(clock.now()):
                await clock.sleep(min(PROGRESS_EVERY_S, job.remaining(clock.now())))
                if desk.job is job and not job.due(clock.now()):
                    self._outlet.send(desk.progress(clock.now()))
            if job is not None and desk.job is job:  # not cancelled meanwhile
                await self._finish()

    async def _finish(self) -> None:
        job = self.desk.close()
        if job is None:
            return
        try:
            row = job.result(self._wall())
            store = self._recording.store
            if store is None:  # it failed while measuring
                why = self._recording.store_missing() or "the session store is unavailable"
                raise StoreError(why)  # noqa: TRY301
            ready = await asyncio.to_thread(
                plan_history.keep_checkin, store, row, self._plan_config
            )
        except (CheckinFailed, StoreError) as exc:
            log.warning("checkin_failed", error=str(exc), beats=job.beats)
            self._outlet.send(self.desk.failed(str(exc)))
            return
        log.info(
            "checkin_stored",
            resting_hr=round(row.resting_hr or 0.0, 1),
            ln_rmssd=row.ln_rmssd,
            beats=row.beats,
            artefact_pct=row.artefact_pct,
            readiness=ready.status,
        )
        self._outlet.send(self.desk.done(row, ready))
        self._plan.refresh()
