"""The broker link: one long-lived connection that callers never wait on.

``MqttLink.run()`` owns the connection loop. Callers ``publish`` and
``set_retained`` synchronously into memory; a sender task drains that to the
broker whenever the link is up. A broker that is down, unknown or refusing us
is logged with the reason and retried with capped, jittered backoff; ``run``
only ends by ``close()`` or cancellation, both of which publish ``offline``.
"""

from __future__ import annotations

import asyncio
import contextlib
import random
import time
from collections.abc import Callable, Coroutine, Mapping
from typing import TYPE_CHECKING, Any

import aiomqtt
import structlog

from hiitd.errors import MqttError
from hiitd.mqtt._aio import cancel_and_wait, quiet_stale_socket_writes, reraise_lost_cancel
from hiitd.mqtt.connection import CONNECT_TIMEOUT_S, OPERATION_TIMEOUT_S, make_client
from hiitd.mqtt.failures import FailureKind, classify
from hiitd.mqtt.inbound_router import InboundRouter
from hiitd.mqtt.payloads import OFFLINE, ONLINE
from hiitd.mqtt.retained_values import RetainedValues
from hiitd.mqtt.send_queue import Outbox, Outgoing
from hiitd_drivers.backoff import backoff_delays

if TYPE_CHECKING:
    from hiitd.mqtt.inbound_router import CommandHandler, MessageHandler
    from hiitd.mqtt.topics import Topics
    from hiitd.settings import MqttSettings

Sleep = Callable[[float], Coroutine[Any, Any, None]]

DEFAULT_QUEUE_LIMIT = 1000
"""QoS 0 messages held while the broker is away: about a minute of HR + footpod."""

# Shutdown must not hang on a dead broker: flushing the queue and publishing
# ``offline`` get this long together, then we disconnect regardless.
_GOODBYE_TIMEOUT_S = 3.0
# close() waits this long for run() to finish: goodbye plus aiomqtt's disconnect.
_CLOSE_TIMEOUT_S = _GOODBYE_TIMEOUT_S + 10.0
# A link that stayed up this long was healthy: the next outage starts the
# backoff from the beginning. Shorter links (a broker that accepts and then
# drops us) keep backing off instead of reconnecting in a tight loop.
_STABLE_LINK_S = 30.0
# Failures the user must fix (so: log at error level); others are transient.
_NEEDS_USER = frozenset({FailureKind.AUTH, FailureKind.TLS, FailureKind.CONFIG, FailureKind.DNS})
# What a broken or unreachable link raises; anything else is a bug and propagates.
_LINK_ERRORS = (aiomqtt.MqttError, OSError, TimeoutError)

log = structlog.get_logger()


class _LinkDown(Exception):  # noqa: N818 - carries the error out of the TaskGroup
    """The link broke inside the TaskGroup; ``error`` is the first link error.

    The error itself is not re-raised: raising it again would overwrite its
    ``__context__``, where aiomqtt leaves the socket error that says why.
    """

    def __init__(self, error: BaseException) -> None:
        super().__init__(str(error))
        self.error = error


