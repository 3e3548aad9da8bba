"""MqttLink against a real mosquitto: status, will, reconnects, commands, overflow."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import time
import uuid
from contextlib import asynccontextmanager
from typing import TYPE_CHECKING, Any

import pytest
import structlog.testing

from hiitd.mqtt.broker_link import MqttLink
from hiitd.mqtt.topics import Topics
from hiitd.settings import MqttSettings
from hiitd_drivers.samples import Role

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

pytestmark = pytest.mark.integration


def fresh_topics() -> Topics:
    return Topics("hiitd", f"t{uuid.uuid4().hex[:10]}")


def settings_for(url: str, **kw: Any) -> MqttSettings:
    base: dict[str, Any] = {
        "url": url,
        "reconnect_initial_s": 0.05,
        "reconnect_max_s": 0.3,
        "keepalive_s": 5,
    }
    return MqttSettings(**(base | kw))


@asynccontextmanager
async def running(link: MqttLink, *, wait: bool = True) -> AsyncIterator[asyncio.Task[None]]:
    """Run the link in the background; close it on the way out."""
    task = asyncio.create_task(link.run(), name="link-under-test")
    try:
        if wait:
            async with asyncio.timeout(10):
                await link.wait_connected()
        yield task
    finally:
        if not task.done():
            await link.close()
        async with asyncio.timeout(10):
            await task


async def test_online_retained_after_connect(mosquitto, mqtt_subscriber) -> None:
    """After connecting, <base>/status is 'online', retained, for late subscribers too."""
    topics = fresh_topics()
    link = MqttLink(settings_for(mosquitto.url), topics)
    async with running(link), mqtt_subscriber(mosquitto, topics.status) as sub:
        got = await sub.wait_for(topic=topics.status)
    assert got.payload == b"online"
    assert got.retain


async def test_offline_retained_on_close(mosquitto, mqtt_subscriber) -> None:
    """close() publishes 'offline' retained, and run() returns."""
    topics = fresh_topics()
    link = MqttLink(settings_for(mosquitto.url), topics)
    async with running(link) as task:
        await link.close()
        assert task.done()
    async with mqtt_subscriber(mosquitto, topics.status) as sub:
        got = await sub.wait_for(topic=topics.status)
    assert (got.payload, got.retain) == (b"offline", True)


async def test_offline_retained_on_cancel(mosquitto, mqtt_subscriber) -> None:
    """Cancelling run() still publishes 'offline' before disconnecting, and re-raises."""
    topics = fresh_topics()
    link = MqttLink(settings_for(mosquitto.url), topics)
    task = asyncio.create_task(link.run())
    async with asyncio.timeout(10):
        await link.wait_connected()
    task.cancel()
    with pytest.raises(asyncio.CancelledError):
        await task
    async with mqtt_subscriber(mosquitto, topics.status) as sub:
        got = await sub.wait_for(topic=topics.status)
    assert (got.payload, got.retain) == (b"offline", True)


CHILD = """
import asyncio, sys
from hiitd.mqtt.broker_link import MqttLink
from hiitd.mqtt.topics import Topics
from hiitd.settings import MqttSettings

async def main() -> None:
    link = MqttLink(MqttSettings(url=sys.argv[1]), Topics("hiitd", sys.argv[2]))
    async with asyncio.TaskGroup() as tg:
        tg.create_task(link.run())
        await link.wait_connected()
        print("up", flush=True)

