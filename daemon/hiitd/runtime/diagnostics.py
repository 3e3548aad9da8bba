"""The retained ``<base>/diagnostics``: what a runner's dashboard needs to trust the data.

One document, published when it changes: the session store's health (``store``
``ok`` or ``unavailable``, ``error``, ``failures``, ``consequence``), the wall
clock (``clock``: synchronized, unsynchronized or unknown; ``clock_note``: why
it is not believed, runtime/wall_clock.py), and per sensor the malformed
notifications and the values the plausibility gate did not believe, by reason
(``sensors``). A change in the store's health goes out
within half a second; counts that only grew, at most every ``COUNTS_EVERY_S``
(a faulty strap sends one a second, and the broker need not hear each).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Final

from hiitd.mqtt.payloads import encode

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.broker_link import MqttLink
    from hiitd.mqtt.topics import Topics
    from hiitd.runtime.recording_service import RecordingService
    from hiitd.runtime.telemetry import Telemetry

CHECK_EVERY_S: Final = 0.25
COUNTS_EVERY_S: Final = 10.0


class Diagnostics:
    """Gathers the diagnostics document and keeps it retained on the broker."""

    def __init__(
        self,
        recording: RecordingService,
        telemetry: Telemetry,
        link: MqttLink,
        topics: Topics,
        *,
        wall: Callable[[], float],
        monotonic: Callable[[], float],
    ) -> None:
        self._recording = recording
        self._telemetry = telemetry
        self._link = link
        self._topics = topics
        self._wall = wall
        self._monotonic = monotonic
        self._said_state: object = None
        self._said_counts: object = None
        self._said_at = -COUNTS_EVERY_S

    async def run(self) -> None:
        """Publish at start, then whenever something changed (counts at most every 10 s)."""
        while True:
            health = {**self._recording.health(), **self._recording.clock_view().to_payload()}
            state = (
                health["store"], health["error"], health["store_note"],
                health["clock"], health["clock_note"],
            )  # fmt: skip
            counts = self._telemetry.sensor_health()
            now = self._monotonic()
            counts_due = counts != self._said_counts and now - self._said_at >= COUNTS_EVERY_S
            if state != self._said_state or counts_due:
                self._said_state, self._said_counts, self._said_at = state, counts, now
                doc = {**health, "ts": self._wall(), "sensors": counts}
                self._link.set_retained(self._topics.diagnostics, encode(doc))
            await asyncio.sleep(CHECK_EVERY_S)
