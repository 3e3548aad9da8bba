"""A Raspberry Pi's wall clock, moved with libfaketime under the real daemon (issue 14).

A Pi has no real-time clock: it starts with a stale time and steps when NTP
syncs. libfaketime (Debian ``faketime``) moves the daemon's wall clock while
``FAKETIME_DONT_FAKE_MONOTONIC=1`` leaves its monotonic clock real, as NTP
does. Each test asserts what the runner would see and that nothing is lost.
"""

from __future__ import annotations

import asyncio
import json
import signal
import subprocess
import sys
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

import pytest
from daemon_rig import BASE, Daemon, daemon_env, recorded_session, store_sessions, write_drill

from hiitd.store.db import Store

if TYPE_CHECKING:
    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

DAY_S = 86400.0


@pytest.fixture(scope="module")
def libfaketime(request: pytest.FixtureRequest) -> str:
    """The libfaketime library (Debian package faketime): fail under CI=true, else skip."""
    found = sorted(str(p) for p in Path("/usr/lib").glob("*/faketime/libfaketime.so.1"))
    if not found:
        root = request.config.pluginmanager.get_plugin(
            str(Path(__file__).parents[1] / "conftest.py")
        )
        root.missing_part("libfaketime is not installed (apt-get install faketime)")  # type: ignore[union-attr]
    return found[0]


def _faked(lib: str, **fake: str) -> dict[str, str]:
    return {"LD_PRELOAD": lib, "FAKETIME_DONT_FAKE_MONOTONIC": "1", **fake}


def _body(m: Received) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(m.payload)
    return doc


def _hr_points(state_dir: Path, sid: str) -> int:
    with Store.open(state_dir) as store:
        return len(store.load(sid).hr)


def _retention_env(tmp_path: Path) -> dict[str, str]:
    # No timesyncd here: its folder absent means "unknown", the case of a Pi with
    # another NTP client; the guards below must hold without it.
    return {
        "HIITD_STORAGE__RETENTION_START_DELAY_S": "0",
        "HIITD_STORAGE__CLOCK_SYNC_FILE": str(tmp_path / "no-timesyncd" / "synchronized"),
    }


async def test_a_start_400_days_ahead_prunes_nothing(
    mosquitto: Mosquitto, libfaketime: str, tmp_path: Path
) -> None:
    """Started with the clock 400 days ahead: retention is deferred and every sample stays."""
    now = time.time()
    state = tmp_path / "state"
    store_sessions(
        state, recorded_session("old-1", now - 3 * DAY_S), recorded_session("new-1", now - 3600)
    )
    env = _retention_env(tmp_path) | _faked(libfaketime, FAKETIME="+400d")
    daemon = Daemon(tmp_path, mosquitto.url, env=env).start()
    try:
        deferred = await daemon.wait_log("retention_deferred")
    finally:
        assert daemon.stop() == 0, daemon.output()[-3000:]
    assert "more than a day beyond the newest session" in deferred["reason"]
    assert daemon.log("samples_pruned") == []
    assert _hr_points(state, "old-1") == _hr_points(state, "new-1") == 60
    csv = subprocess.run(
        [sys.executable, "-m", "hiitd", "sessions", "export", "old-1", "--format", "csv",
         "--output", str(tmp_path / "old.csv")],
        env=daemon_env(state, mosquitto.url), capture_output=True, timeout=60, check=False,
    )  # fmt: skip
    assert csv.returncode == 0, csv.stderr.decode()
    assert len((tmp_path / "old.csv").read_text(encoding="utf-8").splitlines()) > 60