asyncio.run(main())
"""


async def test_will_is_offline_when_killed(mosquitto, mqtt_subscriber) -> None:
    """A daemon killed with SIGKILL leaves 'offline' retained (the will)."""
    topics = fresh_topics()
    child = await asyncio.create_subprocess_exec(
        sys.executable, "-c", CHILD, mosquitto.url, topics.athlete_id,
        stdout=asyncio.subprocess.PIPE,
    )  # fmt: skip
    try:
        assert child.stdout is not None
        async with asyncio.timeout(20):
            # structlog's default output shares stdout; "up" is the child's own line.
            while (line := await child.stdout.readline()) != b"up\n":
                assert line, "the child exited before connecting"
        async with mqtt_subscriber(mosquitto, topics.status) as sub:
            await sub.wait_for(topic=topics.status, payload=b"online")
            child.send_signal(signal.SIGKILL)
            got = await sub.wait_for(topic=topics.status, payload=b"offline")
        assert got.payload == b"offline"
    finally:
        if child.returncode is None:
            child.kill()
        await child.wait()
    async with mqtt_subscriber(mosquitto, topics.status) as late:
        retained = await late.wait_for(topic=topics.status)
    assert (retained.payload, retained.retain) == (b"offline", True)


async def test_reconnect_republishes_online_and_retained_state(mosquitto, mqtt_subscriber) -> None:
    """After the broker restarts with empty state, 'online' and held retained values return."""
    topics = fresh_topics()
    link = MqttLink(settings_for(mosquitto.url), topics)
    avail = topics.availability(Role.HR)
    link.set_retained(avail, b"online")
    link.set_retained(topics.session_state, b'{"state":"running"}')
    with structlog.testing.capture_logs() as logs:
        async with running(link):
            assert link.connects == 1
            mosquitto.stop(wipe=True)
            async with asyncio.timeout(10):
                while link.connected:
                    await asyncio.sleep(0.02)
            mosquitto.start()
            async with asyncio.timeout(10):
                await link.wait_connected()
            assert link.connects == 2
            async with mqtt_subscriber(mosquitto, f"{topics.base}/#") as sub:
                assert (await sub.wait_for(topic=topics.status)).payload == b"online"
                assert (await sub.wait_for(topic=avail)).payload == b"online"
                state = await sub.wait_for(topic=topics.session_state)
                assert state.retain
    lost = [e for e in logs if e["event"] in {"mqtt_link_lost", "mqtt_connect_failed"}]
    assert lost, "the outage was not logged"
    assert all(e["reason"] and "retry_in_s" in e for e in lost)


async def test_commands_only_from_own_topics(mosquitto, mqtt_subscriber) -> None:
    """<base>/cmd/pause reaches the handler; other athletes' and <base>/cmdx do not."""
    topics = fresh_topics()
    other = Topics("hiitd", "someone-else")
    calls: list[tuple[str, bytes]] = []

    async def handler(action: str, payload: bytes) -> None:
        calls.append((action, payload))

    link = MqttLink(settings_for(mosquitto.url), topics, on_command=handler)
    async with running(link), mqtt_subscriber(mosquitto, "unused/#") as sub:
        import aiomqtt  # noqa: PLC0415 - the test plays a dashboard publishing commands

        async with aiomqtt.Client(mosquitto.host, mosquitto.port) as dashboard:
            await dashboard.publish(other.cmd("pause"), b"", qos=1)
            await dashboard.publish(f"{topics.base}/cmdx", b"", qos=1)
            await dashboard.publish(f"{topics.base}/cmd/a/b", b"", qos=1)
            await dashboard.publish(topics.cmd_result, b"{}", qos=1)
            await dashboard.publish(topics.cmd("pause"), b"", qos=1)
            await dashboard.publish(topics.cmd("workout"), b"4x4", qos=1)
            # The last one marks the end: messages of one session arrive in order.
            await dashboard.publish(topics.cmd("resume"), b'{"x":1}', qos=1)
        async with asyncio.timeout(5):
            while len(calls) < 3:
                await asyncio.sleep(0.02)
        await asyncio.sleep(0.1)  # room for a wrongly delivered extra
        del sub
    assert calls == [("pause", b""), ("workout", b"4x4"), ("resume", b'{"x":1}')]


async def test_retained_command_is_ignored(mosquitto) -> None:
    """A retained command (which would replay at every reconnect) is not executed."""
    topics = fresh_topics()
    calls: list[str] = []

    async def handler(action: str, payload: bytes) -> None:
        calls.append(action)

    import aiomqtt  # noqa: PLC0415

    async with aiomqtt.Client(mosquitto.host, mosquitto.port) as dashboard:
        await dashboard.publish(topics.cmd("stop"), b"now", qos=1, retain=True)
    link = MqttLink(settings_for(mosquitto.url), topics, on_command=handler)
    with structlog.testing.capture_logs() as logs:
        async with running(link):
            async with asyncio.timeout(5):
                while not any(e["event"] == "mqtt_command_ignored" for e in logs):
                    await asyncio.sleep(0.02)
    assert calls == []


async def test_failing_handler_answers_on_cmd_result(mosquitto, mqtt_subscriber) -> None:
    """A handler that raises gets an error reply on <base>/cmd/result; the link stays up."""
    topics = fresh_topics()

    async def handler(action: str, payload: bytes) -> None:
        raise RuntimeError("boom")

    link = MqttLink(settings_for(mosquitto.url), topics, on_command=handler)
    async with running(link), mqtt_subscriber(mosquitto, topics.cmd_result) as sub:
        import aiomqtt  # noqa: PLC0415

        async with aiomqtt.Client(mosquitto.host, mosquitto.port) as dashboard:
            await dashboard.publish(topics.cmd("skip"), b"", qos=1)
        reply = json.loads((await sub.wait_for(topic=topics.cmd_result)).payload)
        assert link.connected
    assert reply["action"] == "skip"
    assert reply["ok"] is False
    assert "RuntimeError" in reply["error"]


