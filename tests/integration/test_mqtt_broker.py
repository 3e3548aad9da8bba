"""The embedded amqtt broker (hiitd demo) and hiitd watch, with real clients."""

from __future__ import annotations

import asyncio
import json
import signal
import sys
import uuid

import aiomqtt
import pytest

from hiitd.mqtt.broker_link import MqttLink
from hiitd.mqtt.embedded_broker import broker_reachable, embedded_broker
from hiitd.mqtt.topics import Topics
from hiitd.mqtt.watch import watch
from hiitd.settings import MqttSettings

pytestmark = pytest.mark.integration

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


async def test_embedded_broker_serves_link_retained_qos1_and_close(mqtt_subscriber) -> None:
    """The embedded broker carries online, QoS 1 retained state and offline on close."""
    topics = Topics("hiitd", "demo")
    async with embedded_broker() as url:
        assert url.startswith("mqtt://127.0.0.1:")
        link = MqttLink(MqttSettings(url=url), topics)
        link.set_retained(topics.session_state, b'{"state":"running"}')
        task = asyncio.create_task(link.run())
        async with asyncio.timeout(10):
            await link.wait_connected()
        async with mqtt_subscriber(url, f"{topics.base}/#") as sub:
            assert (await sub.wait_for(topic=topics.status)).payload == b"online"
            state = await sub.wait_for(topic=topics.session_state)
            assert (state.retain, state.qos) == (True, 1)
            await link.close()
            await sub.wait_for(topic=topics.status, payload=b"offline")
        await task


async def test_embedded_broker_sends_the_will() -> None:
    """A client killed with SIGKILL gets its will ('offline', retained) from amqtt."""
    athlete = f"t{uuid.uuid4().hex[:8]}"
    status = f"hiitd/{athlete}/status"
    async with embedded_broker() as url:
        child = await asyncio.create_subprocess_exec(
            sys.executable, "-c", CHILD, url, athlete, stdout=asyncio.subprocess.PIPE
        )
        try:
            assert child.stdout is not None
            async with asyncio.timeout(20):
                while (line := await child.stdout.readline()) != b"up\n":
                    assert line, "the child exited before connecting"
            child.send_signal(signal.SIGKILL)
            await child.wait()
            host, port = url.removeprefix("mqtt://").split(":")
            async with asyncio.timeout(10):
                while True:
                    async with aiomqtt.Client(host, int(port)) as client:
                        await client.subscribe(status, qos=1)
                        async with asyncio.timeout(1):
                            message = await anext(aiter(client.messages))
                    if message.payload == b"offline":
                        break
                    await asyncio.sleep(0.1)
            assert message.retain
        finally:
            if child.returncode is None:
                child.kill()
                await child.wait()


async def test_broker_reachable(unused_tcp_port: int) -> None:
    """broker_reachable is True for a running broker and False for a closed port."""
    async with embedded_broker() as url:
        assert await broker_reachable(MqttSettings(url=url))
    closed = MqttSettings(url=f"mqtt://127.0.0.1:{unused_tcp_port}")
    assert not await broker_reachable(closed, timeout=2.0)


async def test_watch_prints_readable_and_json_lines(mosquitto) -> None:
    """hiitd watch prints one readable line per message under <base>, or JSON lines."""
    topics = Topics("hiitd", "watched")
    settings = MqttSettings(url=mosquitto.url)
    for as_json in (False, True):
        lines: list[str] = []
        task = asyncio.create_task(watch(settings, topics, lines.append, as_json=as_json))
        hr = {"ts": 1.0, "bpm": 148, "rr_ms": [402.0], "contact": True, "battery": 87}
        async with aiomqtt.Client(mosquitto.host, mosquitto.port) as client:
            async with asyncio.timeout(10):
                while not lines:
                    await client.publish(topics.hr, json.dumps(hr).encode())
                    await client.publish("hiitd/other/hr", b"{}")
                    await asyncio.sleep(0.1)
        task.cancel()
        with pytest.raises(asyncio.CancelledError):
            await task
        assert all("other" not in line for line in lines)
        if as_json:
            assert json.loads(lines[0])["payload"]["bpm"] == 148
        else:
            assert "hr       148 bpm  rr 402 ms  battery 87%" in lines[0]


async def test_watch_explains_unreachable_broker(unused_tcp_port: int) -> None:
    """watch raises hiitd's MqttError saying why, for the CLI to print."""
    from hiitd.errors import MqttError  # noqa: PLC0415

    settings = MqttSettings(url=f"mqtt://127.0.0.1:{unused_tcp_port}")
    with pytest.raises(MqttError, match="connection refused"):
        await watch(settings, Topics("hiitd", "x"), print, as_json=False)
