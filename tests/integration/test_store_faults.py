"""The state directory unusable (as if read-only or full): said clearly, coaching goes on.

Tests run as root in CI, and root writes through ``chmod``; a tiny tmpfs or a
loop mount needs privileges a CI runner lacks. So the database path is made
unusable the way the store's unit tests do it: ``hiitd.sqlite3`` is a
directory, which SQLite cannot open, the same failure (``StoreError`` at open
and at every checkpoint) a read-only or full disk gives. A full disk mid-write
is covered in-process by ``tests/unit/test_store_errors.py`` (``max_page_count``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING

import aiomqtt
import pytest
from daemon_rig import BASE, Daemon, body, write_drill

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration


async def test_unusable_store_is_reported_and_coaching_goes_on(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """Store unavailable: logged, on retained diagnostics; the session runs to its result."""
    daemon = Daemon(tmp_path, mosquitto.url)
    drill = write_drill(daemon.state_dir, 2)
    (daemon.state_dir / "hiitd.sqlite3").mkdir()
    daemon.start()
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
            diag = await sub.wait_for(topic=f"{BASE}/diagnostics", timeout=15)
            async with aiomqtt.Client(mosquitto.host, mosquitto.port) as phone:
                await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
            reply = await sub.wait_for(topic=f"{BASE}/cmd/result")
            result = await sub.wait_for(topic=f"{BASE}/session/result", timeout=20)
            await asyncio.sleep(1.0)
            cues = [body(m.payload)["kind"] for m in sub.on(f"{BASE}/session/cue")]
        async with mqtt_subscriber(mosquitto, f"{BASE}/diagnostics") as late:
            kept = await late.wait_for(topic=f"{BASE}/diagnostics", match=lambda m: m.retain)
        assert daemon.alive()
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]

    doc = body(diag.payload)
    assert body(kept.payload)["store"] == "unavailable", "retained for whoever looks later"
    assert doc["store"] == "unavailable"
    assert "hiitd.sqlite3" in doc["error"]
    logged = daemon.log("store_unavailable")
    assert logged, "a clear error in the log"
    assert logged[0]["level"] == "error"
    assert "coaching continues" in logged[0]["consequence"]
    assert body(reply.payload)["ok"] is True
    assert cues.count("step_start") >= 4, "coached in memory"
    assert cues[-1] == "session_end"
    assert body(result.payload)["session_id"]
    assert "Traceback" not in daemon.output()


async def test_healthy_store_says_ok_on_diagnostics(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """A working store: diagnostics retained with store "ok" and no error."""
    daemon = Daemon(tmp_path, mosquitto.url).start()
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/diagnostics") as sub:
            diag = await sub.wait_for(topic=f"{BASE}/diagnostics", timeout=15)
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]
    assert body(diag.payload)["store"] == "ok"
    assert body(diag.payload)["error"] is None
