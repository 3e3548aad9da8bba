"""The real daemon on a secured broker: TLS, a password file and the shipped ACL example.

``mosquitto_secure`` verifies the broker's certificate against a test CA, knows
users ``hiitd`` and ``homeassistant`` from a mosquitto password file, and loads
``config/mosquitto/acl.example`` as shipped (plus a test-only ``observer`` who
sees everything). The daemon logs in as ``hiitd``, Home Assistant's part is
played by a client logged in as ``homeassistant``.
"""

from __future__ import annotations

import asyncio
import json
from typing import TYPE_CHECKING, Any

import pytest
from daemon_rig import BASE, Daemon, body

if TYPE_CHECKING:
    from pathlib import Path

    from .conftest import Mosquitto, SubscriberFactory

pytestmark = pytest.mark.integration

DISCOVERY = "homeassistant/device/hiitd_athlete/config"
HA_STATUS = "homeassistant/status"
MARK = b"mark"
# What Home Assistant's user may not write, and hiitd's user may not write or read.
HIITD_MAY_NOT_WRITE = [
    "other/topic",
    "hiitd/someone-else/status",
    "hiitd/someone-else/cmd/stop",
    "homeassistant/device/other/config",
    HA_STATUS,  # only Home Assistant says whether it is online
]
HA_MAY_NOT_WRITE = [
    f"{BASE}/status",
    f"{BASE}/hr",
    f"{BASE}/session/cue",
    f"{BASE}/session/state",
]
# Not in that list: <base>/cmd/result. The example grants Home Assistant
# cmd/#, and mosquitto's ACL cannot take one topic back out of a wildcard.
HIITD_MAY_NOT_READ = [
    "other/topic",
    "hiitd/someone-else/status",
    "homeassistant/device/other/config",
    "homeassistant/sensor/x/state",
]
# Start-up failures are retried from this delay up, doubling (with jitter) to 2 s.
FAST_BACKOFF = {"HIITD_MQTT__RECONNECT_INITIAL_S": "0.25", "HIITD_MQTT__RECONNECT_MAX_S": "2"}


def hiitd_login(broker: Mosquitto, tmp_path: Path, password: str | None = None) -> dict[str, str]:
    """The daemon's settings for ``broker`` as user hiitd, the password in a 0600 file."""
    secret = tmp_path / "mqtt_password"
    secret.write_text((password or broker.users["hiitd"]) + "\n", encoding="utf-8")
    secret.chmod(0o600)
    assert broker.ca_file is not None
    return {
        "HIITD_MQTT__USERNAME": "hiitd",
        "HIITD_MQTT__PASSWORD_FILE": str(secret),
        "HIITD_MQTT__CA_FILE": str(broker.ca_file),
    }


async def test_daemon_over_tls_with_a_password_file_works_under_the_acl(
    mosquitto_secure: Mosquitto, mqtt_subscriber: SubscriberFactory, tmp_path: Path
) -> None:
    """As user hiitd: online, telemetry, discovery, HA's birth heard, a command from HA applied."""
    broker = mosquitto_secure
    daemon = Daemon(tmp_path, broker.url, env=hiitd_login(broker, tmp_path)).start()
    try:
        async with (
            mqtt_subscriber(broker, f"{BASE}/#", user="homeassistant") as ha_sub,
            mqtt_subscriber(broker, "homeassistant/device/#", user="homeassistant") as disc,
            broker.client("homeassistant") as ha,
        ):
            await ha_sub.wait_for(topic=f"{BASE}/status", payload=b"online", timeout=15)
            hr = await ha_sub.wait_for(topic=f"{BASE}/hr", match=lambda m: body(m.payload)["bpm"])
            device = await disc.wait_for(topic=DISCOVERY)
            assert json.loads(device.payload)["device"]["name"].startswith("hiitd")

            # Home Assistant's birth message reaches the daemon (read homeassistant/status).
            await ha.publish(HA_STATUS, b"online", qos=1)
            await daemon.wait_log("ha_online", timeout=5)

            await ha.publish(f"{BASE}/cmd/start", b'{"workout": "gibala-10x60", "id": "r1"}', qos=1)
            reply = await ha_sub.wait_for(
                topic=f"{BASE}/cmd/result", match=lambda m: body(m.payload).get("id") == "r1"
            )
            await ha_sub.wait_for(
                topic=f"{BASE}/session/state",
                match=lambda m: body(m.payload)["state"] in {"countdown", "running"},
            )
        # A subscriber arriving now is told the retained status.
        async with mqtt_subscriber(broker, f"{BASE}/status", user="homeassistant") as late:
            online = await late.wait_for(topic=f"{BASE}/status")
        connected = await daemon.wait_log("mqtt_connected")
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]
    assert (online.payload, online.retain) == (b"online", True)
    assert 30 <= body(hr.payload)["bpm"] <= 230
    assert body(reply.payload)["ok"] is True, body(reply.payload)
    assert connected["tls"] is True
    assert not daemon.log("mqtt_connect_failed")
    assert "Traceback" not in daemon.output()
    assert broker.users["hiitd"] not in daemon.output()


