"""MqttLink logins and TLS against a real mosquitto: failures are explained and retried."""

from __future__ import annotations

import asyncio
import gc
import uuid
from typing import Any

import pytest
import structlog.testing

from hiitd.mqtt.broker_link import MqttLink
from hiitd.mqtt.topics import Topics
from hiitd.settings import MqttSettings

pytestmark = pytest.mark.integration


def make_link(url: str, **kw: Any) -> tuple[MqttLink, list[float]]:
    """A link whose backoff sleeps are recorded and short."""
    delays: list[float] = []

    async def sleep(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(0.01)

    settings = MqttSettings(url=url, keepalive_s=5, **kw)
    return MqttLink(settings, Topics("hiitd", f"t{uuid.uuid4().hex[:10]}"), sleep=sleep), delays


async def run_until(link: MqttLink, done: Any, timeout: float = 10.0) -> None:
    """Run the link until ``done()`` is true, then close it."""
    task = asyncio.create_task(link.run())
    try:
        async with asyncio.timeout(timeout):
            while not done():
                await asyncio.sleep(0.01)
    finally:
        await link.close()
        async with asyncio.timeout(10):
            await task


async def test_wrong_password_is_explained_and_retried(mosquitto_auth) -> None:
    """A rejected login says 'check mqtt.username / password', retries, never logs the password."""
    wrong = "wrong-pw-1234"
    link, delays = make_link(mosquitto_auth.url, username=mosquitto_auth.username, password=wrong)
    with structlog.testing.capture_logs() as logs:
        await run_until(link, lambda: len(delays) >= 3)
    failed = [e for e in logs if e["event"] == "mqtt_connect_failed"]
    assert len(failed) >= 3
    assert failed[0]["kind"] == "auth"
    assert "check mqtt.username / password" in failed[0]["advice"]
    assert wrong not in repr(logs)


async def test_right_password_connects(mosquitto_auth) -> None:
    """The password from the settings (secret()) logs in."""
    link, _ = make_link(
        mosquitto_auth.url, username=mosquitto_auth.username, password=mosquitto_auth.password
    )
    await run_until(link, lambda: link.connected)


async def test_tls_with_test_ca_connects_with_verification(mosquitto_tls) -> None:
    """mqtts:// with ca_file verifies the broker's certificate and connects."""
    link, _ = make_link(mosquitto_tls.url, ca_file=mosquitto_tls.ca_file)
    with structlog.testing.capture_logs() as logs:
        await run_until(link, lambda: link.connected)
    assert any(e["event"] == "mqtt_connected" and e["tls"] for e in logs)


# paho-mqtt 2.2 leaves the SSL socket open when the handshake fails
# (paho/mqtt/client.py, Client._ssl_wrap_socket: do_handshake() without close), so
# the garbage collector reports it. Not ours to close; only that warning is ignored.
@pytest.mark.filterwarnings("ignore:unclosed <ssl.SSLSocket:ResourceWarning")
@pytest.mark.filterwarnings(
    "ignore:Exception ignored in. <ssl.SSLSocket:pytest.PytestUnraisableExceptionWarning"
)
async def test_untrusted_ca_is_a_logged_tls_failure_and_retried(mosquitto_tls) -> None:
    """Without the test CA (system CAs only) the handshake fails: logged as TLS, retried."""
    link, delays = make_link(mosquitto_tls.url)
    with structlog.testing.capture_logs() as logs:
        await run_until(link, lambda: len(delays) >= 2)
    gc.collect()  # report paho's leaked sockets here, under this test's filter
    failed = [e for e in logs if e["event"] == "mqtt_connect_failed"]
    assert failed[0]["kind"] == "tls"
    assert "mqtt.ca_file" in failed[0]["advice"]
    assert not link.connected


async def test_tls_insecure_skips_verification(mosquitto_tls) -> None:
    """tls_insecure connects to a broker whose CA is unknown (testing only)."""
    link, _ = make_link(mosquitto_tls.url, tls_insecure=True)
    await run_until(link, lambda: link.connected)
