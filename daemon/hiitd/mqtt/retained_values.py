"""The retained values the broker link holds, and which of them the broker still lacks. Pure.

A retained value is state (availability, the session's state, diagnostics), so
only the latest per topic matters: it is held for as long as the link lives and
sent again after every reconnect, because a broker restarted with empty state
must get it back.
"""

from __future__ import annotations

from hiitd.mqtt.send_queue import Outgoing


class RetainedValues:
    """The latest retained payload per topic, and the topics not yet sent since it changed."""

    def __init__(self) -> None:
        self._held: dict[str, tuple[bytes, int]] = {}
        # Topics whose latest value the broker has not acknowledged yet; a dict
        # is an ordered set, so they go out in the order they were set.
        self._unsent: dict[str, None] = {}

    def hold(self, topic: str, payload: bytes, qos: int) -> None:
        """Remember a value already sent by other means, to send again after a reconnect."""
        self._held[topic] = (payload, qos)

    def set(self, topic: str, payload: bytes, qos: int) -> None:
        """Hold ``payload`` as the value of ``topic`` and mark it to be sent."""
        self._held[topic] = (payload, qos)
        self._unsent[topic] = None

    def mark_all_unsent(self) -> None:
        """Send every held value again, in the order they were first set."""
        for topic in self._held:
            self._unsent[topic] = None

    def take_unsent(self) -> Outgoing | None:
        """Remove and return the next value to send (retained), or None when all were sent.

        Taken off before the caller's send: a newer value set meanwhile marks it
        unsent again. A failed send is re-marked by the next ``mark_all_unsent``.
        """
        if not self._unsent:
            return None
        topic = next(iter(self._unsent))
        del self._unsent[topic]
        payload, qos = self._held[topic]
        return Outgoing(topic, payload, qos, retain=True)
