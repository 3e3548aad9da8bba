"""The post-session analysis poisoned or hung: the result is out at once and stays out.

The analysis child is replaced through ``HIITD_ANALYSIS_MODULE`` (the one
injection point across the process boundary) by a stand-in from
``analysis_fakes/``: one whose metrics hold infinity, one that never answers.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import TYPE_CHECKING, Any

import aiomqtt
import pytest
from daemon_rig import BASE, Daemon, write_drill

from hiitd.store.db import Store

if TYPE_CHECKING:
    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration

FAKES = Path(__file__).resolve().parent / "analysis_fakes"


def _body(payload: bytes) -> dict[str, Any]:
    doc: dict[str, Any] = json.loads(payload)
    return doc


async def _session_with(
    fake: str,
    tmp_path: Path,
    mosquitto: Mosquitto,
    mqtt_subscriber: SubscriberFactory,
    *,
    timeout_s: float = 60,
) -> tuple[Daemon, list[dict[str, Any]]]:
    """Run a 4 s drill with the ``fake`` analysis, then start another; (daemon, results)."""
    env = {
        "HIITD_ANALYSIS_MODULE": fake,
        "PYTHONPATH": f"{FAKES}",
        "HIITD_STORAGE__ANALYSIS_TIMEOUT_S": f"{timeout_s:g}",
    }
    daemon = Daemon(tmp_path, mosquitto.url, env=env)
    drill = write_drill(daemon.state_dir, repeat=2)
    async with (
        mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
        aiomqtt.Client(mosquitto.host, mosquitto.port) as phone,
    ):
        daemon.start()
        try:
            await daemon.wait_log("mqtt_connected")
            await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
            await sub.wait_for(
                topic=f"{BASE}/session/cue",
                match=lambda m: _body(m.payload)["kind"] == "session_end",
                timeout=30,
            )
            await sub.wait_for(topic=f"{BASE}/session/result", timeout=10)
            await daemon.wait_log("session_saved", timeout=30)
            # Both fakes end in a warning: wait for it (the child is a fresh Python,
            # slow on a busy machine) before the next session and the stop.
            await daemon.wait_log("analysis_failed", timeout=60)
            # The daemon goes on: another session starts and is answered.
            await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
            await sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: _body(m.payload)["state"] == "running",
            )
            assert daemon.alive()
        finally:
            assert daemon.stop() == 0, daemon.output()[-3000:]
        results = [_body(m.payload) for m in sub.on(f"{BASE}/session/result")]
    return daemon, results


async def test_metrics_json_cannot_carry_leave_the_bare_result_and_the_daemon_running(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """The child's metrics hold infinity: the bare result (sent at the session's end) stands,
    the failure is a warning, and the daemon coaches the next session."""
    daemon, results = await _session_with("poisoned_analysis", tmp_path, mosquitto, mqtt_subscriber)
    first = results[0]
    assert first["analysed"] is False
    assert first["id"] == first["session_id"]
    assert not [r for r in results if r["session_id"] == first["session_id"] and r["analysed"]]
    failed = [d for d in daemon.log("analysis_failed") if "cannot be published" in d["error"]]
    assert failed, daemon.log("analysis_failed")
    assert failed[0]["level"] == "warning"
    with Store.open(daemon.state_dir) as store:
        summary = store.summary(first["session_id"])
        assert store.metrics(first["session_id"]) is None
    assert summary is not None
    assert summary["analysed"] is False


async def test_a_hung_analysis_is_killed_and_the_result_was_out_at_once(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """The child never answers: the bare result came at the session's end; the child is
    killed after the bounded time (2 s + a minute an hour), and the daemon goes on."""
    daemon, results = await _session_with(
        "hung_analysis", tmp_path, mosquitto, mqtt_subscriber, timeout_s=2
    )
    assert results[0]["analysed"] is False
    killed = [d for d in daemon.log("analysis_failed") if "took longer than" in d["error"]]
    assert killed, daemon.output()[-2000:]
    assert not [r for r in results if r["analysed"]]