async def test_a_true_clock_prunes_what_is_past_the_retention(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """The control: with the real clock, a 400-day-old session loses its raw samples."""
    now = time.time()
    state = tmp_path / "state"
    store_sessions(
        state, recorded_session("old-1", now - 400 * DAY_S), recorded_session("new-1", now - 3600)
    )
    daemon = Daemon(tmp_path, mosquitto.url, env=_retention_env(tmp_path)).start()
    try:
        pruned = await daemon.wait_log("samples_pruned")
    finally:
        assert daemon.stop() == 0, daemon.output()[-3000:]
    assert pruned["sessions"] == 1
    assert _hr_points(state, "old-1") == 0
    assert _hr_points(state, "new-1") == 60


async def test_a_normal_start_after_a_faked_one_does_not_believe_the_old_clock(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """Records written 400 days ahead, then a normal start: the clock is behind them, so no
    pruning, and diagnostics say why; the records are intact."""
    now = time.time()
    state = tmp_path / "state"
    store_sessions(state, recorded_session("future-1", now + 400 * DAY_S))
    daemon = Daemon(tmp_path, mosquitto.url, env=_retention_env(tmp_path)).start()
    try:
        deferred = await daemon.wait_log("retention_deferred")
    finally:
        assert daemon.stop() == 0, daemon.output()[-3000:]
    assert "behind the newest stored record" in deferred["reason"]
    assert _hr_points(state, "future-1") == 60


@pytest.mark.parametrize("step_while", ["running", "down"])
async def test_a_9_hour_step_and_a_sigkill_keep_the_run_its_real_length(
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
    libfaketime: str,
    tmp_path: Path,
    step_while: str,
) -> None:
    """NTP steps the clock 9 h during the session (or while the daemon is down), and it
    crashes: the session resumes, its moving time stays the real seconds, and a step seen
    while running moves the session's start to the corrected clock."""
    import aiomqtt  # noqa: PLC0415 - the test plays the runner's phone

    offset = tmp_path / "faketime"
    offset.write_text("+0\n", encoding="ascii")
    fake = _faked(libfaketime, FAKETIME_TIMESTAMP_FILE=str(offset), FAKETIME_NO_CACHE="1")
    drill = write_drill(tmp_path / "state", repeat=100)  # 200 s of 1 s steps
    started_real = time.time()
    async with (
        mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
        aiomqtt.Client(mosquitto.host, mosquitto.port) as phone,
    ):
        first = Daemon(tmp_path, mosquitto.url, env=fake).start()
        try:
            await first.wait_log("mqtt_connected")
            await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
            running = await sub.wait_for(
                topic=f"{BASE}/session/state", match=lambda m: _body(m)["state"] == "running"
            )
            session_id = _body(running)["session_id"]
            await asyncio.sleep(4)
            if step_while == "running":
                offset.write_text("+9h\n", encoding="ascii")  # NTP's first sync
                stepped = await first.wait_log("clock_stepped")
                assert stepped["step_s"] == pytest.approx(9 * 3600, abs=5)
                await asyncio.sleep(3)  # checkpoints after the step
        finally:
            first.stop(signal.SIGKILL)
        if step_while == "down":
            offset.write_text("+9h\n", encoding="ascii")
        second = Daemon(tmp_path, mosquitto.url, env=fake).start()
        try:
            resumed = await second.wait_log("session_resumed")
            await asyncio.sleep(2)
            await phone.publish(f"{BASE}/cmd/stop", b"", qos=1)
            result = await sub.wait_for(
                topic=f"{BASE}/session/result",
                match=lambda m: _body(m).get("session_id") == session_id,
                timeout=30,
            )
        finally:
            assert second.stop() == 0, second.output()[-3000:]
    assert resumed["session_id"] == session_id
    assert resumed["gap_s"] < 30, "the downtime is the real one, on the monotonic clock"
    real_s = time.time() - started_real
    body = _body(result)
    assert body["moving_s"] < real_s, "no 9 hours of running"
    with Store.open(tmp_path / "state") as store:
        record = store.load(session_id)
    if step_while == "running":
        assert record.start_wall > started_real + 8.9 * 3600, "filed under the corrected clock"
    assert max(p.t for p in record.hr) < real_s + 5
    gaps = [p for p in record.pauses if p.auto]
    assert gaps, "the downtime is recorded as a pause"
