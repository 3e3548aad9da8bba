"""``hiitd health [ill|injured|ok] [--note TEXT]``: report or show the runner's health.

The report goes into the state directory's ``health.json`` (store/health_file.py),
the file the daemon's planner reads too; ``cmd/health`` does the same over MQTT.
Without a status: the current one, since when, and what the plan allows.
"""

from __future__ import annotations

import sys
import time
from datetime import datetime
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import EX_OK, print_json, settings_from_args
from hiitd.plan.eligibility import HealthStatus
from hiitd.store import health_file, plan_history

if TYPE_CHECKING:
    import argparse


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def _when(ts: float | None) -> str:
    return "-" if ts is None else datetime.fromtimestamp(ts).strftime("%Y-%m-%d %H:%M")  # noqa: DTZ006 - local time for the runner


def cmd_health(args: argparse.Namespace) -> int:
    """Report ill, injured or ok; or show the current status."""
    settings = settings_from_args(args)
    state_dir = settings.storage.state_dir
    now = time.time()
    if args.status is not None:
        health_file.report(state_dir, HealthStatus(args.status), now, args.note)
    gate, health = plan_history.eligibility(state_dir, settings.plan, settings.athlete, now)
    if args.json:
        print_json({**health.to_payload(), "eligibility": gate.to_payload()})
        return EX_OK
    note = health.to_payload()["note"]
    _out(
        f"health: {health.status.value} since {_when(health.since)}"
        + ("" if note is None else f" ({note})")
    )
    if not gate.plan_allowed:
        _out("plan: no training plan")
    elif not gate.hiit_allowed:
        _out("plan: no HIIT, easy running only")
    else:
        _out("plan: as planned")
    for reason in (*gate.reasons, *gate.notes):
        _out(f"  - {reason}")
    return EX_OK
