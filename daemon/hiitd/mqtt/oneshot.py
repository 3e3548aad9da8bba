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
