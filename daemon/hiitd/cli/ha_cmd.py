"""``hiitd ha discovery|remove``: the Home Assistant device, shown or cleared.

``discovery`` prints the message ``hiitd run`` publishes (topic and payload);
``remove`` publishes an empty retained message on its topic, which makes Home
Assistant delete the device and its entities. A running daemon publishes the
device again at its next start or Home Assistant's next birth message, so stop
it first (``systemctl stop hiitd``) to keep the device away.
"""

from __future__ import annotations

import asyncio
import json
import sys
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import EX_OK, print_json, settings_from_args
from hiitd.coach.profile import profile_from_settings
from hiitd.runtime.ha_presence import DiscoveryMessage, discovery_message
from hiitd.store.workout_catalog import WorkoutCatalog

if TYPE_CHECKING:
    import argparse

    from hiitd.settings import Settings


def _message(settings: Settings) -> DiscoveryMessage:
    catalog = WorkoutCatalog(settings.storage.state_dir, profile_from_settings(settings.athlete))
    return discovery_message(settings, catalog, settings.ble.enabled_roles())


def cmd_ha(args: argparse.Namespace) -> int:
    """Show (``discovery``) or clear (``remove``) the Home Assistant device."""
    settings = settings_from_args(args)
    message = _message(settings)
    if args.ha_command == "discovery":
        if args.json:
            print_json({"topic": message.topic, "payload": message.document})
        else:
            sys.stdout.write(f"{message.topic}\n{json.dumps(message.document, indent=2)}\n")
        return EX_OK
    from hiitd.mqtt.oneshot import publish_once  # noqa: PLC0415 - only this action needs MQTT

    asyncio.run(publish_once(settings.mqtt, message.topic, b"", retain=True))
    if args.json:
        print_json({"topic": message.topic, "removed": True})
    else:
        sys.stdout.write(f"removed the Home Assistant device ({message.topic} cleared)\n")
    return EX_OK
