"""The daemon finds a store that is not whole: another program's -wal, a damaged page, 0 bytes.

Each is done to the real file before a real daemon starts; each test checks what the
runner would see (diagnostics, the history) and that nothing of theirs is lost.
"""

from __future__ import annotations

import json
import shutil
import sqlite3
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest
from daemon_rig import BASE, Daemon, body, daemon_env, recorded_session, store_sessions

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration


def _history(state: Path, url: str) -> list[str]:
    """``hiitd sessions list --json`` as a tool sees it: the session ids."""
    done = subprocess.run(
        [sys.executable, "-m", "hiitd", "sessions", "list", "--json"],
        env=daemon_env(state, url), capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert done.returncode == 0, done.stderr
    rows: list[dict[str, str]] = json.loads(done.stdout)
    return [row["session_id"] for row in rows]


async def _diagnostics(
    daemon: Daemon, sub_factory: SubscriberFactory, mosquitto: Mosquitto
) -> dict:
    async with sub_factory(mosquitto, f"{BASE}/diagnostics") as sub:
        daemon.start()
        return body((await sub.wait_for(topic=f"{BASE}/diagnostics", timeout=20)).payload)


async def test_a_foreign_wal_is_refused_and_the_history_survives(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """Another database's -wal beside hiitd.sqlite3: the store is refused (diagnostics say why),
    the file is untouched, and once the -wal is moved away the history is all there."""
    daemon = Daemon(tmp_path, mosquitto.url)
    state = daemon.state_dir
    store_sessions(state, recorded_session("run-1", time.time() - 3600))
    other = tmp_path / "other.db"
    conn = sqlite3.connect(other, isolation_level=None)
    conn.execute("PRAGMA journal_mode = WAL")
    conn.execute("PRAGMA wal_autocheckpoint = 0")
    conn.execute("CREATE TABLE photos (id)")
    shutil.copy(tmp_path / "other.db-wal", state / "hiitd.sqlite3-wal")
    conn.close()
    before = (state / "hiitd.sqlite3").read_bytes()
    try:
        doc = await _diagnostics(daemon, mqtt_subscriber, mosquitto)
        assert daemon.alive(), "coaching goes on without the store"
    finally:
        assert daemon.stop() == 0, daemon.output()[-3000:]
    assert doc["store"] == "unavailable"
    assert "not a hiitd database" in doc["error"]
    assert "-wal" in doc["error"]
    assert (state / "hiitd.sqlite3").read_bytes() == before, "nothing was written into it"
    (state / "hiitd.sqlite3-wal").unlink()
    (state / "hiitd.sqlite3-shm").unlink(missing_ok=True)
    assert _history(state, mosquitto.url) == ["run-1"]


@pytest.mark.parametrize("damage", ["a page mid-file", "zero bytes"])
async def test_a_damaged_store_is_moved_aside_said_and_replaced(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path, damage: str
) -> None:
    """The daemon moves a damaged or empty store aside (with its side files), says so on
    diagnostics and in the log, and records into a new one."""
    daemon = Daemon(tmp_path, mosquitto.url)
    state = daemon.state_dir
    store_sessions(state, recorded_session("run-1", time.time() - 3600, seconds=1800))
    path = state / "hiitd.sqlite3"
    if damage == "zero bytes":
        path.write_bytes(b"")
    else:
        data = bytearray(path.read_bytes())
        data[5 * 4096 : 7 * 4096] = b"\x5a" * 8192
        path.write_bytes(bytes(data))
    try:
        doc = await _diagnostics(daemon, mqtt_subscriber, mosquitto)
    finally:
        assert daemon.stop() == 0, daemon.output()[-3000:]
    why = "empty" if damage == "zero bytes" else "damaged"
    moved = sorted(p.name for p in state.iterdir() if f".{why}-" in p.name)
    assert moved, f"the file was moved aside: {sorted(p.name for p in state.iterdir())}"
    assert doc["store"] == "ok"
    assert why in doc["store_note"]
    assert moved[0] in doc["store_note"]
    assert daemon.log("store_moved_aside")[0]["level"] == "error"
    check = subprocess.run(
        [sys.executable, "-m", "hiitd", "store", "check"],
        env=daemon_env(state, mosquitto.url), capture_output=True, text=True, timeout=60,
        check=False,
    )  # fmt: skip
    assert check.returncode == 0, check.stderr
