"""The coach through the real daemon and a real mosquitto: a demo session, and MQTT commands."""

from __future__ import annotations

import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING, Any

import pytest

from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

BASE = "hiitd/athlete"
DEMO_ARGS = ("--workout", "norwegian-4x4", "--speed", "50", "--sim-effort", "0.85")


def _env(tmp_path: Path, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    env |= {"STATE_DIRECTORY": str(tmp_path / "state"), "HIITD_LOG__FORMAT": "json"}
    env |= {
        "HIITD_ATHLETE__MAX_HR": "190",
        "HIITD_ATHLETE__RESTING_HR": "55",
        "HIITD_ATHLETE__THRESHOLD_PACE": "4:16",
    }
    return env | extra


def _body(m: Received) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(m.payload)
    return doc


async def test_demo_coaches_a_norwegian_4x4_to_the_end(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """A too-slow simulated runner hears countdowns, step starts and speed_up in work steps."""
    async with mqtt_subscriber(mosquitto, f"{BASE}/session/#") as sub:
        proc = subprocess.Popen(
            [sys.executable, "-m", "hiitd", "demo", "--broker", mosquitto.url, *DEMO_ARGS],
            env=_env(tmp_path),
            stdout=subprocess.PIPE,
            stderr=subprocess.PIPE,
        )
        try:
            result = await sub.wait_for(topic=f"{BASE}/session/result", timeout=150)
            await sub.wait_for(
                topic=f"{BASE}/session/state", match=lambda m: _body(m)["state"] == "finished"
            )
            await sub.wait_for(
                topic=f"{BASE}/session/cue", match=lambda m: _body(m)["kind"] == "session_end"
            )
        finally:
            if proc.poll() is None:
                proc.send_signal(signal.SIGTERM)
            out, err = proc.communicate(timeout=30)

    assert proc.returncode == 0, err.decode()[-3000:]
    assert result.retain or result.topic.endswith("result")
    states = [_body(m) for m in sub.on(f"{BASE}/session/state")]
    seen_states = {s["state"] for s in states}
    assert {"countdown", "running", "finished"} <= seen_states
    step_indices = sorted({s["step"]["index"] for s in states if s.get("step")})
    assert step_indices == list(range(10)), "warm-up, 4 x (work, recovery), cool-down"

    cues = [_body(m) for m in sub.on(f"{BASE}/session/cue")]
    kinds = [c["kind"] for c in cues]
    assert kinds.count("countdown") >= 12, "3-2-1 before each of the 4 work steps"
    assert "step_start" in kinds
    assert kinds.count("session_end") == 1
    work = {
        s["step"]["index"] for s in states if s.get("step") and s["step"]["intensity"] == "active"
    }
    speed_ups = [c for c in cues if c["kind"] == "speed_up"]
    assert speed_ups, "a runner at 85 % of the target pace must hear speed_up"
    assert {c["step_index"] for c in speed_ups} <= work, "corrections only in work steps"
    assert all(c["value"] < c["target"]["low"] for c in speed_ups)
    ids = [c["id"] for c in cues]
    assert len(ids) == len(set(ids)), "cue ids are unique"

    summaries = [_body(m) for m in sub.on(f"{BASE}/session/step")]
    assert len(summaries) == 10
    hard = [s for s in summaries if s["intensity"] == "active"]
    assert all(s["pct_below"] > 50 for s in hard), "the slow runner was mostly below target"
    assert b">> " in out, "the terminal shows the cues as spoken lines"


async def test_commands_over_mqtt_drive_the_session(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """start/pause/resume/stop over MQTT change session/state; bad commands get an error reply."""
    import aiomqtt  # noqa: PLC0415 - the test plays Home Assistant

    proc = subprocess.Popen(
        [sys.executable, "-m", "hiitd", "run", "--simulate"],
        env=_env(tmp_path, HIITD_MQTT__URL=mosquitto.url),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )
    try:
        async with (
            mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
            aiomqtt.Client(mosquitto.host, mosquitto.port) as ha,
        ):
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            idle = await sub.wait_for(topic=f"{BASE}/session/state", timeout=10)
            assert _body(idle)["state"] == "idle"

            async def command(action: str, payload: bytes = b"") -> dict[str, Any]:
                before = len(sub.on(f"{BASE}/cmd/result"))
                await ha.publish(f"{BASE}/cmd/{action}", payload, qos=1)
                reply = await sub.wait_for(
                    topic=f"{BASE}/cmd/result",
                    match=lambda m: sub.on(f"{BASE}/cmd/result").index(m) >= before,
                    timeout=10,
                )
                return _body(reply)

            bad = await command("pause")
            assert bad["ok"] is False
            assert "idle" in bad["error"] or "not running" in bad["error"]
            unknown = await command("start", b'{"workout": "no-such-workout"}')
            assert unknown["ok"] is False
            assert "no-such-workout" in unknown["error"]
            garbage = await command("start", b"{oops")
            assert garbage["ok"] is False
            assert "JSON" in garbage["error"]
            await ha.publish("hiitd/someone-else/cmd/start", b"tabata", qos=1)

            ok = await command("start", b"gibala-10x60")
            assert ok == {**ok, "action": "start", "ok": True, "error": None}
            await sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: (
                    _body(m)["state"] == "running" and _body(m)["workout"] == "gibala-10x60"
                ),
                timeout=20,
            )
            paused = await command("pause")
            assert paused["ok"] is True, paused
            await sub.wait_for(
                topic=f"{BASE}/session/state", match=lambda m: _body(m)["state"] == "paused"
            )
            assert (await command("resume"))["ok"] is True
            assert (await command("stop"))["ok"] is True
            await sub.wait_for(
                topic=f"{BASE}/session/state", match=lambda m: _body(m)["state"] == "finished"
            )
            result = await sub.wait_for(topic=f"{BASE}/session/result")
            assert _body(result)["workout"] == "gibala-10x60"
            replies = [_body(m) for m in sub.on(f"{BASE}/cmd/result")]
            assert all(r["action"] != "start" or r["ok"] for r in replies[3:])
            assert not any(
                _body(m).get("workout") == "tabata" for m in sub.on(f"{BASE}/session/state")
            ), "a command for another athlete is ignored"
    finally:
        proc.send_signal(signal.SIGTERM)
        _, err = proc.communicate(timeout=20)
    assert proc.returncode == 0, err.decode()[-3000:]
    with Store.open(tmp_path / "state") as store:
        logged = [(action, ok) for _, action, _, ok, _ in reversed(store.commands(20))]
    assert logged[:4] == [("pause", False), ("start", False), ("start", False), ("start", True)]
    assert ("stop", True) in logged, "every command is kept with its answer"
