"""The watched import folder through the real daemon and a real mosquitto.

A running FIT activity from shared/data and a truncated copy of it are dropped
in ``storage.import_dir``; the daemon imports the first (a session in its
store, the file moved to ``imported/``) and refuses the second (moved to
``failed/`` with the reason beside it), saying both on ``session/import``.
Waits are event-based: the MQTT messages, with generous timeouts.
"""

from __future__ import annotations

import asyncio
import time
from typing import TYPE_CHECKING

import pytest
from daemon_rig import BASE, Daemon, body

from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, Received, SubscriberFactory

pytestmark = pytest.mark.integration

RUN = "runalyze__FR630-with-lth.fit"
IMPORT = f"{BASE}/session/import"


def _about(name: str) -> object:
    return lambda m: body(m.payload).get("file", "").endswith(name)


async def test_a_dropped_run_is_imported_and_a_truncated_one_is_filed_as_failed(
    mosquitto: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path, shared_data: Path
) -> None:
    data = (shared_data / "fit_activities" / RUN).read_bytes()
    folder = tmp_path / "import"
    daemon = Daemon(
        tmp_path,
        mosquitto.url,
        env={
            "HIITD_STORAGE__IMPORT_DIR": str(folder),
            "HIITD_STORAGE__IMPORT_SCAN_S": "1",
            "HIITD_ATHLETE__RESTING_HR": "50",
            "HIITD_ATHLETE__SEX": "male",
        },
    ).start()
    try:
        async with mqtt_subscriber(mosquitto, f"{BASE}/#") as sub:
            await sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=20)
            # The daemon makes the folder at its first scan; a syncing tool writes there.
            deadline = time.monotonic() + 20
            while not folder.is_dir():
                assert time.monotonic() < deadline, "the import folder was not created"
                assert daemon.alive(), daemon.output()[-3000:]
                await asyncio.sleep(0.1)
            (folder / "morning.FIT").write_bytes(data)
            (folder / "cut.fit").write_bytes(data[: len(data) // 3])
            (folder / ".partial.fit").write_bytes(data)  # hidden: left alone

            ok: Received = await sub.wait_for(topic=IMPORT, match=_about("morning.FIT"), timeout=60)
            bad: Received = await sub.wait_for(topic=IMPORT, match=_about("cut.fit"), timeout=60)
            doc, err = body(ok.payload), body(bad.payload)
            assert doc["status"] == "imported", doc
            assert doc["id"] != err["id"]
            assert doc["source"] == "import"
            assert doc["hrss"] > 0
            assert doc["moved_to"] == str(folder / "imported" / "morning.FIT")
            assert err["status"] == "failed"
            assert err["message"].startswith(f"{folder / 'cut.fit'}: not imported:")
            assert (folder / "imported" / "morning.FIT").read_bytes() == data
            assert not (folder / "morning.FIT").exists()
            assert (folder / "failed" / "cut.fit").is_file()
            reason = (folder / "failed" / "cut.fit.error.txt").read_text()
            assert "not imported" in reason
            assert (folder / ".partial.fit").is_file()

            # The same bytes dropped again: said, filed as imported, no second session.
            (folder / "again.fit").write_bytes(data)
            dup = await sub.wait_for(topic=IMPORT, match=_about("again.fit"), timeout=60)
            assert body(dup.payload)["status"] == "duplicate"
            assert body(dup.payload)["session_id"] == doc["session_id"]

        with Store.open(daemon.state_dir) as store:
            rows = store.list_sessions(10)
            assert [(r.session_id, r.source) for r in rows] == [(doc["session_id"], "import")]
            assert rows[0].distance_m == pytest.approx(2030, abs=5)
        imported = daemon.log("session_imported")
        assert [line["session_id"] for line in imported] == [doc["session_id"]]
    finally:
        assert daemon.stop() == 0