async def test_acl_keeps_hiitd_and_home_assistant_to_their_topics(
    mosquitto_secure: Mosquitto, mqtt_subscriber: SubscriberFactory
) -> None:
    """hiitd: nothing outside its tree in or out; Home Assistant: only commands into it.

    Denied publishes are dropped silently by mosquitto (MQTT 3.1.1 has no way
    to say so), so what is asserted is what anyone would notice: the message
    never arrives. A marker sent after them by the same client shows that
    everything before it has been delivered or dropped.
    """
    broker = mosquitto_secure
    async with (
        mqtt_subscriber(broker, "#", user="observer") as everything,
        mqtt_subscriber(broker, "#", user="hiitd") as hiitd_sees,
        mqtt_subscriber(broker, "hiitd/someone-else/#", user="hiitd") as other_athlete,
        broker.client("hiitd") as hiitd,
        broker.client("homeassistant") as ha,
        broker.client("observer") as observer,
    ):
        # What hiitd may write gets through; what it may not, never.
        for topic in HIITD_MAY_NOT_WRITE:
            await hiitd.publish(topic, b"from hiitd", qos=0)
            await hiitd.publish(topic, b"from hiitd, retained", qos=1, retain=True)
        await hiitd.publish(f"{BASE}/status", MARK, qos=1)
        await hiitd.publish(DISCOVERY, b"{}", qos=1)
        await everything.wait_for(topic=DISCOVERY)

        # Home Assistant commands hiitd and says it is online; it cannot speak for hiitd.
        for topic in HA_MAY_NOT_WRITE:
            await ha.publish(topic, b"forged", qos=1, retain=True)
        await ha.publish(HA_STATUS, b"online", qos=1)
        await ha.publish(f"{BASE}/cmd/lap", b"", qos=1)
        await everything.wait_for(topic=f"{BASE}/cmd/lap")

        # Others' topics do not reach hiitd, retained or not.
        for topic in HIITD_MAY_NOT_READ:
            await observer.publish(topic, b"private", qos=1, retain=True)
        await observer.publish(f"{BASE}/cmd/pause", MARK, qos=1)
        await hiitd_sees.wait_for(topic=f"{BASE}/cmd/pause", payload=MARK)
        await asyncio.sleep(0.3)

    seen = {m.topic for m in everything.messages}
    assert f"{BASE}/status" in seen
    assert HA_STATUS in seen
    leaked = [m.topic for m in everything.messages if m.payload.startswith(b"from hiitd")]
    assert not leaked, f"hiitd wrote outside its topics: {leaked}"
    forged = [m.topic for m in everything.messages if m.payload == b"forged"]
    assert not forged, f"Home Assistant's user wrote hiitd's own topics: {forged}"

    hiitd_topics = {m.topic for m in hiitd_sees.messages}
    assert not hiitd_topics & set(HIITD_MAY_NOT_READ), hiitd_topics
    outside = {t for t in hiitd_topics if not t.startswith(f"{BASE}/") and t != HA_STATUS}
    assert not outside, f"a subscription to # showed hiitd {outside}"
    assert not other_athlete.messages, "hiitd read another athlete's tree"


