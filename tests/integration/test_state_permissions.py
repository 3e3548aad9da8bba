"""What hiitd writes holds health data: readable by its group at most, even outside systemd."""

from __future__ import annotations

import json
import os
import stat
from typing import TYPE_CHECKING

import pytest
from daemon_rig import BASE, Daemon, write_drill

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration


async def test_a_fresh_state_directory_is_0750_and_its_files_0640(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """Run with umask 022 outside systemd: after a session nothing is world-readable."""
    import aiomqtt  # noqa: PLC0415 - the test plays the runner's phone

    old = os.umask(0o022)  # a login shell's usual umask, inherited by the daemon
    try:
        daemon = Daemon(tmp_path, mosquitto.url)
        state = daemon.state_dir
        state.mkdir(parents=True)
        state.chmod(0o755)  # as an older hiitd (or mkdir) left it
        drill = write_drill(state, repeat=2)
        async with (
            mqtt_subscriber(mosquitto, f"{BASE}/#") as sub,
            aiomqtt.Client(mosquitto.host, mosquitto.port) as phone,
        ):
            daemon.start()
            try:
                await daemon.wait_log("mqtt_connected")
                await phone.publish(f"{BASE}/cmd/start", drill.encode(), qos=1)
                await sub.wait_for(
                    topic=f"{BASE}/session/result",
                    match=lambda m: "metrics" in json.loads(m.payload),
                    timeout=60,
                )
            finally:
                assert daemon.stop() == 0, daemon.output()[-3000:]
    finally:
        os.umask(old)
    made = [p for p in state.rglob("*") if p.is_file()]
    assert any(p.suffix == ".fit" for p in made), "the exports were written"
    assert any(p.name == "hiitd.sqlite3" for p in made)
    assert stat.S_IMODE(state.stat().st_mode) == 0o750
    # (workouts/ and its file are the test's own, written with umask 022.)
    by_hiitd = [
        p
        for p in [*made, *(d for d in state.rglob("*") if d.is_dir())]
        if p.relative_to(state).parts[0] != "workouts"
    ]
    open_to_others = [
        f"{p.relative_to(state)} {stat.S_IMODE(p.stat().st_mode):o}"
        for p in by_hiitd
        if p.stat().st_mode & 0o007
    ]
    assert open_to_others == []
