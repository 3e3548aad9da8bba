"""Home Assistant: the discovery message at start-up, and again whenever Home Assistant comes up.

Home Assistant publishes ``online`` on its status topic when it starts; its
MQTT integration then needs the discovery message and the retained state
again, in that order (docs/home-assistant.md).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import structlog

from hiitd.errors import HiitdError
from hiitd.mqtt.discovery import ha_status_topic
from hiitd.mqtt.ha_device import discovery_message

if TYPE_CHECKING:
    from hiitd.mqtt.broker_link import MqttLink
    from hiitd.runtime.inbox import Inbox
    from hiitd.settings import Settings
    from hiitd.workouts.catalog import WorkoutCatalog

log = structlog.get_logger(__name__)


class HomeAssistantPresence:
    """Keeps this daemon's Home Assistant device announced."""

    def __init__(
        self, inbox: Inbox, settings: Settings, catalog: WorkoutCatalog, link: MqttLink
    ) -> None:
        self._inbox = inbox
        self._settings = settings
        self._catalog = catalog
        self._link = link

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
        """Home Assistant came (back) up: discovery first, then the state it shows."""
        while True:
            payload = await self._inbox.ha_status.get()
            if payload.strip() == b"online":
                log.info("ha_online", topic=self.status_topic)
                await self.announce()
                self._link.resend_retained()
