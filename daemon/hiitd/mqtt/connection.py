"""Building an aiomqtt client from the settings: address, login, TLS, deadlines."""

from __future__ import annotations

import asyncio
import socket
import ssl
from typing import TYPE_CHECKING

import aiomqtt

if TYPE_CHECKING:
    from hiitd.settings import MqttSettings

# One broker round trip (CONNACK, PUBACK, SUBACK). Generous for a Pi on Wi-Fi.
OPERATION_TIMEOUT_S = 10.0
# The whole connect: DNS + TCP + TLS + CONNACK. getaddrinfo has no deadline of
# its own, so this backstop sits above paho's 5 s socket timeout and the CONNACK wait.
CONNECT_TIMEOUT_S = 30.0
# Nagle off. Each QoS 1 exchange (PUBLISH, then the broker's PUBACK) puts the
# broker's end of the connection in Linux's interactive mode, where it delays
# the ACKs of the QoS 0 telemetry that follows by 20-40 ms; with Nagle on, the
# next sample then waits in our socket for that ACK (seen in a capture on
# loopback: 1 % of 50 Hz samples 20-25 ms late). Our messages are whole
# packets written at once, so there is nothing for Nagle to coalesce anyway.
SOCKET_OPTIONS = ((socket.IPPROTO_TCP, socket.TCP_NODELAY, 1),)


def tls_parameters(settings: MqttSettings) -> aiomqtt.TLSParameters | None:
    """aiomqtt's TLS parameters, or None for plain ``mqtt://``.

    Without ``ca_file`` the system CAs are used (paho calls
    ``load_default_certs()``). Verification stays on unless ``tls_insecure``.
    aiomqtt applies these in its connect thread, so reading the files does not
    block the event loop.
    """
    if not settings.tls:
        return None
    return aiomqtt.TLSParameters(
        ca_certs=str(settings.ca_file) if settings.ca_file else None,
        certfile=str(settings.cert_file) if settings.cert_file else None,
        keyfile=str(settings.key_file) if settings.key_file else None,
        cert_reqs=ssl.CERT_NONE if settings.tls_insecure else ssl.CERT_REQUIRED,
    )


def tls_insecure(settings: MqttSettings) -> bool | None:
    """aiomqtt's ``tls_insecure`` (skip the host-name check); None for plain ``mqtt://``."""
    return settings.tls_insecure if settings.tls else None


async def make_client(
    settings: MqttSettings,
    *,
    will: aiomqtt.Will | None = None,
    identifier: str | None = None,
) -> aiomqtt.Client:
    """A not yet connected client; ``async with`` it to connect.

    The password is read here, off the event loop, on every call, so a rotated
    ``password_file`` or systemd credential is picked up at the next reconnect.
    """
    password = await asyncio.to_thread(settings.secret)
    return aiomqtt.Client(
        settings.host,
        settings.port,
        username=settings.username,
        password=password,
        identifier=identifier if identifier is not None else settings.client_id,
        will=will,
        keepalive=settings.keepalive_s,
        timeout=OPERATION_TIMEOUT_S,
        tls_params=tls_parameters(settings),
        tls_insecure=tls_insecure(settings),
        socket_options=SOCKET_OPTIONS,
    )
