"""The plan at run time: ``<base>/plan/next`` kept current, and the runner's ratings kept.

The recommendation (plan/recommend.py, pure) is worked out from every stored
session and check-in, off the event loop, at start-up and whenever something
it depends on changes: a session's summary stored, a rating, a check-in.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.errors import HiitdError, StoreError
from hiitd.mqtt.payloads import encode
from hiitd.store import plan_history

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.topics import Topics
    from hiitd.plan.plan_config import PlanConfig
    from hiitd.runtime.outlet import Outlet
    from hiitd.store.db import Store

log = structlog.get_logger(__name__)


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
        age: int | None = None,
    ) -> None:
        self._store = store
        self._age = age
        self._config = config
        self._wall = wall
        self._outlet = outlet
        self._topics = topics
        self._due = asyncio.Event()
        self._due.set()  # at start-up, then after each session, rating and check-in
        self._latest: dict[str, Any] | None = None

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

    async def run(self) -> None:
        """Work out and publish ``plan/next`` whenever it is due."""
        while True:
            await self._due.wait()
            self._due.clear()
            store = self._store
            if store is None:
                continue
            try:  # reads every session's metrics: off the loop
                doc = await asyncio.to_thread(
                    plan_history.next_payload, store, self._config, self._wall(), self._age
                )
            except (HiitdError, ValueError) as exc:
                log.warning("plan_failed", error=str(exc))
                continue
            self._latest = doc
            self._outlet.retain(self._topics.plan_next, encode(doc))
