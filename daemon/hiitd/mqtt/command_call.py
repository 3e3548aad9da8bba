"""The command line asking the running daemon: one command on ``cmd/<action>``, its reply.

The daemon owns the sensors and the session, so a command-line tool that
changes what it does (``hiitd profile confirm-max-hr``, ``hiitd checkin
--live``) sends the daemon's own command with a fresh ``id`` and reads the
``cmd/result`` that carries it. No daemon answering is an error of its own
(exit status 69 on the command line), as is a broker that cannot be reached.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import TYPE_CHECKING, Any, Final

import aiomqtt

from hiitd.errors import MqttError
from hiitd.mqtt.connection import CONNECT_TIMEOUT_S, OPERATION_TIMEOUT_S, make_client
from hiitd.mqtt.failures import classify
from hiitd.mqtt.payloads import encode

if TYPE_CHECKING:
    from collections.abc import AsyncIterator, Iterable

    from hiitd.mqtt.topics import Topics
    from hiitd.settings import MqttSettings

REPLY_TIMEOUT_S: Final = 10.0  # a running daemon answers a command in milliseconds


class NoDaemonError(MqttError):
    """The broker answered but no daemon did (not running, or another athlete id)."""


def new_request_id() -> str:
    """An id no other request of ours carries."""
    return uuid.uuid4().hex[:16]


def json_doc(payload: bytes) -> dict[str, Any] | None:
    """The payload as a JSON object, or None."""
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


@contextlib.asynccontextmanager
async def daemon_client(
    settings: MqttSettings, subscribe: Iterable[str]
) -> AsyncIterator[aiomqtt.Client]:
    """A connected client subscribed to ``subscribe``; link failures become MqttError."""
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = await make_client(settings)
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await stack.enter_async_context(client)
            for topic in subscribe:
                await client.subscribe(topic, qos=1, timeout=OPERATION_TIMEOUT_S)
            yield client
    except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
        failure = classify(exc, host=settings.host, port=settings.port)
        raise MqttError(f"{failure.reason}; {failure.advice}") from exc


def check_offline(topics: Topics, topic: str, payload: bytes) -> None:
    """NoDaemonError when ``topic`` is the daemon's status and it says offline."""
    if topic == topics.status and payload == b"offline":
        raise NoDaemonError(
            f"the daemon of {topics.base} is offline (its status says so): "
            "start it with 'hiitd run' (systemctl start hiitd)"
        )


async def ask_daemon(
    settings: MqttSettings, topics: Topics, action: str, body: dict[str, Any]
) -> dict[str, Any]:
    """Send ``cmd/<action>`` with ``body`` (and a fresh id); the daemon's ``cmd/result``."""
    request_id = new_request_id()
    async with daemon_client(settings, (topics.status, topics.cmd_result)) as client:
        payload = encode({**body, "id": request_id})
        await client.publish(topics.cmd(action), payload, qos=1, timeout=OPERATION_TIMEOUT_S)
        try:
            async with asyncio.timeout(REPLY_TIMEOUT_S):
                async for message in client.messages:
                    check_offline(topics, message.topic.value, message.payload)
                    doc = json_doc(message.payload)
                    ours = doc is not None and doc.get("id") == request_id
                    if message.topic.value == topics.cmd_result and doc is not None and ours:
                        return doc
        except TimeoutError:
            pass
    raise NoDaemonError(
        f"no daemon answered on {topics.base}/cmd/{action} within {REPLY_TIMEOUT_S:g} s: "
        "is 'hiitd run' running, with this broker and athlete id?"
    )