async def test_queue_overflow_drops_oldest_qos0_and_never_blocks(
    mosquitto, mqtt_subscriber
) -> None:
    """While offline, a full queue sheds the oldest QoS 0 only; QoS 1 all arrive later."""
    topics = fresh_topics()
    link = MqttLink(settings_for(mosquitto.url), topics, queue_limit=5)
    started = time.perf_counter()
    for i in range(20):
        link.publish(topics.hr, str(i).encode())
        if i in (3, 11):
            link.publish(topics.session_cue, f"cue{i}".encode(), qos=1)
    elapsed = time.perf_counter() - started
    assert elapsed < 0.05, "publish() must not wait for the broker"
    assert link.dropped == 17  # 22 queued, 5 kept: the two cues and the last three hr
    async with mqtt_subscriber(mosquitto, f"{topics.base}/#") as sub, running(link):
        await sub.wait_for(topic=topics.hr, payload=b"19")
        await sub.wait_for(topic=topics.session_cue, payload=b"cue11")
    assert [m.payload for m in sub.on(topics.hr)] == [b"17", b"18", b"19"]
    assert [m.payload for m in sub.on(topics.session_cue)] == [b"cue3", b"cue11"]


async def test_unreachable_broker_is_retried_with_backoff(unused_tcp_port: int) -> None:
    """Connection refused is logged with the reason and retried with growing delays, forever."""
    delays: list[float] = []

    async def fake_sleep(delay: float) -> None:
        delays.append(delay)
        await asyncio.sleep(0)

    settings = settings_for(
        f"mqtt://127.0.0.1:{unused_tcp_port}", reconnect_initial_s=1.0, reconnect_max_s=8.0
    )
    link = MqttLink(settings, fresh_topics(), sleep=fake_sleep)
    with structlog.testing.capture_logs() as logs:
        async with running(link, wait=False):
            async with asyncio.timeout(10):
                while len(delays) < 6:
                    await asyncio.sleep(0.01)
    failed = [e for e in logs if e["event"] == "mqtt_connect_failed"]
    assert failed[0]["kind"] == "refused"
    assert "advice" in failed[0]
    assert max(delays) <= 8.0
    assert delays[4] > delays[0]


async def test_dns_failure_is_retried() -> None:
    """An unknown host name is a logged DNS failure and retried, not a crash."""
    attempts = 0

    async def fake_sleep(delay: float) -> None:
        nonlocal attempts
        attempts += 1
        await asyncio.sleep(0)

    link = MqttLink(
        settings_for("mqtt://no-such-host.invalid:1883"), fresh_topics(), sleep=fake_sleep
    )
    with structlog.testing.capture_logs() as logs:
        async with running(link, wait=False):
            async with asyncio.timeout(20):
                while attempts < 2:
                    await asyncio.sleep(0.01)
    failed = [e for e in logs if e["event"] == "mqtt_connect_failed"]
    assert failed[0]["kind"] == "dns"
    assert failed[0]["log_level"] == "error"


async def test_a_clean_close_flushes_what_is_queued_and_raises_no_cancellation(
    mosquitto, mqtt_subscriber
) -> None:
    """close() with QoS 1 messages still queued: all arrive, then offline; run() just returns.

    Python 3.11's TaskGroup leaves its parent task "cancelling" when a child
    ends it while the parent waits in ``__aexit__`` (the link's stop); the
    link's goodbye must not take that for a cancellation nobody sent.
    """
    topics = fresh_topics()
    link = MqttLink(settings_for(mosquitto.url), topics)
    async with mqtt_subscriber(mosquitto, f"{topics.base}/#") as sub:
        task = asyncio.create_task(link.run(), name="link-under-test")
        async with asyncio.timeout(10):
            await link.wait_connected()
        for i in range(50):
            link.publish(topics.session_cue, f"cue{i}".encode(), qos=1)
        await link.close()
        async with asyncio.timeout(10):
            assert await task is None
        await sub.wait_for(topic=topics.status, payload=b"offline")
    assert [m.payload for m in sub.on(topics.session_cue)] == [
        f"cue{i}".encode() for i in range(50)
    ]
