"""The broker goes away mid-session or comes back empty: coaching goes on, nothing is lost."""

from __future__ import annotations

import asyncio
import time
import uuid
from typing import TYPE_CHECKING

import aiomqtt
import pytest
from daemon_rig import BASE, Daemon, PersistentSubscriber, body, write_drill

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration

# The scenario: the broker is down for 30 s mid-session.
OUTAGE_S = 30.0
DRILL_REPEAT = 4  # 8 one-second steps: the whole session runs inside the outage


async def test_outage_mid_session_loses_no_cue_step_or_result(
    mosquitto: Mosquitto, tmp_path: Path
) -> None:
    """Broker down OUTAGE_S mid-session: cues still logged; afterwards all arrive, in order."""
    daemon = Daemon(tmp_path, mosquitto.url)
    drill = write_drill(daemon.state_dir, DRILL_REPEAT)
    daemon.start()
    client_id = f"dashboard-{uuid.uuid4().hex[:8]}"
    try:
        async with PersistentSubscriber(
            mosquitto.host, mosquitto.port, f"{BASE}/#", client_id
        ) as sub:
            await daemon.wait_log("mqtt_connected")
            async with aiomqtt.Client(mosquitto.host, mosquitto.port) as phone:
                # The broker goes just as the session starts: everything it issues is "during".
                await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
                await daemon.wait_log("command_applied")
            mosquitto.stop()
            down_at = time.time()
            await daemon.wait_log("mqtt_link_lost", timeout=10)
            await asyncio.sleep(OUTAGE_S)
            cues_in_outage = [c for c in daemon.log("cue") if c["kind"] != "session_end"]
            mosquitto.start()
            up_at = time.time()
            await daemon.wait_log("mqtt_connected", match=lambda d: d["connects"] >= 2, timeout=15)
            async with asyncio.timeout(20):
                while not sub.on(f"{BASE}/session/result"):
                    await asyncio.sleep(0.1)
            await asyncio.sleep(1.0)  # any duplicate would come now
        assert daemon.alive(), "the daemon lives through the outage"
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]

    logged = [c["id"] for c in daemon.log("cue")]
    assert len(cues_in_outage) >= DRILL_REPEAT * 2, "coaching went on: step cues in the log"
    cues = sub.on(f"{BASE}/session/cue")
    issued_during = [c for c in cues if down_at <= c["ts"] <= up_at]
    assert len(issued_during) >= DRILL_REPEAT * 2, "cues issued while the broker was down"
    received = list(dict.fromkeys(c["id"] for c in cues))  # a consumer drops duplicates by id
    assert received == logged, "every cue the coach gave arrives, in order"
    steps = list(dict.fromkeys(s["id"] for s in sub.on(f"{BASE}/session/step")))
    assert [int(s.rsplit("/", 1)[1]) for s in steps] == list(range(DRILL_REPEAT * 2))
    results = sub.on(f"{BASE}/session/result")
    assert len({r["session_id"] for r in results}) == 1
    assert down_at <= results[0]["ts"] <= up_at, "the result was issued during the outage"
    dupes = len(cues) - len(received)
    print(  # noqa: T201 - figures for the closing note (pytest -s)
        f"outage {OUTAGE_S} s: {len(issued_during)} cues issued meanwhile, {dupes} duplicates"
    )


async def test_broker_restarted_empty_gets_the_retained_state_again(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """After stop(wipe=True): status, session/state, session/result and discovery come back."""
    daemon = Daemon(tmp_path, mosquitto.url)
    drill = write_drill(daemon.state_dir, 1)
    daemon.start()
    retained = [
        f"{BASE}/status",
        f"{BASE}/session/state",
        f"{BASE}/session/result",
    ]
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            async with aiomqtt.Client(mosquitto.host, mosquitto.port) as phone:
                await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
            await sub.wait_for(topic=f"{BASE}/session/result", timeout=15)
        mosquitto.stop(wipe=True)
        mosquitto.start()
        await daemon.wait_log("mqtt_connected", match=lambda d: d["connects"] >= 2, timeout=15)
        # A newcomer sees only what the broker retains: the daemon must have sent it again.
        async with mqtt_subscriber(mosquitto, "#") as late:
            for topic in retained:
                m = await late.wait_for(topic=topic, match=lambda m: m.retain, timeout=10)
                assert m.payload
            discovery = await late.wait_for(
                match=lambda m: m.topic.startswith("homeassistant/device/") and m.retain,
                timeout=10,
            )
            state = body((await late.wait_for(topic=f"{BASE}/session/state")).payload)
            result = body((await late.wait_for(topic=f"{BASE}/session/result")).payload)
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]
    assert body(discovery.payload)["device"], "the Home Assistant device document"
    assert state["state"] == "finished"
    assert result["session_id"]
