"""``hiitd run`` as systemd runs it: notify protocol, watchdog pings, clean stop on SIGTERM."""

from __future__ import annotations

import json
import os
import signal
import socket
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration

BASE = "hiitd/athlete"


def _recv_until(sock: socket.socket, wanted: bytes, timeout: float) -> list[bytes]:
    got: list[bytes] = []
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        sock.settimeout(max(0.01, deadline - time.monotonic()))
        try:
            msg = sock.recv(4096)
        except TimeoutError:
            break
        got.append(msg)
        if wanted in msg:
            return got
    raise AssertionError(f"no {wanted!r} from the daemon within {timeout} s; got {got}")


async def test_run_notifies_systemd_and_stops_cleanly(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """READY=1, WATCHDOG=1 pings, then STOPPING=1, offline and exit 0 on SIGTERM."""
    notify = tmp_path / "notify.sock"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
        sock.bind(str(notify))
        env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
        env |= {
            "NOTIFY_SOCKET": str(notify),
            "WATCHDOG_USEC": "1000000",  # 1 s: pings every 0.5 s
            "STATE_DIRECTORY": str(tmp_path / "state"),
            "HIITD_MQTT__URL": mosquitto.url,
        }
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
            proc = subprocess.Popen(
                [sys.executable, "-m", "hiitd", "run", "--simulate"],
                env=env,
                stdout=subprocess.PIPE,
                stderr=subprocess.PIPE,
            )
            try:
                ready = _recv_until(sock, b"READY=1", 15)
                pings = _recv_until(sock, b"WATCHDOG=1", 3)
                pings += _recv_until(sock, b"WATCHDOG=1", 3)
                await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=10)
                await sub.wait_for(topic=f"{BASE}/hr", timeout=10)
            finally:
                proc.send_signal(signal.SIGTERM)
                _, err = proc.communicate(timeout=20)
            stopping = _recv_until(sock, b"STOPPING=1", 5)
            offline = await sub.wait_for(topic=f"{BASE}/status", payload=b"offline", timeout=5)

    assert proc.returncode == 0, err.decode()[-3000:]
    assert any(b"READY=1" in m for m in ready)
    assert sum(m.count(b"WATCHDOG=1") for m in pings) >= 2
    assert stopping
    assert offline.payload == b"offline"
    # journald gets JSON lines (stderr is not a terminal), each with an event name.
    lines = [json.loads(line) for line in err.decode().splitlines() if line.startswith("{")]
    assert any(line["event"] == "hiitd_starting" for line in lines)
    assert all("event" in line and "level" in line for line in lines)


def test_bad_config_exits_78_naming_the_key(tmp_path: Path) -> None:
    """hiitd run with a bad config value stops at once with exit 78 and the key named."""
    cfg = tmp_path / "hiitd.toml"
    cfg.write_text('[mqtt]\nurl = "http://broker"\n', encoding="utf-8")
    proc = subprocess.run(
        [sys.executable, "-m", "hiitd", "run", "--config", str(cfg)],
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert proc.returncode == 78
    assert b"mqtt.url" in proc.stderr
