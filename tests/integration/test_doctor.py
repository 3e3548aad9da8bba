"""``hiitd doctor`` against the emulated BlueZ, a real mosquitto and a running daemon.

Each check is seen passing and failing, with its one-line fix, in text and JSON.
The CLI runs as a subprocess on the test's event loop (the emulated BlueZ answers
D-Bus on that loop, so nothing here may block it).
"""

from __future__ import annotations

import asyncio
import json
import os
import signal
import sys
from typing import TYPE_CHECKING, Any

import pytest

from ble_emulator.devices import FOOTPOD_ADDRESS, STRAP_ADDRESS, footpod, strap

if TYPE_CHECKING:
    from pathlib import Path

    from ble_emulator import EmulatedBlueZ, PrivateBus

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration

BASE = "hiitd/athlete"


def _env(tmp_path: Path, bus: PrivateBus, url: str, **extra: str) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    return (
        env
        | {
            "DBUS_SYSTEM_BUS_ADDRESS": bus.address,
            "STATE_DIRECTORY": str(tmp_path / "state"),
            "HIITD_MQTT__URL": url,
            "HIITD_LOG__FORMAT": "json",
            "HIITD_ATHLETE__MAX_HR": "190",
            "HIITD_STORAGE__CLOCK_SYNC_FILE": str(tmp_path / "timesync" / "synchronized"),
            "HIITD_BLE__SCAN_TIMEOUT_S": "1.5",
            "HIITD_BLE__WATCHDOG_S": "1.5",
            "HIITD_BLE__BACKOFF_INITIAL_S": "0.2",
            "HIITD_BLE__BACKOFF_MAX_S": "0.5",
        }
        | extra
    )


async def _hiitd(env: dict[str, str], *args: str) -> tuple[int, str]:
    proc = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hiitd", *args, env=env,
        stdout=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE,
    )  # fmt: skip
    async with asyncio.timeout(90):
        out, err = await proc.communicate()
    assert proc.returncode is not None
    return proc.returncode, out.decode() + err.decode()


async def _doctor(env: dict[str, str]) -> tuple[int, dict[str, dict[str, Any]]]:
    code, out = await _hiitd(env, "doctor", "--json", "--scan-timeout", "1.5")
    doc = json.loads(out.splitlines()[-1])
    assert doc["ok"] is (code == 0)
    return code, {c["name"]: c for c in doc["checks"]}


