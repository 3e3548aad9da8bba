"""One message to the broker and back out: for command-line tools such as ``hiitd ha remove``."""

from __future__ import annotations

import asyncio
import contextlib
from typing import TYPE_CHECKING

import aiomqtt

from hiitd.errors import MqttError
from hiitd.mqtt.connection import CONNECT_TIMEOUT_S, OPERATION_TIMEOUT_S, make_client
from hiitd.mqtt.failures import classify

if TYPE_CHECKING:
    from hiitd.settings import MqttSettings


async def publish_once(
    settings: MqttSettings, topic: str, payload: bytes, *, retain: bool, qos: int = 1
) -> None:
    """Connect, publish, wait for the broker's acknowledgement, disconnect.

    Raises hiitd.errors.MqttError saying why and what to do (a terminal tool:
    no silent retries).
    """
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = await make_client(settings)
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await stack.enter_async_context(client)
            await client.publish(
                topic, payload, qos=qos, retain=retain, timeout=OPERATION_TIMEOUT_S
            )
    except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
        failure = classify(exc, host=settings.host, port=settings.port)
        raise MqttError(f"{failure.reason}; {failure.advice}") from exc


async def read_retained(
    settings: MqttSettings, topics: list[str], *, wait_s: float = 1.5
) -> dict[str, bytes]:
    """Connect with the configured login and TLS, subscribe to ``topics``, and return the
    retained messages the broker sends within ``wait_s``; MqttError (reason and advice)
    when the broker cannot be reached or refuses the login."""
    from hiitd.mqtt.command_call import daemon_client  # noqa: PLC0415 - its one connect

    found: dict[str, bytes] = {}
    async with daemon_client(settings, topics) as client:
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(wait_s):
                async for message in client.messages:
                    if message.retain and isinstance(message.payload, bytes):
                        found[str(message.topic)] = message.payload
                    if len(found) >= len(topics):
                        break
    return found
