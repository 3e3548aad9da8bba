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
import os
import signal
import time
from pathlib import Path

import pytest
from structlog.testing import capture_logs

from hiitd.cli.cli_support import EX_OK
from hiitd.cli.run_cmd import run_until_signal
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


@pytest.mark.timeout(30)  # without the resend this never ends
def test_a_stop_a_task_loses_is_sent_again_and_the_daemon_exits() -> None:
    """A task that loses SIGTERM's one cancellation (as ``asyncio.wait_for`` inside aiomqtt
    did once in a loaded CI run: ``mqtt_connected`` logged after ``signal_received``) is
    cancelled again, named in the log, and the process exits 0."""
    lost: list[str] = []

    async def stubborn() -> None:
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            lost.append("first stop")  # swallowed, on purpose
        await asyncio.sleep(3600)

    async def daemon() -> None:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(stubborn(), name="stubborn")
            tg.create_task(asyncio.sleep(3600), name="obedient")
            await asyncio.sleep(0.05)
            os.kill(os.getpid(), signal.SIGTERM)  # run_until_signal's handler is in place

    with capture_logs() as logs:
        assert run_until_signal(daemon(), resend_s=0.2) == EX_OK
    assert lost == ["first stop"]
    [resent] = [e for e in logs if e["event"] == "stop_resent"]
    assert resent["tasks"] == ["stubborn"]


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