class MqttLink:
    """The daemon's connection to the broker (the only user of aiomqtt besides tools)."""

    def __init__(
        self,
        settings: MqttSettings,
        topics: Topics,
        *,
        on_command: CommandHandler | None = None,
        on_message: Mapping[str, MessageHandler] | None = None,
        queue_limit: int = DEFAULT_QUEUE_LIMIT,
        sleep: Sleep = asyncio.sleep,
        rng: random.Random | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        """Nothing connects until ``run()``; ``clock`` stamps ``ts`` (Unix seconds)."""
        self._settings = settings
        self._topics = topics
        self._inbound = InboundRouter(
            topics,
            on_command=on_command,
            on_message=on_message or {},
            reply=lambda topic, payload, qos: self.publish(topic, payload, qos=qos),
            clock=clock,
        )
        self._sleep = sleep
        self._rng = rng if rng is not None else random.Random()  # noqa: S311 - jitter, not crypto
        self._outbox = Outbox(queue_limit)
        self._retained = RetainedValues()
        self._client: aiomqtt.Client | None = None
        self._wake = asyncio.Event()
        self._stop = asyncio.Event()
        self._up = asyncio.Event()
        self._done = asyncio.Event()
        self._running = False
        self.connects = 0
        """How many times a connection was established (tests, diagnostics)."""

    # ------------------------------------------------------------------ API

    @property
    def connected(self) -> bool:
        """Whether the link is up and announced (``online`` published)."""
        return self._up.is_set()

    @property
    def dropped(self) -> int:
        """QoS 0 messages shed because the queue was full."""
        return self._outbox.dropped

    @property
    def pending(self) -> int:
        """Messages queued, not yet sent."""
        return len(self._outbox)

    async def wait_connected(self) -> None:
        """Return once the link is up (callers bound it with ``asyncio.timeout``)."""
        await self._up.wait()

    async def publish_confirmed(
        self, topic: str, payload: bytes, *, qos: int = 1, retain: bool = False
    ) -> None:
        """Publish now, returning once the broker acknowledged it (QoS 1: its PUBACK).

        For the store's outbox, which marks a message delivered only after this
        returns. Raises ``MqttError`` when the link is down or drops meanwhile.
        """
        client = self._client
        if client is None or not self._up.is_set():
            raise MqttError("not connected to the broker")
        try:
            await client.publish(
                topic, payload, qos=qos, retain=retain, timeout=OPERATION_TIMEOUT_S
            )
        except (aiomqtt.MqttError, TimeoutError) as exc:
            raise MqttError(f"publish to {topic} not acknowledged: {exc}") from exc
        reraise_lost_cancel()

    def hold_retained(self, topic: str, payload: bytes, *, qos: int = 1) -> None:
        """Remember a retained value sent by other means, to send again after a reconnect."""
        self._retained.hold(topic, payload, qos)

    def publish(self, topic: str, payload: bytes, *, qos: int = 0, retain: bool = False) -> None:
        """Queue a message; never blocks. When full, the oldest QoS 0 message is shed."""
        if qos not in (0, 1, 2):
            raise ValueError(f"QoS must be 0, 1 or 2, got {qos}")
        before = self._outbox.dropped
        self._outbox.put(Outgoing(topic, payload, qos, retain))
        if self._outbox.dropped != before and self._outbox.dropped % 100 == 1:
            # Once per hundred, not per message: a long outage must not flood the journal.
            log.warning("mqtt_telemetry_dropped", dropped=self._outbox.dropped, topic=topic)
        self._wake.set()

    def set_retained(self, topic: str, payload: bytes, *, qos: int = 1) -> None:
        """Hold ``payload`` as the retained value of ``topic`` and publish it (QoS 1 default).

        The link re-publishes every held value after each reconnect, so a broker
        restarted with empty state gets it back. An empty payload clears it on
        the broker (MQTT 3.1.1, section 3.3.1.3).
        """
        if qos not in (0, 1, 2):
            raise ValueError(f"QoS must be 0, 1 or 2, got {qos}")
        self._retained.set(topic, payload, qos)
        self._wake.set()

    def resend_retained(self) -> None:
        """Publish every held retained value again, in the order they were first set."""
        self._retained.mark_all_unsent()
        self._wake.set()

    async def close(self) -> None:
        """Flush, publish ``offline`` (retained) and disconnect; wait for ``run`` to end.

        Bounded: a dead broker gets a few seconds, then the link is dropped.
        """
        self._stop.set()
        self._wake.set()  # the sender ends after the message it is sending
        if self._running:
            async with asyncio.timeout(_CLOSE_TIMEOUT_S):
                await self._done.wait()

    # ------------------------------------------------------------------ connection loop

    async def run(self) -> None:
        """Keep the link up until ``close()`` or cancellation; never gives up on failures."""
        if self._running:
            raise RuntimeError("MqttLink.run() is already running")
        self._running = True
        self._done.clear()
        quiet_stale_socket_writes(asyncio.get_running_loop())
        broker = f"{self._settings.host}:{self._settings.port}"
        delays = backoff_delays(
            self._settings.reconnect_initial_s, self._settings.reconnect_max_s, self._rng
        )
        attempt = 0
        try:
            while not self._stop.is_set():
                attempt += 1
                began = asyncio.get_running_loop().time()
                connects_before = self.connects
                try:
                    await self._connect_and_serve()
                except (_LinkDown, *_LINK_ERRORS) as raised:
                    exc = raised.error if isinstance(raised, _LinkDown) else raised
                    was_up = self.connects != connects_before
                    if was_up and asyncio.get_running_loop().time() - began >= _STABLE_LINK_S:
                        delays = backoff_delays(
                            self._settings.reconnect_initial_s,
                            self._settings.reconnect_max_s,
                            self._rng,
                        )
                        attempt = 1
                    failure = classify(exc, host=self._settings.host, port=self._settings.port)
                    delay = round(next(delays), 3)
                    emit = log.error if failure.kind in _NEEDS_USER else log.warning
                    emit(
                        "mqtt_link_lost" if was_up else "mqtt_connect_failed",
                        broker=broker,
                        kind=failure.kind.value,
                        reason=failure.reason,
                        advice=failure.advice,
                        attempt=attempt,
                        retry_in_s=delay,
                    )
                    await self._sleep_unless_stopped(delay)
        finally:
            self._up.clear()
            self._running = False
            self._done.set()
            log.info("mqtt_link_stopped", broker=broker)

    async def _sleep_unless_stopped(self, delay: float) -> None:
        sleeper = asyncio.create_task(self._sleep(delay), name="mqtt-backoff")
        stopper = asyncio.create_task(self._stop.wait(), name="mqtt-backoff-stop")
        try:
            await asyncio.wait({sleeper, stopper}, return_when=asyncio.FIRST_COMPLETED)
        finally:
            sleeper.cancel()
            stopper.cancel()
            # Both are ours: wait for them so neither outlives this call.
            await asyncio.wait({sleeper, stopper})

    async def _connect_and_serve(self) -> None:
        will = aiomqtt.Will(self._topics.status, OFFLINE, qos=1, retain=True)
        client = await make_client(self._settings, will=will)
        async with contextlib.AsyncExitStack() as stack:
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await stack.enter_async_context(client)
            # aiomqtt waits for the CONNACK with asyncio.wait_for: a SIGTERM landing as it
            # arrives was lost (the daemon logged mqtt_connected after signal_received and
            # never stopped, once in a loaded CI run).
            reraise_lost_cancel()
            self.connects += 1
            log.info(
                "mqtt_connected",
                broker=f"{self._settings.host}:{self._settings.port}",
                tls=self._settings.tls,
                connects=self.connects,
            )
            try:
                await self._announce(client)
                self._client = client
                self._up.set()
                await self._serve(client)
            except asyncio.CancelledError:
                self._up.clear()
                await self._goodbye(client, flush=False)
                raise
            finally:
                self._up.clear()
                self._client = None
            await self._goodbye(client, flush=True)

    async def _announce(self, client: aiomqtt.Client) -> None:
        # Subscribe before saying online: "online" promises that commands are heard.
        for topic_filter in self._inbound.subscriptions():
            await client.subscribe(topic_filter, qos=1, timeout=OPERATION_TIMEOUT_S)
            reraise_lost_cancel()
        await client.publish(
            self._topics.status, ONLINE, qos=1, retain=True, timeout=OPERATION_TIMEOUT_S
        )
        reraise_lost_cancel()
        # The broker may have restarted with no state: send every held value again.
        self._retained.mark_all_unsent()
        self._wake.set()

    async def _serve(self, client: aiomqtt.Client) -> None:
        """Run the sender and the receiver until stop (return) or a link error (raise).

        Not a TaskGroup: on Python 3.11 a child that ends a TaskGroup while the
        parent waits in ``__aexit__`` leaves the parent "cancelling" (its
        uncancel is skipped; fixed in 3.12), and the goodbye that follows would
        take that for a cancellation nobody sent.
        """
        tasks = [
            asyncio.create_task(self._send_loop(client), name="mqtt-send"),
            asyncio.create_task(self._receive_loop(client), name="mqtt-receive"),
            asyncio.create_task(self._stop.wait(), name="mqtt-stop"),
        ]
        sender, _, stopper = tasks
        try:
            await asyncio.wait(tasks, return_when=asyncio.FIRST_COMPLETED)
            if stopper.done() and not sender.done():
                # Let the message being sent finish: cancelled mid-publish it would
                # be sent again by the goodbye, a duplicate on a clean close.
                await asyncio.wait({sender}, timeout=OPERATION_TIMEOUT_S)
        finally:
            await cancel_and_wait(tasks)
        errors = [
            exc for t in tasks[:2] if not t.cancelled() and (exc := t.exception()) is not None
        ]
        if not errors:
            return  # stopped
        link_errors = [e for e in errors if isinstance(e, _LINK_ERRORS)]
        if len(link_errors) < len(errors):
            raise next(e for e in errors if not isinstance(e, _LINK_ERRORS))  # a bug: let it show
        raise _LinkDown(link_errors[0])

    async def _send_loop(self, client: aiomqtt.Client) -> None:
        while not self._stop.is_set():
            # Waiting for local work has no deadline; every broker round trip does.
            await self._wake.wait()
            self._wake.clear()
            await self._drain(client, until_stop=True)
            reraise_lost_cancel()

    async def _drain(self, client: aiomqtt.Client, *, until_stop: bool = False) -> None:
        while not (until_stop and self._stop.is_set()):
            # A failed retained send is not put back: the next ``_announce`` marks it unsent.
            if (retained := self._retained.take_unsent()) is not None:
                await client.publish(
                    retained.topic,
                    retained.payload,
                    qos=retained.qos,
                    retain=True,
                    timeout=OPERATION_TIMEOUT_S,
                )
                reraise_lost_cancel()
                continue
            item = self._outbox.take()
            if item is None:
                return
            try:
                await client.publish(
                    item.topic,
                    item.payload,
                    qos=item.qos,
                    retain=item.retain,
                    timeout=OPERATION_TIMEOUT_S,
                )
            except BaseException:
                if item.qos > 0:
                    self._outbox.put_back(item)  # at least once: resent after reconnect
                raise
            reraise_lost_cancel()

    async def _receive_loop(self, client: aiomqtt.Client) -> None:
        # Also how a dead link is noticed when nothing is being sent: the
        # iterator raises MqttError on disconnection.
        async for message in client.messages:
            await self._inbound.dispatch(message)
            reraise_lost_cancel()
        raise aiomqtt.MqttError("message stream ended")

    async def _goodbye(self, client: aiomqtt.Client, *, flush: bool) -> None:
        """Publish ``offline`` before a clean disconnect (which discards the will)."""
        try:
            async with asyncio.timeout(_GOODBYE_TIMEOUT_S):
                if flush:
                    await self._drain(client)
                await client.publish(
                    self._topics.status, OFFLINE, qos=1, retain=True, timeout=_GOODBYE_TIMEOUT_S
                )
        except _LINK_ERRORS as exc:
            failure = classify(exc, host=self._settings.host, port=self._settings.port)
            log.warning("mqtt_offline_not_published", reason=failure.reason)
        else:
            log.info("mqtt_offline_published", pending=self.pending)
