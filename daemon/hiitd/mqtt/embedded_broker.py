"""An embedded broker for ``hiitd demo`` when no broker is reachable.

amqtt (pure Python, a declared dependency) is used rather than spawning
mosquitto, which a demo machine may not have. Checked against aiomqtt before
choosing it: QoS 1 publishes, retained messages and the will on an abrupt
disconnect all behave (tests/integration/test_mqtt_broker.py keeps checking).
"""

from __future__ import annotations

import asyncio
import contextlib
import socket
from typing import TYPE_CHECKING

import aiomqtt
import structlog
from amqtt.broker import Broker
from amqtt.errors import BrokerError

from hiitd.errors import MqttError
from hiitd.mqtt.connection import make_client
from hiitd.mqtt.failures import classify

if TYPE_CHECKING:
    from collections.abc import AsyncIterator

    from hiitd.settings import MqttSettings

log = structlog.get_logger()

# Another process can take the port between our probe and amqtt's bind.
_BIND_ATTEMPTS = 3


def _free_port(host: str) -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((host, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.asynccontextmanager
async def embedded_broker(host: str = "127.0.0.1") -> AsyncIterator[str]:
    """Run an anonymous MQTT 3.1.1 broker on a free port of ``host``; yield its URL."""
    for attempt in range(1, _BIND_ATTEMPTS + 1):
        port = _free_port(host)
        broker = Broker(
            {
                "listeners": {"default": {"type": "tcp", "bind": f"{host}:{port}"}},
                "plugins": {
                    "amqtt.plugins.authentication.AnonymousAuthPlugin": {"allow_anonymous": True}
                },
            }
        )
        try:
            await broker.start()
        except BrokerError as exc:  # amqtt wraps the bind error: port taken meanwhile
            if attempt == _BIND_ATTEMPTS or not isinstance(exc.__cause__, OSError):
                raise MqttError(f"cannot start the embedded MQTT broker: {exc}") from exc
            continue
        break
    url = f"mqtt://{host}:{port}"
    log.info("mqtt_embedded_broker_started", url=url)
    try:
        yield url
    finally:
        await broker.shutdown()
        log.info("mqtt_embedded_broker_stopped", url=url)


async def broker_reachable(settings: MqttSettings, timeout: float = 2.0) -> bool:  # noqa: ASYNC109 - a probe with its own short deadline
    """Whether the configured broker accepts our connection (login included) now."""
    try:
        async with asyncio.timeout(timeout):
            async with await make_client(settings):
                return True
    except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
        failure = classify(exc, host=settings.host, port=settings.port)
        log.info("mqtt_broker_unreachable", reason=failure.reason, advice=failure.advice)
        return False
