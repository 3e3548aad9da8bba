"""Home Assistant: the discovery message at start-up, and again whenever Home Assistant comes up.

Home Assistant publishes ``online`` on its status topic when it starts; its
MQTT integration then needs the discovery message and the retained state
again, in that order (docs/home-assistant.md). ``discovery_message`` builds
the message for both the daemon and ``hiitd ha``, so ``hiitd ha discovery
--json`` prints exactly what ``hiitd run`` publishes; it reads the workout
catalogue (the select's options), the document itself is built by
``hiitd.mqtt.discovery`` (pure).
"""

from __future__ import annotations

import asyncio
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Final

import structlog

from hiitd import __version__
from hiitd.errors import HiitdError
from hiitd.mqtt.discovery import config_topic, discovery_payload, ha_status_topic
from hiitd.mqtt.payloads import encode
from hiitd.mqtt.topics import Topics
from hiitd.plan.ladders import plan_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hiitd.mqtt.broker_link import MqttLink
    from hiitd.runtime.inbox import Inbox
    from hiitd.settings import Settings
    from hiitd.store.workout_catalog import WorkoutCatalog
    from hiitd_drivers.samples import Role

log = structlog.get_logger(__name__)

# Home Assistant restarts in tens of seconds; 10 s between announcements loses
# nothing, and bounds what a flood of "online" can make the daemon send.
ANNOUNCE_EVERY_S: Final = 10.0


class HomeAssistantPresence:
    """Keeps this daemon's Home Assistant device announced."""

    def __init__(
        self, inbox: Inbox, settings: Settings, catalog: WorkoutCatalog, link: MqttLink
    ) -> None:
        self._inbox = inbox
        self._settings = settings
        self._catalog = catalog
        self._link = link
        self._announced_at: float | None = None

    @property
    def status_topic(self) -> str:
        """Where Home Assistant says it is online."""
        return ha_status_topic(self._settings.mqtt.discovery_prefix)

    async def announce(self) -> None:
        """Publish (retained) the discovery message; a failure is logged, never raised."""
        roles = self._settings.ble.enabled_roles()
        try:  # reads the imported workouts (the select's options): off the loop
            message = await asyncio.to_thread(
                discovery_message, self._settings, self._catalog, roles
            )
        except (HiitdError, OSError, ValueError) as exc:
            log.warning("ha_discovery_failed", error=str(exc))
            return
        self._link.set_retained(message.topic, message.payload)

    async def run(self) -> None:
        """Home Assistant came (back) up: discovery first, then the state it shows.

        At most once per ``ANNOUNCE_EVERY_S``: every ``online`` of a burst
        within that window is one announcement at its end (a flood of ten-byte
        messages must not make the daemon republish megabytes).
        """
        while True:
            payload = await self._inbox.ha_status.get()
            if payload.strip() != b"online":
                continue
            await self._quiet_window()
            self._announced_at = asyncio.get_running_loop().time()
            log.info("ha_online", topic=self.status_topic)
            await self.announce()
            self._link.resend_retained()

    async def _quiet_window(self) -> None:
        """Until ``ANNOUNCE_EVERY_S`` after the last answered ``online``, drop what comes."""
        loop = asyncio.get_running_loop()
        if self._announced_at is None:
            return
        deadline = self._announced_at + ANNOUNCE_EVERY_S
        while (left := deadline - loop.time()) > 0:
            try:
                async with asyncio.timeout(left):
                    await self._inbox.ha_status.get()
            except TimeoutError:
                return


@dataclass(frozen=True, slots=True)
class DiscoveryMessage:
    """The retained device message: where, and what."""

    topic: str
    document: dict[str, Any]

    @property
    def payload(self) -> bytes:
        """The bytes published (compact JSON)."""
        return encode(self.document)


def discovery_message(
    settings: Settings, catalog: WorkoutCatalog, roles: Iterable[Role]
) -> DiscoveryMessage:
    """The device message for the configured athlete, sensors and workout catalogue."""
    topics = Topics(settings.mqtt.prefix, settings.athlete.id)
    document = discovery_payload(
        topics,
        athlete_name=settings.athlete.name,
        version=__version__,
        # The plan's rungs too: plan/next recommends them and the select must show them.
        workouts=[*catalog.names(), *plan_names()],
        roles=roles,
    )
    return DiscoveryMessage(
        config_topic(settings.mqtt.discovery_prefix, settings.athlete.id), document
    )
