"""A stop is never lost: every long-running task ends when the daemon is stopped.

SIGTERM cancels the daemon's TaskGroup, which cancels each task once. A task
that swallows that one cancellation runs on and the daemon never exits: systemd
kills it after its stop timeout, mid-write. On Python 3.11 (Raspberry Pi OS
bookworm) ``asyncio.wait_for`` loses a cancellation that lands as the awaited
future completes (CPython gh-86296); these tests make that moment happen on
purpose rather than waiting for a loaded machine to find it.
"""

from __future__ import annotations

import ast
import asyncio
import time
from pathlib import Path

from hiitd.mqtt.topics import Topics
from hiitd.plan.plan_config import PlanConfig
from hiitd.runtime.plan_service import PlanService
from hiitd.settings import AthleteSettings

ROOT = Path(__file__).parents[2]


async def _settle() -> None:
    for _ in range(10):
        await asyncio.sleep(0)


async def test_a_stop_that_lands_as_the_plan_falls_due_still_stops_the_plan_service(
    tmp_path: Path,
) -> None:
    service = PlanService(
        None, PlanConfig(), time.time, outlet=None,  # type: ignore[arg-type]  # never published: no store
        topics=Topics("hiitd", "runner"), athlete=AthleteSettings(), state_dir=tmp_path,
    )  # fmt: skip
    task = asyncio.create_task(service.run())
    await _settle()  # the start-up work is done; it waits for the next reason to work
    service.refresh()  # a session stored ...
    task.cancel()  # ... and SIGTERM, in the same turn of the loop
    await asyncio.wait({task}, timeout=10)  # generous: a lost stop never ends at all
    assert task.cancelled(), "the plan service ran on after it was stopped"


def _wait_for_calls(path: Path) -> list[str]:
    return [
        f"{path.relative_to(ROOT)}:{node.lineno}"
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8")))
        if isinstance(node, ast.Attribute)
        and node.attr == "wait_for"
        and isinstance(node.value, ast.Name)
        and node.value.id == "asyncio"
    ]


def test_no_long_running_code_uses_asyncio_wait_for() -> None:
    """``asyncio.wait_for`` loses stops on 3.11; ``asyncio.timeout`` does not."""
    offenders = [
        where
        for folder in ("daemon", "drivers")
        for path in sorted((ROOT / folder).rglob("*.py"))
        for where in _wait_for_calls(path)
    ]
    assert offenders == [], "use asyncio.timeout, not asyncio.wait_for: " + ", ".join(offenders)
