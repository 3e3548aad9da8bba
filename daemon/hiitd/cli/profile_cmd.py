"""``hiitd profile show|confirm-max-hr``: the runner's max HR, its safety ceiling, a proposal.

``show`` reads the settings and ``learned.json``: the max HR in use and where
it comes from, the safety ceiling and its source (coach/ceiling.py), and a
proposed higher max HR waiting for confirmation. ``confirm-max-hr ID BPM``
confirms that proposal through the running daemon (it owns the profile):
exit 0 applied, 1 refused (why on stderr), 69 no broker or no daemon.
"""

from __future__ import annotations

import asyncio
import sys
from typing import TYPE_CHECKING, Any

from hiitd.cli.cli_support import EX_FAILURE, EX_OK, print_json, settings_from_args
from hiitd.coach.ceiling import safety_ceiling
from hiitd.coach.profile import profile_from_settings
from hiitd.store import learned_file

if TYPE_CHECKING:
    import argparse

    from hiitd.settings import Settings


def cmd_profile(args: argparse.Namespace) -> int:
    """Dispatch ``profile show`` and ``profile confirm-max-hr``."""
    settings = settings_from_args(args)
    if args.profile_command == "confirm-max-hr":
        return _confirm(settings, args)
    state_dir = settings.storage.state_dir
    profile = learned_file.apply(profile_from_settings(settings.athlete), state_dir)
    ceiling = safety_ceiling(settings.coach, profile)
    doc: dict[str, Any] = {
        "max_hr": profile.max_hr,
        "max_hr_source": "learned"
        if profile.max_hr_learned
        else ("estimate" if profile.max_hr_estimated else "athlete.max_hr"),
        "ceiling": ceiling.to_payload(),
        "proposal": learned_file.load(state_dir).proposal,
    }
    if args.json:
        print_json(doc)
        return EX_OK
    est = " (estimated)" if ceiling.estimated else ""
    sys.stdout.write(f"max HR {doc['max_hr']} bpm, from {doc['max_hr_source']}\n")
    sys.stdout.write(f"safety ceiling {ceiling.bpm} bpm{est}, from {ceiling.source}\n")
    proposal = doc["proposal"]
    if proposal is not None:
        sys.stdout.write(
            f"proposed max HR {proposal['max_hr']} bpm (seen {proposal['observed']}): "
            f"hiitd profile confirm-max-hr {proposal['id']} {proposal['max_hr']}\n"
        )
    return EX_OK


def _confirm(settings: Settings, args: argparse.Namespace) -> int:
    from hiitd.mqtt.command_call import ask_daemon  # noqa: PLC0415 - only this path talks MQTT
    from hiitd.mqtt.topics import Topics  # noqa: PLC0415

    topics = Topics(settings.mqtt.prefix, settings.athlete.id)
    body = {"proposal": args.proposal, "max_hr": args.max_hr}
    reply = asyncio.run(ask_daemon(settings.mqtt, topics, "confirm-max-hr", body))
    if args.json:
        print_json(reply)
    if reply.get("ok"):
        if not args.json:
            sys.stdout.write(
                f"max HR {args.max_hr} bpm confirmed: it applies from the next workout\n"
            )
        return EX_OK
    sys.stderr.write(f"hiitd: not confirmed: {reply.get('error')}\n")
    return EX_FAILURE
