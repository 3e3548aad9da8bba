"""The Home Assistant discovery message of this daemon, as the daemon and ``hiitd ha`` see it.

One function builds it for both, so ``hiitd ha discovery --json`` prints exactly
what ``hiitd run`` publishes. Reads the workout catalogue (the select's options),
so it is not pure; the document itself is built by ``hiitd.mqtt.discovery``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hiitd import __version__
from hiitd.mqtt.discovery import config_topic, discovery_payload
from hiitd.mqtt.payloads import encode
from hiitd.mqtt.topics import Topics
from hiitd.plan.ladders import plan_names

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hiitd.settings import Settings
    from hiitd.workouts.catalog import WorkoutCatalog
    from hiitd_drivers.samples import Role


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
        workouts=[*catalog.names(), *plan_names(settings.plan.easy_run_min)],
        roles=roles,
    )
    return DiscoveryMessage(
        config_topic(settings.mqtt.discovery_prefix, settings.athlete.id), document
    )
