"""No broker at start-up (an unknown name, a closed port): hiitd retries with backoff, says why."""

from __future__ import annotations

import asyncio
import socket
from typing import TYPE_CHECKING

import pytest
from daemon_rig import Daemon

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration

ALIVE_S = 6.0  # long enough for several attempts with the tests' 2 s backoff cap


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
    return port  # closed again: nothing listens there


@pytest.mark.parametrize(
    ("url", "kind"),
    [
        ("mqtt://no-such-host.invalid:1883", "dns"),
        (f"mqtt://127.0.0.1:{_closed_port()}", "refused"),
    ],
    ids=["dns", "closed-port"],
)
async def test_unreachable_broker_at_start_is_retried_with_backoff(
    tmp_path: Path, url: str, kind: str
) -> None:
    """The daemon stays up, logging each failed attempt with its reason and retry_in_s."""
    daemon = Daemon(tmp_path, url).start()
    try:
        await asyncio.sleep(ALIVE_S)
        assert daemon.alive(), daemon.output()[-3000:]
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]
    failures = daemon.log("mqtt_connect_failed")
    assert len(failures) >= 2, "retried"
    assert all(f["kind"] == kind for f in failures), failures
    assert all(f["reason"] and f["retry_in_s"] > 0 for f in failures)
    assert [f["attempt"] for f in failures] == list(range(1, len(failures) + 1))
    assert failures[0]["retry_in_s"] <= failures[-1]["retry_in_s"] * 2, "backing off, jittered"
