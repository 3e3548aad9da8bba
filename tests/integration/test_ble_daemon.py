"""``hiitd scan``, ``pair`` and ``run`` on bleak's real BlueZ backend against the emulated BlueZ.

Scenarios 1, 2, 3, 8 and 9 (which device ``run`` takes) of issue 6. The daemon
is a subprocess pointed at the private bus by DBUS_SYSTEM_BUS_ADDRESS, with
short scan, watchdog and backoff settings.
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest

from ble_emulator.devices import (
    FOOTPOD_ADDRESS,
    STRAP_ADDRESS,
    footpod,
    strap,
)

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from ble_emulator import EmulatedBlueZ, PrivateBus

    from .conftest import Mosquitto, Received, Subscriber, SubscriberFactory

pytestmark = pytest.mark.integration

BASE = "hiitd/athlete"
RECONNECT_LIMIT_S = 3.0  # issue 6, scenario 3


def _env(tmp_path: Path, bus: PrivateBus, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    return (
        env
        | {
            "DBUS_SYSTEM_BUS_ADDRESS": bus.address,
            "STATE_DIRECTORY": str(tmp_path / "state"),
            "HIITD_LOG__FORMAT": "json",
            "HIITD_ATHLETE__MAX_HR": "190",
            "HIITD_ATHLETE__THRESHOLD_PACE": "4:16",
            "HIITD_COACH__COUNTDOWN_S": "0",
            "HIITD_COACH__SENSOR_LOST_S": "1",
            "HIITD_BLE__SCAN_TIMEOUT_S": "1.5",
            "HIITD_BLE__WATCHDOG_S": "1.5",
            "HIITD_BLE__BACKOFF_INITIAL_S": "0.2",
            "HIITD_BLE__BACKOFF_MAX_S": "0.5",
            "HIITD_BLE__CONNECT_TIMEOUT_S": "15",
        }
        | extra
    )


async def _cli(env: dict[str, str], *args: str) -> tuple[int, str, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hiitd", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    out, err = await asyncio.wait_for(proc.communicate(), 60)
    assert proc.returncode is not None
    return proc.returncode, out.decode(), err.decode()


class Daemon:
    """``hiitd run`` as a subprocess; ``output`` is its log once stopped.

    Asynchronous on purpose: the emulated BlueZ runs on the test's event loop,
    so a blocking wait here would leave the daemon's D-Bus calls unanswered.
    """

    def __init__(self, proc: asyncio.subprocess.Process) -> None:
        self.proc = proc
        self.output = ""

    @classmethod
    async def start(cls, env: dict[str, str]) -> Daemon:
        return cls(
            await asyncio.create_subprocess_exec(
                sys.executable,
                "-m",
                "hiitd",
                "run",
                env=env,
                stdout=asyncio.subprocess.PIPE,
                stderr=asyncio.subprocess.STDOUT,
            )
        )

    async def stop(self) -> int:
        if self.proc.returncode is None:
            self.proc.send_signal(signal.SIGTERM)
        out, _ = await asyncio.wait_for(self.proc.communicate(), 30)
        self.output = out.decode(errors="replace")
        assert self.proc.returncode is not None
        return self.proc.returncode


def _body(m: Received) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(m.payload)
    return doc


async def _next(sub: Subscriber, topic: str, *, after: int, timeout: float = 10) -> Received:
    """The first message on ``topic`` beyond the ``after`` already seen."""
    return await sub.wait_for(
        topic=topic, match=lambda m: sub.on(topic).index(m) >= after, timeout=timeout
    )


@pytest.fixture
async def daemon_env(
    bluez: EmulatedBlueZ, private_bus: PrivateBus, tmp_path: Path
) -> AsyncIterator[dict[str, str]]:
    """The environment of a daemon that talks to the emulated BlueZ."""
    del bluez  # running on the test's loop
    return _env(tmp_path, private_bus)


async def test_scan_lists_strap_and_footpod_with_roles_and_pair_binds_them(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]], daemon_env: dict[str, str]
) -> None:
    """Scenario 1: ``scan --json`` gives both with roles, strongest first; ``pair`` binds them."""
    bluez.add(strap(hr_frames))
    bluez.add(footpod())
    code, out, err = await _cli(daemon_env, "scan", "--json", "--timeout", "1")
    assert code == 0, err
    rows = json.loads(out)
    assert [(r["address"], r["role"]) for r in rows] == [
        (STRAP_ADDRESS, "hr"),
        (FOOTPOD_ADDRESS, "footpod"),
    ]
    code, out, err = await _cli(daemon_env, "pair", "--json", "--timeout", "1")
    assert code == 0, err
    doc = json.loads(out)
    assert doc["bindings"]["hr"]["address"] == STRAP_ADDRESS
    assert doc["bindings"]["footpod"]["address"] == FOOTPOD_ADDRESS
    assert STRAP_ADDRESS in Path(doc["file"]).read_text(encoding="utf-8")


async def test_strap_and_footpod_notifications_arrive_as_hr_and_footpod_messages(
    bluez: EmulatedBlueZ,
    hr_frames: list[dict[str, Any]],
    daemon_env: dict[str, str],
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
) -> None:
    """Scenario 2: hr messages carry the frames' bpm and RR; footpod messages the pod's speed."""
    bluez.add(strap(hr_frames))
    bluez.add(footpod())
    env = daemon_env | {"HIITD_MQTT__URL": mosquitto.url}
    async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
        daemon = await Daemon.start(env)
        try:
            await sub.wait_for(topic=f"{BASE}/hr", timeout=20)
            await sub.wait_for(topic=f"{BASE}/footpod", timeout=20)
            await sub.wait_for(topic=f"{BASE}/hr", match=lambda _m: len(sub.on(f"{BASE}/hr")) >= 5)
        finally:
            assert await daemon.stop() == 0, daemon.output[-3000:]
    hrs = [_body(m) for m in sub.on(f"{BASE}/hr")]
    first = hr_frames[0]
    assert hrs[0]["bpm"] == first["hr_bpm"]
    assert hrs[0]["rr_ms"] == pytest.approx([r * 1000 / 1024 for r in first["rr_1024"]], abs=1)
    assert hrs[0]["contact"] is True
    assert [h["bpm"] for h in hrs[:5]] == [f["hr_bpm"] for f in hr_frames[:5]]
    pod = _body(sub.on(f"{BASE}/footpod")[0])
    assert pod["speed_mps"] == pytest.approx(3.5, abs=0.01)
    assert pod["cadence_spm"] == 176
    assert "InProgress" not in daemon.output, "the two links never scan at the same time"
    assert any(m.payload == b"online" for m in sub.on(f"{BASE}/hr/availability"))
