"""The bounded outgoing queue between callers and the broker link. Pure.

Callers never wait: telemetry (QoS 0) is shed oldest-first when the queue is
full, counting what was dropped; QoS 1 messages are never dropped (what must
not be lost goes through the store's outbox too, docs/architecture.md "Data flow").
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message waiting for the broker."""

    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False


class Outbox:
    """FIFO of ``Outgoing``; ``limit`` bounds QoS 0 telemetry, never QoS 1."""

    def __init__(self, limit: int) -> None:
        if limit < 1:
            raise ValueError("outbox limit must be at least 1")
        self._limit = limit
        self._items: deque[Outgoing] = deque()
        self.dropped = 0
        """How many QoS 0 messages were shed because the queue was full."""

    def __len__(self) -> int:
        return len(self._items)

    def put(self, item: Outgoing) -> None:
        """Append ``item``; when full, shed the oldest QoS 0 message (maybe ``item``)."""
        self._items.append(item)
        if len(self._items) > self._limit:
            # When only QoS 1 is queued nothing is shed: grow past the limit
            # rather than lose one.
            self._shed_oldest_qos0()

    def _shed_oldest_qos0(self) -> bool:
        for index, queued in enumerate(self._items):
            if queued.qos == 0:
                del self._items[index]
                self.dropped += 1
                return True
        return False

    def take(self) -> Outgoing | None:
        """Remove and return the next message to send, or None when empty.

        The sender owns the message from here: a QoS 1 message that could not be
        sent goes back with ``put_back``; a QoS 0 one in flight is simply lost.
        """
        return self._items.popleft() if self._items else None

    def put_back(self, item: Outgoing) -> None:
        """Return an unsent message to the head of the queue (no limit applies)."""
        self._items.appendleft(item)
