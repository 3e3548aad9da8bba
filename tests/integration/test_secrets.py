"""The broker password never shows: not in the daemon's output, not in ``hiitd config check``."""

from __future__ import annotations

import subprocess
import sys
from typing import TYPE_CHECKING

import pytest
from daemon_rig import Daemon, daemon_env

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto

pytestmark = pytest.mark.integration


async def test_daemon_logs_in_with_a_password_and_never_prints_it(
    mosquitto_auth: Mosquitto, tmp_path: Path
) -> None:
    """Right password: connects; wrong one: an auth error with advice; neither is in the output."""
    user, password = mosquitto_auth.username, mosquitto_auth.password
    assert user is not None
    assert password is not None
    secrets = {"HIITD_MQTT__USERNAME": user, "HIITD_MQTT__PASSWORD": password}
    good = Daemon(tmp_path / "good", mosquitto_auth.url, env=secrets).start()
    try:
        await good.wait_log("mqtt_connected")
    finally:
        assert good.stop() == 0, good.output()[-3000:]
    wrong = "wrong-pw-9f3c"
    bad = Daemon(
        tmp_path / "bad", mosquitto_auth.url, env=secrets | {"HIITD_MQTT__PASSWORD": wrong}
    )
    bad.start()
    try:
        failed = await bad.wait_log("mqtt_connect_failed")
        assert bad.alive()
    finally:
        assert bad.stop() == 0, bad.output()[-3000:]
    assert failed["kind"] == "auth"
    assert "mqtt.username / password" in failed["advice"]

    check = subprocess.run(
        [sys.executable, "-m", "hiitd", "config", "check", "--json"],
        env=daemon_env(tmp_path / "good" / "state", mosquitto_auth.url, **secrets),
        capture_output=True,
        timeout=30,
        check=False,
    )
    assert check.returncode == 0, check.stderr.decode()
    everything = good.output() + bad.output() + check.stdout.decode() + check.stderr.decode()
    assert password not in everything
    assert wrong not in everything
    assert user in check.stdout.decode(), "the user name is not a secret"
