"""The durable path: what must not be lost is stored first, delivered in order, then marked.

Cues, step summaries and session results are written to the store's outbox
table (store/outbox.py) before anything is sent; this task delivers them in
order and marks each delivered only once the broker acknowledged it (QoS 1
PUBACK). A broker outage or a daemon crash therefore loses none of them: what
is pending goes out after the reconnect, or at the next start.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING

import structlog

from hiitd.errors import MqttError, StoreError
from hiitd.mqtt.payloads import encode

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.broker_link import MqttLink
    from hiitd.runtime.telemetry import Outgoing
    from hiitd.store.db import Store
    from hiitd.store.rows import OutboxItem

log = structlog.get_logger(__name__)

OUTBOX_BATCH = 50
OUTBOX_RETRY_S = 0.5  # the link is reconnecting; its own backoff paces the retries
OUTBOX_STORE_RETRY_S = 10.0
DELIVERED_KEEP_S = 7 * 24 * 3600.0  # delivered outbox rows are kept a week for diagnosis


class DurableOutbox:
    """Stores durable messages and delivers them until the broker acknowledges each."""

    def __init__(
        self,
        store: Store | None,
        link: MqttLink,
        *,
        monotonic: Callable[[], float] = time.monotonic,
        wall: Callable[[], float] = time.time,
    ) -> None:
        """``store`` None: the store could not be opened; ``put`` then refuses everything."""
        self._store = store
        self._link = link
        self._wake = asyncio.Event()
        self._wake.set()  # deliver what a previous run left in the outbox
        self._idle = asyncio.Event()
        self._monotonic = monotonic
        self._wall = wall
        self._born: dict[int, float] = {}  # outbox id -> monotonic time stored (this run)

    def put(self, out: Outgoing) -> bool:
        """Store ``out`` for the delivery task; False when the store is down."""
        if self._store is None:
            return False
        try:
            row = self._store.enqueue(
                out.topic, out.payload, qos=max(out.qos, 1), retain=out.retain
            )
        except StoreError as exc:
            log.warning("outbox_unavailable", topic=out.topic, error=str(exc))
            return False
        self._born[row] = self._monotonic()
        if out.retain:
            self._link.hold_retained(out.topic, out.payload, qos=max(out.qos, 1))
        self._idle.clear()
        self._wake.set()
        return True

    async def idle(self) -> None:
        """Return once everything stored has been delivered (at once without a store)."""
        if self._store is not None:
            await self._idle.wait()

    async def run(self) -> None:
        """Deliver stored messages in order; each is marked delivered after the broker's ack."""
        store = self._store
        if store is None:
            return
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while items := await asyncio.to_thread(store.pending, OUTBOX_BATCH):
                    for item in items:
                        await self._deliver(store, item)
                await asyncio.to_thread(store.prune_delivered, DELIVERED_KEEP_S)
            except StoreError as exc:
                # The messages stay in the file; try again (a full disk may clear).
                log.warning("outbox_read_failed", error=str(exc), retry_s=OUTBOX_STORE_RETRY_S)
                await asyncio.sleep(OUTBOX_STORE_RETRY_S)
                self._wake.set()
                continue
            if not self._wake.is_set():
                self._idle.set()

    async def _deliver(self, store: Store, item: OutboxItem) -> None:
        while True:
            await self._link.wait_connected()
            try:
                await self._link.publish_confirmed(
                    item.topic, self._aged(item), qos=item.qos, retain=item.retain
                )
            except MqttError as exc:
                log.debug("outbox_retry", id=item.id, topic=item.topic, error=str(exc))
                with contextlib.suppress(StoreError):
                    await asyncio.to_thread(store.note_attempt, item.id)
                await asyncio.sleep(OUTBOX_RETRY_S)
                continue
            # On the loop, not in a worker: a cancellation (SIGTERM) between the ack
            # and this mark would otherwise resend the message at the next start.
            with contextlib.suppress(StoreError):
                store.mark_delivered(item.id)
            self._born.pop(item.id, None)
            return

    def _aged(self, item: OutboxItem) -> bytes:
        """The payload with ``age_s`` now, for a message that carries one (a cue).

        Measured on the monotonic clock for what this run stored; for what a
        previous run left, from its ``ts`` (the best there is across a restart).
        """
        if b'"age_s"' not in item.payload:
            return item.payload
        try:
            doc = json.loads(item.payload)
        except ValueError:
            return item.payload
        born = self._born.get(item.id)
        ts = doc.get("ts")
        age: float | None = None
        if born is not None:
            age = self._monotonic() - born
        elif isinstance(ts, int | float):
            age = self._wall() - ts
        doc["age_s"] = None if age is None or age < 0 else round(age, 1)
        return encode(doc)
