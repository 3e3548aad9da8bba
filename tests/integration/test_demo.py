"""``hiitd demo`` as a user runs it: a real process, a real mosquitto, SIGKILL at the end."""

from __future__ import annotations

import asyncio
import json
import os
import signal
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration

BASE = "hiitd/athlete"
HR_FIELDS = {"ts", "bpm", "rr_ms", "contact", "battery"}
FOOTPOD_FIELDS = {"ts", "speed_mps", "pace_s_per_km", "cadence_spm", "stride_m", "distance_m"}


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    env["STATE_DIRECTORY"] = str(tmp_path / "state")
    env["HIITD_LOG__FORMAT"] = "json"
    return env


def _spawn(args: list[str], tmp_path: Path) -> subprocess.Popen[bytes]:
    return subprocess.Popen(
        [sys.executable, "-m", "hiitd", *args],
        env=_env(tmp_path),
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
    )


async def test_demo_publishes_telemetry_and_the_will_fires_on_sigkill(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """Demo goes online, streams hr and footpod with the documented fields; SIGKILL -> offline."""
    async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
        proc = _spawn(["demo", "--broker", mosquitto.url, "--speed", "10", "--json"], tmp_path)
        try:
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            hr = await sub.wait_for(topic=f"{BASE}/hr", timeout=10)
            pod = await sub.wait_for(topic=f"{BASE}/footpod", timeout=10)
            await sub.wait_for(topic=f"{BASE}/hr/availability", payload=b"online", timeout=10)
            await sub.wait_for(topic=f"{BASE}/footpod/availability", payload=b"online")
            # Let a few simulated seconds pass so the runner is moving and HR is real.
            await asyncio.sleep(2)
        finally:
            proc.send_signal(signal.SIGKILL)
            _, err = proc.communicate(timeout=10)
        offline = await sub.wait_for(topic=f"{BASE}/status", payload=b"offline", timeout=10)

    assert proc.returncode == -signal.SIGKILL, err.decode()[-2000:]
    assert offline.retain or offline in sub.on(f"{BASE}/status")
    hr_body = json.loads(hr.payload)
    pod_body = json.loads(pod.payload)
    assert hr_body.keys() >= HR_FIELDS
    assert pod_body.keys() >= FOOTPOD_FIELDS
    bpms = [json.loads(m.payload)["bpm"] for m in sub.on(f"{BASE}/hr")]
    assert all(b is None or 40 <= b <= 220 for b in bpms), bpms
    assert any(b is not None for b in bpms)
    speeds = [json.loads(m.payload)["speed_mps"] for m in sub.on(f"{BASE}/footpod")]
    assert max(speeds) > 1.5, "the simulated runner should be running"
    rr = [r for m in sub.on(f"{BASE}/hr") for r in json.loads(m.payload)["rr_ms"]]
    assert rr, "RR intervals should be published"
    assert all(250 < r < 2000 for r in rr)


async def test_status_is_retained_for_late_subscribers(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """A dashboard that connects later still sees status online (retained)."""
    proc = _spawn(["demo", "--broker", mosquitto.url, "--speed", "5"], tmp_path)
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as first:
            await first.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            await first.wait_for(topic=f"{BASE}/hr", timeout=10)
            await asyncio.sleep(1.5)  # the terminal line comes at most once a second
        async with mqtt_subscriber(mosquitto, f"{BASE}/status") as late:
            msg = await late.wait_for(payload=b"online", timeout=5)
            assert msg.retain
    finally:
        proc.terminate()
        out, err = proc.communicate(timeout=15)
    # A clean stop (SIGTERM) publishes offline itself and exits 0.
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"HR" in out, "the human-readable demo prints live lines"
    async with mqtt_subscriber(mosquitto, f"{BASE}/status") as after:
        msg = await after.wait_for(payload=b"offline", timeout=5)
        assert msg.retain


def test_demo_starts_an_embedded_broker_when_none_answers(tmp_path: Path) -> None:
    """With nothing listening at --broker, the demo starts its own broker and says where."""
    proc = _spawn(
        ["demo", "--broker", "mqtt://127.0.0.1:1", "--speed", "20", "--duration", "30"], tmp_path
    )
    out, err = proc.communicate(timeout=60)
    assert proc.returncode == 0, err.decode()[-2000:]
    assert b"started one at mqtt://127.0.0.1:" in err
    assert b"HR" in out