async def test_the_radio_the_sensors_and_the_profile_pass_and_fail_with_their_fixes(
    bluez: EmulatedBlueZ,
    private_bus: PrivateBus,
    mosquitto: Mosquitto,
    hr_frames: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    env = _env(tmp_path, private_bus, mosquitto.url)
    (tmp_path / "timesync").mkdir()  # the folder without the flag: not synchronised yet
    code, checks = await _doctor(env)
    assert code == 1
    assert checks["bluez"]["status"] == "ok"
    assert checks["adapter"]["status"] == "ok"
    assert checks["broker"]["status"] == "ok"
    assert (checks["clock"]["status"], checks["clock"]["fix"]) == (
        "fail",
        "sudo timedatectl set-ntp true; check the network",
    )
    assert checks["sensor_hr"]["status"] == "fail"
    assert checks["sensor_hr"]["fix"] == "wear/wake it, then: sudo -u hiitd hiitd pair"
    assert checks["profile"]["status"] == "fail"  # no threshold pace: 7 workouts refused
    assert "a pace target needs a threshold pace: 10-20-30" in checks["profile"]["detail"]
    assert checks["daemon"]["status"] == "fail"
    assert checks["home_assistant"]["status"] == "fail"

    bluez.add(strap(hr_frames))
    bluez.add(footpod())
    code, out = await _hiitd(env, "pair", "--timeout", "1.5")
    assert code == 0, out
    (tmp_path / "timesync" / "synchronized").touch()
    env["HIITD_ATHLETE__THRESHOLD_PACE"] = "4:16"
    _, checks = await _doctor(env)
    assert checks["clock"]["status"] == "ok"
    assert checks["profile"]["status"] == "ok"
    assert checks["sensor_hr"] == {
        "name": "sensor_hr", "status": "ok", "detail": f"bound to {STRAP_ADDRESS}, advertising",
        "fix": "",
    }  # fmt: skip
    assert checks["sensor_footpod"]["detail"] == f"bound to {FOOTPOD_ADDRESS}, advertising"

    bluez.power_off()
    code, out = await _hiitd(env, "doctor", "--scan-timeout", "1")
    assert code == 1
    lines = out.splitlines()
    at = next(i for i, line in enumerate(lines) if line.startswith("fail  adapter"))
    assert "hci0 is powered off" in lines[at]
    assert lines[at + 1].strip() == "fix: bluetoothctl power on (and sudo rfkill unblock bluetooth)"
    assert any(line.startswith("skip  sensor_hr") for line in lines)


async def test_without_bluez_or_broker_each_says_what_to_do(
    private_bus: PrivateBus, tmp_path: Path
) -> None:
    """A bus without BlueZ, a broker that is not there: failures with their fixes."""
    env = _env(
        tmp_path, private_bus, "mqtt://127.0.0.1:1",
        HIITD_VOICE__ENABLED="true", HIITD_VOICE__OUTPUT="hdmi-nowhere",
    )  # fmt: skip
    code, checks = await _doctor(env)
    assert code == 1
    assert checks["bluez"]["status"] == "fail"
    assert checks["bluez"]["detail"] == "BlueZ (bluetoothd) is not running"
    assert "systemctl enable --now bluetooth" in checks["bluez"]["fix"]
    assert checks["adapter"]["status"] == "skip"
    assert checks["broker"]["status"] == "fail"
    assert "connection refused" in checks["broker"]["detail"]
    assert checks["broker"]["fix"]
    assert checks["daemon"]["status"] == "skip"
    assert checks["state_dir"]["status"] == "fail"  # nothing made it yet
    assert checks["state_dir"]["fix"].startswith("sudo ./dev install")
    voice = checks["voice"]
    assert voice["status"] == "fail"
    assert voice["detail"].startswith("voice.output: no ALSA device 'hdmi-nowhere'; devices found:")
    assert voice["fix"] == "hiitd voice test; see docs/audio.md"


async def test_with_the_daemon_running_the_sensors_are_asked_of_it(  # noqa: PLR0917 - fixtures
    bluez: EmulatedBlueZ,
    private_bus: PrivateBus,
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
    hr_frames: list[dict[str, Any]],
    tmp_path: Path,
) -> None:
    """A connected strap stops advertising: the doctor asks the daemon, not the air."""
    bluez.add(strap(hr_frames))
    bluez.add(footpod())
    env = _env(tmp_path, private_bus, mosquitto.url, HIITD_ATHLETE__THRESHOLD_PACE="4:16")
    code, out = await _hiitd(env, "pair", "--timeout", "1.5")
    assert code == 0, out
    daemon = await asyncio.create_subprocess_exec(
        sys.executable, "-m", "hiitd", "run", env=env,
        stdout=asyncio.subprocess.DEVNULL, stderr=asyncio.subprocess.DEVNULL,
    )  # fmt: skip
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
            for role in ("hr", "footpod"):
                await sub.wait_for(
                    topic=f"{BASE}/{role}/availability", payload=b"online", timeout=30
                )
        _, checks = await _doctor(env)
    finally:
        daemon.send_signal(signal.SIGTERM)
        async with asyncio.timeout(30):
            await daemon.wait()
    assert checks["daemon"]["status"] == "ok"
    assert checks["sensor_hr"]["detail"] == "the strap is connected to the daemon"
    assert checks["sensor_footpod"]["detail"] == "the footpod is connected to the daemon"
    assert checks["home_assistant"]["status"] == "ok"