def connect_failures(daemon: Daemon) -> list[dict[str, Any]]:
    """Its ``mqtt_connect_failed`` log lines so far."""
    return daemon.log("mqtt_connect_failed")


async def wait_retries(
    daemon: Daemon, count: int = 4, timeout: float = 10.0
) -> list[dict[str, Any]]:
    """The first ``count`` failed connection attempts; the daemon must stay up meanwhile."""
    await daemon.wait_log(
        "mqtt_connect_failed", match=lambda d: d["attempt"] >= count, timeout=timeout
    )
    assert daemon.alive()
    return connect_failures(daemon)[:count]


async def refused_logins(
    tmp_path: Path, url: str, env: dict[str, str], kind: str
) -> tuple[Daemon, list[dict[str, Any]]]:
    """Run the daemon against a broker that refuses it: each attempt a logged ``kind``
    failure, retried with backoff, never connected, no traceback, a clean stop."""
    daemon = Daemon(tmp_path, url, env=env | FAST_BACKOFF).start()
    try:
        failed = await wait_retries(daemon)
    finally:
        status = daemon.stop()
    assert status == 0, daemon.output()[-3000:]
    print(json.dumps(failed[0]))  # noqa: T201 - the line the issue's note quotes (pytest -s)
    assert {d["kind"] for d in failed} == {kind}
    assert_retried_with_backoff(failed)
    assert not daemon.log("mqtt_connected")
    assert "Traceback" not in daemon.output()
    return daemon, failed


def assert_retried_with_backoff(failed: list[dict[str, Any]]) -> None:
    """Attempts 1, 2, ... each with a delay; the delay grows (nominal 0.25 s doubling to 2 s)."""
    assert [d["attempt"] for d in failed] == list(range(1, len(failed) + 1))
    assert failed[-1]["retry_in_s"] > failed[0]["retry_in_s"]
    assert all(d["level"] == "error" for d in failed), "the user must fix it: error level"


async def test_wrong_password_is_an_auth_failure_retried_with_backoff(
    mosquitto_secure: Mosquitto, tmp_path: Path
) -> None:
    """The password from a systemd credential: refused as a login, not a traceback; retried."""
    broker = mosquitto_secure
    wrong = "not-the-password-7c1e"
    login = hiitd_login(broker, tmp_path)
    del login["HIITD_MQTT__PASSWORD_FILE"]
    credentials = tmp_path / "credentials"
    credentials.mkdir()
    (credentials / "mqtt_password").write_text(wrong + "\n", encoding="utf-8")
    env = login | {"CREDENTIALS_DIRECTORY": str(credentials)}
    daemon, failed = await refused_logins(tmp_path, broker.url, env, "auth")
    assert "rejected the login" in failed[0]["reason"]
    assert "check mqtt.username / password" in failed[0]["advice"]
    assert wrong not in daemon.output()


async def test_untrusted_certificate_is_a_tls_failure_retried_with_backoff(
    mosquitto_secure: Mosquitto, tmp_path: Path
) -> None:
    """No ca_file: the system CAs do not know the test CA, so the handshake is refused."""
    broker = mosquitto_secure
    login = hiitd_login(broker, tmp_path)
    del login["HIITD_MQTT__CA_FILE"]
    _, failed = await refused_logins(tmp_path, broker.url, login, "tls")
    assert "certificate" in failed[0]["reason"]
    assert "not trusted" in failed[0]["reason"]
    assert "mqtt.ca_file" in failed[0]["advice"]


async def test_certificate_for_another_host_name_is_refused_by_default(
    mosquitto_wrong_name: Mosquitto, tmp_path: Path
) -> None:
    """A certificate from the trusted CA, but for broker.invalid, reached as 127.0.0.1."""
    broker = mosquitto_wrong_name
    assert broker.ca_file is not None
    env = {"HIITD_MQTT__CA_FILE": str(broker.ca_file)}
    _, failed = await refused_logins(tmp_path, broker.url, env, "tls")
    assert "127.0.0.1" in failed[0]["reason"]
    assert "mismatch" in failed[0]["reason"].lower()
