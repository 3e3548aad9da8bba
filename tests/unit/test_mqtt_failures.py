"""Failure classification: each broker failure named, with advice, from the exception chain."""

from __future__ import annotations

import socket
import ssl

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.packettypes import PacketTypes
from paho.mqtt.reasoncodes import ReasonCode

from hiitd.mqtt.failures import FailureKind, classify


def wrapped(cause: BaseException) -> aiomqtt.MqttError:
    """What aiomqtt raises for a socket error: MqttError(str(exc)) from None."""
    try:
        try:
            raise cause
        except OSError as exc:
            raise aiomqtt.MqttError(str(exc)) from None
    except aiomqtt.MqttError as outer:
        return outer


def test_dns_failure() -> None:
    """An unknown host is a DNS failure naming the host."""
    failure = classify(
        wrapped(socket.gaierror(-2, "Name or service not known")), host="nope", port=1
    )
    assert failure.kind is FailureKind.DNS
    assert "'nope'" in failure.reason


def test_connection_refused() -> None:
    """Nothing listening is 'refused', with host:port."""
    failure = classify(wrapped(ConnectionRefusedError(111, "refused")), host="h", port=1883)
    assert failure.kind is FailureKind.REFUSED
    assert "h:1883" in failure.reason


def test_bad_password_says_check_username_password() -> None:
    """CONNACK 'bad user name or password' advises checking mqtt.username / password."""
    exc = MqttConnectError(ReasonCode(PacketTypes.CONNACK, "Bad user name or password"))
    failure = classify(exc, host="h", port=1)
    assert failure.kind is FailureKind.AUTH
    assert "check mqtt.username / password" in failure.advice


def test_not_authorised_is_auth() -> None:
    """CONNACK 'not authorized' (v3.1.1 code 5) is an auth failure too."""
    assert classify(MqttConnectError(5), host="h", port=1).kind is FailureKind.AUTH


def test_untrusted_certificate() -> None:
    """An untrusted server certificate is TLS, advising mqtt.ca_file."""
    cert_error = ssl.SSLCertVerificationError(1, "certificate verify failed")
    cert_error.verify_message = "unable to get local issuer certificate"
    failure = classify(wrapped(cert_error), host="h", port=8883)
    assert failure.kind is FailureKind.TLS
    assert "mqtt.ca_file" in failure.advice
    assert "local issuer" in failure.reason


def test_lost_link() -> None:
    """A disconnection without a socket error is 'lost'."""
    failure = classify(aiomqtt.MqttError("Disconnected during message iteration"), host="h", port=1)
    assert failure.kind is FailureKind.LOST


def test_error_inside_exception_group() -> None:
    """The cause is found inside an ExceptionGroup too."""
    group = ExceptionGroup("tg", [wrapped(ConnectionRefusedError(111, "refused"))])
    assert classify(group, host="h", port=1).kind is FailureKind.REFUSED
