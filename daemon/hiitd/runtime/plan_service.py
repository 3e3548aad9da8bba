"""The plan at run time: ``<base>/plan/next`` kept current, and the runner's ratings kept.

The recommendation (plan/recommend.py, pure) is worked out from every stored
session and check-in, off the event loop, at start-up and whenever something
it depends on changes: a session's summary stored, a rating, a check-in, a
health report (``cmd/health``, kept in ``health.json``: store/health_file.py).
The gate (plan/eligibility.py: screening, age, beta blockers, reported health)
applies to every recommendation; ``plan/next`` carries ``health`` and ``eligibility``.
A report made with ``hiitd health`` (another process, the same file) is noticed
within ``HEALTH_POLL_S``: the file's modification time is looked at, nothing more.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.errors import HiitdError, StoreError
from hiitd.mqtt.payloads import encode
from hiitd.plan.eligibility import HealthStatus
from hiitd.store import health_file, plan_history

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.mqtt.topics import Topics
    from hiitd.plan.plan_config import PlanConfig
    from hiitd.runtime.outlet import Outlet
    from hiitd.settings import AthleteSettings
    from hiitd.store.db import Store

log = structlog.get_logger(__name__)
HEALTH_POLL_S = 5.0  # how soon a report from the command line reaches plan/next


class PlanService:
    """Publishes the recommended next session and keeps session ratings (RPE)."""

    def __init__(
        self,
        store: Store | None,
        config: PlanConfig,
        wall: Callable[[], float],
        outlet: Outlet,
        topics: Topics,
        *,
        athlete: AthleteSettings,
        state_dir: Path,
    ) -> None:
        self._store = store
        self._athlete = athlete
        self._state_dir = state_dir
        self._config = config
        self._wall = wall
        self._outlet = outlet
        self._topics = topics
        self._due = asyncio.Event()
        self._due.set()  # at start-up, then after each session, rating and check-in
        self._latest: dict[str, Any] | None = None
        self._health_seen = self._health_mtime()

    @property
    def recommended(self) -> dict[str, Any] | None:
        """The last ``plan/next`` document (None until the first is worked out)."""
        return self._latest

    def refresh(self, _session_id: str | None = None) -> None:
        """Something the plan depends on changed: work it out again soon."""
        self._due.set()

    def rate_session(self, rpe: int) -> str | None:
        """Keep the RPE of the last finished session; an error or None."""
        if self._store is None:
            return "the session store is unavailable: the rating is not kept"
        try:  # two tiny statements: fine on the loop (store/db.py)
            sid = plan_history.rate_last_session(self._store, rpe)
        except StoreError as exc:
            return str(exc)
        log.info("session_rated", session_id=sid, rpe=rpe)
        self.refresh()
        return None

    def report_health(self, status: str, note: str | None) -> str | None:
        """Keep a health report (``cmd/health``: ok, ill, injured); an error or None."""
        try:  # one small file, written atomically: fine on the loop, like learned.json
            health_file.report(self._state_dir, HealthStatus(status), self._wall(), note)
        except StoreError as exc:
            return str(exc)
        log.info("health_reported", status=status, note=note)
        self.refresh()
        return None

    def _health_mtime(self) -> int | None:
        try:
            return (self._state_dir / health_file.FILE_NAME).stat().st_mtime_ns
        except OSError:
            return None

    async def run(self) -> None:
        """Work out and publish ``plan/next`` whenever it is due (or health.json changed)."""
        while True:
            try:  # not asyncio.wait_for: on 3.11 it can lose a stop (test_cancellation.py)
                async with asyncio.timeout(HEALTH_POLL_S):
                    await self._due.wait()
            except TimeoutError:
                if self._health_mtime() == self._health_seen:
                    continue
            self._due.clear()
            self._health_seen = self._health_mtime()
            store = self._store
            if store is None:
                continue
            try:  # reads every session's metrics: off the loop
                doc = await asyncio.to_thread(
                    plan_history.next_payload, store, self._config, self._wall(), self._athlete
                )
            except (HiitdError, ValueError) as exc:
                log.warning("plan_failed", error=str(exc))
                continue
            self._latest = doc
            self._outlet.retain(self._topics.plan_next, encode(doc))
