"""Where every outgoing message goes: the durable outbox, the broker link, a printer.

Durable messages (cues, step summaries, results) go to the store's outbox and
are delivered from there until the broker acknowledges them
(runtime/durable_outbox.py); if the store is down they fall back to the link's
in-memory queue. Retained messages become the link's retained state (sent
again after every reconnect); the rest is published as it comes. The demo's
terminal sees every message too.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable, Iterable

    from hiitd.mqtt.broker_link import MqttLink
    from hiitd.runtime.durable_outbox import DurableOutbox
    from hiitd.runtime.telemetry import Outgoing


class Outlet:
    """Routes ``Outgoing`` messages; never blocks (the link queues, the outbox stores)."""

    def __init__(
        self,
        link: MqttLink,
        outbox: DurableOutbox,
        printer: Callable[[Outgoing], None] | None = None,
    ) -> None:
        self._link = link
        self._outbox = outbox
        self._printer = printer

    def send(self, messages: Iterable[Outgoing]) -> None:
        """Publish each message by its kind (see the module docstring)."""
        for out in messages:
            if out.durable and self._outbox.put(out):
                pass  # the outbox task delivers it, in order, until the broker acknowledges
            elif out.retain:
                self._link.set_retained(out.topic, out.payload, qos=out.qos)
            else:
                self._link.publish(out.topic, out.payload, qos=out.qos)
            if self._printer is not None:
                self._printer(out)

    def retain(self, topic: str, payload: bytes) -> None:
        """Keep ``payload`` as the retained state of ``topic`` (a chart, a plan, diagnostics)."""
        self._link.set_retained(topic, payload)
