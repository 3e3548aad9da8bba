"""``cmd/health`` through the real daemon and a real mosquitto: the report kept, plan/next changed.

A valid report (ill, then ok) changes ``health.json`` and the retained
``plan/next`` (no running while ill; easy days after ok); a bad one gets an
error on ``cmd/result`` naming what was wrong, and changes nothing. A report
from ``hiitd health`` (the same file) reaches ``plan/next`` within seconds.
"""

from __future__ import annotations

import asyncio
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import aiomqtt
import pytest
from daemon_rig import BASE, Daemon, body, daemon_env

from hiitd.plan.eligibility import HealthStatus
from hiitd.store import health_file

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

RESULT = f"{BASE}/cmd/result"
PLAN = f"{BASE}/plan/next"


def _reply(request_id: str) -> Any:
    return lambda m: body(m.payload).get("id") == request_id


def _error(got: str) -> Any:
    return lambda m: f"got '{got}'" in (body(m.payload).get("error") or "")


def _health(status: str) -> Any:
    def match(m: Received) -> bool:
        return (body(m.payload).get("health") or {}).get("status") == status

    return match


async def test_cmd_health_changes_the_plan_and_bad_reports_are_answered(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """ill: no running; ok: easy days first; a bad report: an error naming it, nothing kept."""
    daemon = Daemon(tmp_path, mosquitto.url, env={"HIITD_ATHLETE__AGE": "35"}).start()
    state_dir = tmp_path / "state"
    try:
        async with (
            mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
            aiomqtt.Client(mosquitto.host, mosquitto.port) as phone,
        ):
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            first = body((await sub.wait_for(topic=PLAN, match=_health("ok"), timeout=15)).payload)

            await phone.publish(
                f"{BASE}/cmd/health", b'{"status": "ill", "note": "flu", "id": "h1"}', qos=1
            )
            ill_reply = body((await sub.wait_for(topic=RESULT, match=_reply("h1"))).payload)
            ill = body((await sub.wait_for(topic=PLAN, match=_health("ill"), timeout=10)).payload)

            await phone.publish(f"{BASE}/cmd/health", b'{"status": "sick", "id": "h2"}', qos=1)
            # A report that cannot be parsed has no id to echo: matched by its error.
            bad = body((await sub.wait_for(topic=RESULT, match=_error("sick"))).payload)
            await phone.publish(f"{BASE}/cmd/health", b"better", qos=1)
            empty = body((await sub.wait_for(topic=RESULT, match=_error("better"))).payload)
            kept_while_ill = health_file.load(state_dir)

            await phone.publish(f"{BASE}/cmd/health", b"ok", qos=1)
            back = lambda m: _health("ok")(m) and body(m.payload)["health"]["since"] is not None  # noqa: E731
            ok = body((await sub.wait_for(topic=PLAN, match=back, timeout=10)).payload)

            # The command line writes the same file; the daemon notices it (HEALTH_POLL_S).
            cli = await asyncio.to_thread(
                subprocess.run,
                [sys.executable, "-m", "hiitd", "health", "injured", "--note", "knee"],
                env=daemon_env(state_dir, mosquitto.url),
                capture_output=True,
                text=True,
                timeout=60,
                check=False,
            )
            assert cli.returncode == 0, cli.stderr
            injured = body(
                (await sub.wait_for(topic=PLAN, match=_health("injured"), timeout=15)).payload
            )
        assert daemon.alive()
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]

    assert first["eligibility"]["plan_allowed"] is True
    assert ill_reply["ok"] is True, ill_reply
    assert (ill["workout"], ill["kind"]) == (None, "rest")
    assert ill["health"]["note"] == "flu"
    assert "no running until you report ok" in ill["why"][0]
    assert bad["ok"] is False
    assert "status must be one of ill, injured, ok, got 'sick'" in bad["error"]
    assert empty["ok"] is False
    assert "status must be one of ill, injured, ok, got 'better'" in empty["error"]
    assert [r.status for r in kept_while_ill.history] == [HealthStatus.ILL], "bad ones kept nothing"
    assert ok["kind"] != "rest"
    assert ok["eligibility"]["hiit_allowed"] is False
    assert "back from being ill" in " ".join(ok["why"])
    assert "health: injured since" in cli.stdout
    assert injured["workout"] is None
    assert injured["health"]["note"] == "knee"
    assert [r.status for r in health_file.load(state_dir).history] == [
        HealthStatus.ILL,
        HealthStatus.OK,
        HealthStatus.INJURED,
    ]
