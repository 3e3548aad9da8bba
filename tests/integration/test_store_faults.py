"""The state directory unusable or full: said clearly, coaching goes on, nothing is lost.

Tests run as root in CI, and root writes through ``chmod``; a tiny tmpfs or a
loop mount needs privileges a CI runner lacks. So the database path is made
unusable the way the store's unit tests do it: ``hiitd.sqlite3`` is a
directory, which SQLite cannot open, the same failure (``StoreError`` at open
and at every checkpoint) a read-only or full disk gives. A disk that fills
mid-session is done for real to the daemon process with RLIMIT_FSIZE (set and
lifted with prlimit from outside: every write past the limit fails with EFBIG,
as writes do on a full disk), and in-process by
``tests/unit/test_store_errors.py`` (``max_page_count``).
"""

from __future__ import annotations

import asyncio
import itertools
import resource
import sqlite3
import time
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


async def test_disk_full_mid_session_then_freed_loses_no_sample(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """The disk "fills" mid-session (RLIMIT_FSIZE: every write fails, as on a full
    disk, and it works as root and without mounts); coaching goes on, diagnostics
    say why; once space is back the store recovers and the session is whole."""
    daemon = Daemon(tmp_path, mosquitto.url)
    drill = write_drill(daemon.state_dir, 8)  # 16 s of steps
    daemon.start()
    assert daemon.proc is not None
    pid = daemon.proc.pid
    _, hard = resource.getrlimit(resource.RLIMIT_FSIZE)
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
            await sub.wait_for(topic=f"{BASE}/diagnostics", timeout=15)
            async with aiomqtt.Client(mosquitto.host, mosquitto.port) as phone:
                await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
            await daemon.wait_log("command_applied")
            await asyncio.sleep(3.0)
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (1, hard))  # the disk is full
            full_at = time.time()
            full = await sub.wait_for(
                topic=f"{BASE}/diagnostics",
                match=lambda m: body(m.payload)["store"] == "unavailable",
                timeout=10,
            )
            await asyncio.sleep(4.0)
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))  # space again
            freed_at = time.time()
            back = await sub.wait_for(
                topic=f"{BASE}/diagnostics",
                match=lambda m: body(m.payload)["store"] == "ok",
                timeout=15,
            )
            result = await sub.wait_for(topic=f"{BASE}/session/result", timeout=30)
            await asyncio.sleep(1.0)
        assert daemon.alive()
    finally:
        if daemon.alive():
            resource.prlimit(pid, resource.RLIMIT_FSIZE, (hard, hard))
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]

    assert "File too large" in body(full.payload)["error"] or "full" in body(full.payload)["error"]
    # The daemon's log file is on the full "disk" too here (journald's is not), so
    # the error line itself may be lost; diagnostics said it, and the recovery is logged.
    cues = [body(m.payload) for m in sub.on(f"{BASE}/session/cue")]
    assert sum(full_at <= c["ts"] <= freed_at for c in cues) >= 3, "coached while full"
    assert body(back.payload)["error"] is None
    assert daemon.log("store_recovered")
    sid = body(result.payload)["session_id"]
    conn = sqlite3.connect(daemon.state_dir / "hiitd.sqlite3")
    try:
        assert conn.execute("PRAGMA integrity_check").fetchone()[0] == "ok"
        times = [
            t
            for (t,) in conn.execute(
                "SELECT h.t FROM hr_samples h JOIN sessions s ON s.sid = h.sid"
                " WHERE s.id = ? ORDER BY h.seq",
                (sid,),
            )
        ]
    finally:
        conn.close()
    gaps = [b - a for a, b in itertools.pairwise(times)]
    assert times[-1] >= 15.0, "the whole session was written once the disk had space"
    assert max(gaps) < 2.0, (
        f"no samples lost while the disk was full: largest gap {max(gaps):.1f} s"
    )
