"""The daemon killed with SIGKILL mid-session and started again, as systemd would."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING, Any

import pytest

from hiitd.record.session_record import SessionStatus
from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

BASE = "hiitd/athlete"
MAX_LOST_S = 5.0  # docs/architecture.md, Principles 1: at most the last few seconds of samples


def _env(tmp_path: Path, url: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    return env | {
        "STATE_DIRECTORY": str(tmp_path / "state"),
        "HIITD_LOG__FORMAT": "json",
        "HIITD_MQTT__URL": url,
        "HIITD_ATHLETE__MAX_HR": "190",
        "HIITD_ATHLETE__THRESHOLD_PACE": "4:16",
        "HIITD_COACH__COUNTDOWN_S": "0",
    }


def _daemon(tmp_path: Path, url: str) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hiitd", "run", "--simulate"],
        env=_env(tmp_path, url),
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )


def _body(m: Received) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(m.payload)
    return doc


async def _outbox_drained(state_dir: Path, *, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        with Store.open(state_dir) as store:
            if store.pending_count() == 0:
                return
        await asyncio.sleep(0.2)


async def test_sigkill_mid_session_then_restart_continues_the_session(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """After SIGKILL and a restart the same session goes on; <= 5 s of samples are lost."""
    import aiomqtt  # noqa: PLC0415 - the test plays the runner's phone

    async with (
        mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
        aiomqtt.Client(mosquitto.host, mosquitto.port) as phone,
    ):
        first = _daemon(tmp_path, mosquitto.url)
        try:
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            await phone.publish(f"{BASE}/cmd/start", b"gibala-10x60", qos=1)
            running = await sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: _body(m)["state"] == "running",
                timeout=10,
            )
            session_id = _body(running)["session_id"]
            await asyncio.sleep(8)  # a few checkpoints of running
            hr_before = [_body(m)["ts"] for m in sub.on(f"{BASE}/hr")]
        finally:
            first.send_signal(signal.SIGKILL)
            first.communicate(timeout=10)
        killed_at = time.time()
        await sub.wait_for(topic=f"{BASE}/status", payload=b"offline", timeout=10)

        second = _daemon(tmp_path, mosquitto.url)
        try:
            resumed = await sub.wait_for(
                topic=f"{BASE}/session/cue",
                match=lambda m: _body(m)["kind"] == "resumed",
                timeout=15,
            )
            after = await sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: _body(m)["ts"] > killed_at and _body(m)["state"] == "running",
            )
            await sub.wait_for(
                topic=f"{BASE}/hr",
                match=lambda m: sum(_body(x)["ts"] > killed_at for x in sub.on(f"{BASE}/hr")) >= 3,
            )
            await phone.publish(f"{BASE}/cmd/stop", b"", qos=1)
            result = await sub.wait_for(topic=f"{BASE}/session/result", timeout=20)
            cues = [_body(m)["kind"] for m in sub.on(f"{BASE}/session/cue")]
            # The subscriber can see the result a moment before the daemon has the
            # broker's PUBACK for it (then it is marked delivered): allow for that.
            await _outbox_drained(tmp_path / "state", timeout=10)
        finally:
            second.send_signal(signal.SIGTERM)
            _, err = second.communicate(timeout=20)
    assert second.returncode == 0, err.decode()[-3000:]

    assert _body(after)["session_id"] == session_id, "the same session continues"
    assert "restart" in _body(resumed)["text"].lower()
    assert _body(result)["session_id"] == session_id
    assert cues[-1] == "session_end", "the result comes after the session's last cue"

    with Store.open(tmp_path / "state") as store:
        assert store.integrity_check() == "ok"
        assert store.pending(10) == [], "the outbox is drained"
        record = store.load(session_id)
    assert record.status in {SessionStatus.STOPPED, SessionStatus.FINISHED}
    stored_walls = [record.start_wall + p.t for p in record.hr]
    before_kill = [w for w in stored_walls if w <= killed_at]
    lost = max(hr_before) - max(before_kill)
    assert lost <= MAX_LOST_S, f"{lost:.1f} s of heart rate lost at the kill"
    after_kill = [w for w in stored_walls if w > killed_at]
    assert after_kill, "samples after the restart are recorded in the same session"
