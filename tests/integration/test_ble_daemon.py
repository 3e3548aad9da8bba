"""``hiitd scan``, ``pair`` and ``run`` on bleak's real BlueZ backend against the emulated BlueZ.

Scenarios 1, 2, 3, 8 and 9 (which device ``run`` takes) of issue 6. The daemon
is a subprocess pointed at the private bus by DBUS_SYSTEM_BUS_ADDRESS, with
short scan, watchdog and backoff settings.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import signal
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiomqtt
import pytest

from ble_emulator.devices import (
    FOOTPOD_ADDRESS,
    NO_CONTACT_FRAME,
    OTHER_STRAP_ADDRESS,
    OTHER_STRAP_NAME,
    STRAP_ADDRESS,
    ZERO_BPM_FRAME,
    footpod,
    strap,
)
from hiitd.store.db import Store
from hiitd_drivers.gatt.encode import encode_heart_rate

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


async def _start_session(sub: Subscriber, mosquitto: Mosquitto) -> str:
    """Start a workout over MQTT (as the runner's phone would); return the session id."""
    await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
    async with aiomqtt.Client(mosquitto.host, mosquitto.port) as phone:
        await phone.publish(f"{BASE}/cmd/start", b"gibala-10x60", qos=1)
    running = await sub.wait_for(
        topic=f"{BASE}/session/state", match=lambda m: _body(m)["state"] == "running"
    )
    session_id: str = _body(running)["session_id"]
    return session_id


async def _stop_session(sub: Subscriber, mosquitto: Mosquitto) -> None:
    async with aiomqtt.Client(mosquitto.host, mosquitto.port) as phone:
        await phone.publish(f"{BASE}/cmd/stop", b"", qos=1)
    await sub.wait_for(topic=f"{BASE}/session/result", timeout=20)


def _cues(sub: Subscriber) -> list[str]:
    return [_body(m)["kind"] for m in sub.on(f"{BASE}/session/cue")]


async def test_dropped_strap_reconnects_within_3_s_with_cues_and_a_recorded_gap(
    bluez: EmulatedBlueZ,
    hr_frames: list[dict[str, Any]],
    daemon_env: dict[str, str],
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
) -> None:
    """Scenario 3: link dropped, advertising again: hr within 3 s, lost/back cues, a gap."""
    sensor = bluez.add(strap(hr_frames))
    env = daemon_env | {"HIITD_MQTT__URL": mosquitto.url, "HIITD_BLE__FOOTPOD__ENABLED": "false"}
    hr = f"{BASE}/hr"
    async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
        daemon = await Daemon.start(env)
        try:
            session_id = await _start_session(sub, mosquitto)
            await sub.wait_for(topic=hr, match=lambda _m: len(sub.on(hr)) >= 10, timeout=10)
            sensor.drop_link()
            dropped_wall = time.time()
            await sub.wait_for(
                topic=f"{BASE}/session/cue", match=lambda m: _body(m)["kind"] == "sensor_lost"
            )
            await asyncio.sleep(2.0)  # hiitd keeps scanning; nothing advertises
            seen = len(sub.on(hr))
            sensor.set_available(available=True)
            await _next(sub, hr, after=seen, timeout=10)
            took = time.monotonic() - sensor.last_available_at
            back_wall = time.time()
            await sub.wait_for(
                topic=f"{BASE}/session/cue", match=lambda m: _body(m)["kind"] == "sensor_back"
            )
            await _stop_session(sub, mosquitto)
        finally:
            assert await daemon.stop() == 0, daemon.output[-3000:]
    print(f"\nscenario 3: available again -> first new hr message: {took:.2f} s")  # noqa: T201
    assert took < RECONNECT_LIMIT_S
    cues = _cues(sub)
    assert cues.index("sensor_lost") < cues.index("sensor_back")
    published = [_body(m)["ts"] for m in sub.on(hr)]
    assert not [t for t in published if dropped_wall + 0.2 < t < back_wall - RECONNECT_LIMIT_S]
    with Store.open(tmp_state(env)) as store:
        record = store.load(session_id)
    walls = [record.start_wall + p.t for p in record.hr]
    in_gap = [w for w in walls if dropped_wall + 0.2 < w < sensor_back_floor(back_wall, took)]
    assert not in_gap, "no held or invented values while the strap was away"
    gaps = [b - a for a, b in itertools.pairwise(walls)]
    assert max(gaps) >= 2.0, "the recording shows the gap"
    assert all(p.bpm is None or p.bpm > 0 for p in record.hr)


def tmp_state(env: dict[str, str]) -> Path:
    return Path(env["STATE_DIRECTORY"])


def sensor_back_floor(back_wall: float, took: float) -> float:
    """The wall time the strap became available again (``took`` before the first new hr)."""
    return back_wall - took


async def test_contact_loss_publishes_no_bpm_and_records_no_zero_or_stale_value(
    bluez: EmulatedBlueZ,
    hr_frames: list[dict[str, Any]],
    daemon_env: dict[str, str],
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
) -> None:
    """Scenario 8: no-contact and 0 bpm frames give bpm null (contact false); never 0 or held."""
    sensor = bluez.add(strap(hr_frames))
    env = daemon_env | {"HIITD_MQTT__URL": mosquitto.url, "HIITD_BLE__FOOTPOD__ENABLED": "false"}
    hr = f"{BASE}/hr"
    async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
        daemon = await Daemon.start(env)
        try:
            session_id = await _start_session(sub, mosquitto)
            await sub.wait_for(topic=hr, match=lambda _m: len(sub.on(hr)) >= 5, timeout=10)
            sensor.send(*[NO_CONTACT_FRAME] * 10, *[ZERO_BPM_FRAME] * 10)
            last_bad = await sub.wait_for(
                topic=hr,
                match=lambda _m: sum(_body(x)["bpm"] is None for x in sub.on(hr)) >= 20,
            )
            good = await _next(sub, hr, after=sub.on(hr).index(last_bad) + 1)
            await _stop_session(sub, mosquitto)
        finally:
            assert await daemon.stop() == 0, daemon.output[-3000:]
    bodies = [_body(m) for m in sub.on(hr)]
    no_contact = [b for b in bodies if b["contact"] is False]
    assert len(no_contact) == 10
    assert all(b["bpm"] is None and b["rr_ms"] == [] for b in no_contact)
    zero = [b for b in bodies if b["contact"] is None]
    assert len(zero) == 10
    assert all(b["bpm"] is None for b in zero), "0 bpm is no data"
    assert all(b["bpm"] != 0 for b in bodies)
    assert _body(good)["bpm"] is not None, "the next good frame is used"
    with Store.open(tmp_state(env)) as store:
        record = store.load(session_id)
    assert sum(p.bpm is None for p in record.hr) >= 20
    assert all(p.bpm != 0 for p in record.hr)


async def test_without_binding_run_takes_the_strongest_strap_and_says_so(
    bluez: EmulatedBlueZ,
    hr_frames: list[dict[str, Any]],
    daemon_env: dict[str, str],
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
) -> None:
    """Scenario 9: two straps, no binding: scan lists the strongest first; run logs its pick."""
    bluez.add(strap(hr_frames, rssi=-75))
    bluez.add(strap(hr_frames, address=OTHER_STRAP_ADDRESS, name=OTHER_STRAP_NAME, rssi=-50))
    code, out, err = await _cli(daemon_env, "scan", "--json", "--timeout", "1")
    assert code == 0, err
    assert [r["address"] for r in json.loads(out)] == [OTHER_STRAP_ADDRESS, STRAP_ADDRESS]
    env = daemon_env | {"HIITD_MQTT__URL": mosquitto.url, "HIITD_BLE__FOOTPOD__ENABLED": "false"}
    async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
        daemon = await Daemon.start(env)
        try:
            await sub.wait_for(topic=f"{BASE}/hr", timeout=20)
        finally:
            assert await daemon.stop() == 0, daemon.output[-3000:]
    events = [json.loads(line) for line in daemon.output.splitlines() if line.startswith("{")]
    picked = [e for e in events if e["event"] == "sensor_selected"]
    assert picked[0]["address"] == OTHER_STRAP_ADDRESS
    assert "strongest of 2" in picked[0]["why"]
    assert any(e["event"] == "sensor_unbound" for e in events), "and advises 'hiitd pair'"


async def test_a_faulty_or_spoofed_strap_is_not_believed_and_cannot_raise_the_max_hr(
    bluez: EmulatedBlueZ,
    hr_frames: list[dict[str, Any]],
    daemon_env: dict[str, str],
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
) -> None:
    """Issue 14: 65535 bpm frames are gaps (hr null, counted in diagnostics, never in a cue or
    the record); a jump to 235 bpm held cleanly gives the safety cue and only a +5 proposal."""
    sensor = bluez.add(strap(hr_frames))
    env = daemon_env | {
        "HIITD_MQTT__URL": mosquitto.url,
        "HIITD_BLE__FOOTPOD__ENABLED": "false",
        "HIITD_ATHLETE__AGE": "40",  # max HR estimated: 180 (Tanaka), ceiling 190
    }
    env.pop("HIITD_ATHLETE__MAX_HR")
    hr = f"{BASE}/hr"
    broken = encode_heart_rate(65535, contact=True)
    spoof = encode_heart_rate(235, contact=True, rr_raw=[261])  # 261/1024 s = 255 ms: 235 bpm
    async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
        daemon = await Daemon.start(env)
        try:
            session_id = await _start_session(sub, mosquitto)
            await sub.wait_for(topic=hr, match=lambda _m: len(sub.on(hr)) >= 5, timeout=10)
            sensor.send(*[broken] * 10)
            await sub.wait_for(
                topic=hr, match=lambda _m: sum("rejected" in _body(x) for x in sub.on(hr)) >= 10
            )
            sensor.send(*[spoof] * 120)  # 12 s at the strap's 10 Hz
            proposal = await sub.wait_for(topic=f"{BASE}/profile/max_hr_proposal", timeout=20)
            await sub.wait_for(
                topic=f"{BASE}/session/cue",
                match=lambda m: _body(m)["kind"] == "safety_hr_ceiling",
                timeout=20,
            )
            diagnostics = await sub.wait_for(
                topic=f"{BASE}/diagnostics",
                match=lambda m: "hr_range" in str(_body(m).get("sensors")),
                timeout=20,
            )
            await _stop_session(sub, mosquitto)
        finally:
            assert await daemon.stop() == 0, daemon.output[-3000:]
    bodies = [_body(m) for m in sub.on(hr)]
    rejected = [b for b in bodies if b.get("rejected") == ["hr_range"]]
    assert len(rejected) == 10
    assert all(b["bpm"] is None and b["rr_ms"] == [] for b in rejected)
    assert not [b for b in bodies if b["bpm"] is not None and b["bpm"] > 240]
    assert _body(diagnostics)["sensors"]["hr"]["rejected"]["hr_range"] >= 10
    assert any(b.get("rejected") == ["hr_jump"] for b in bodies), "the jump was held first"
    cues = [_body(m)["text"] for m in sub.on(f"{BASE}/session/cue")]
    assert not [c for c in cues if "65535" in c]
    assert any("above your estimated ceiling of 190" in c for c in cues)
    offer = _body(proposal)
    assert (offer["state"], offer["max_hr"], offer["observed"], offer["was"]) == (
        "proposed", 185, 235, 180,
    )  # fmt: skip
    learned = json.loads((tmp_state(env) / "learned.json").read_text(encoding="utf-8"))
    assert "max_hr" not in learned, "nothing changes until the runner confirms"
    assert learned["max_hr_proposal"]["max_hr"] == 185
    with Store.open(tmp_state(env)) as store:
        record = store.load(session_id)
    assert all(p.bpm is None or 25 <= p.bpm <= 240 for p in record.hr)
