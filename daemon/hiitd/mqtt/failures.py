"""Why the broker link failed, in words a user can act on.

One pure function of the exception, like bleak-retry-connector's retry policy.
aiomqtt re-raises socket errors as ``MqttError(str(exc)) from None``; the
original error is still on ``__context__`` (``from None`` only hides it from the
traceback), so the kind is read from the exception chain, not from its text.
"""

from __future__ import annotations

import enum
import socket
import ssl
from dataclasses import dataclass

import aiomqtt
from aiomqtt.exceptions import MqttConnectError
from paho.mqtt.reasoncodes import ReasonCode

# MQTT 5 CONNACK reason codes; paho maps the MQTT 3.1.1 return codes 4 and 5 onto
# them (paho.mqtt._packet.convert_connack_rc_to_reason_code).
_BAD_USERNAME_OR_PASSWORD = 134
_NOT_AUTHORIZED = 135
_V311_AUTH_CODES = (4, 5)


class FailureKind(enum.StrEnum):
    """The classes of failure a user handles differently."""

    DNS = "dns"
    REFUSED = "refused"
    UNREACHABLE = "unreachable"
    AUTH = "auth"
    TLS = "tls"
    TIMEOUT = "timeout"
    LOST = "lost"
    CONFIG = "config"
    OTHER = "other"


@dataclass(frozen=True, slots=True)
class Failure:
    """What went wrong (``reason``) and what to do about it (``advice``)."""

    kind: FailureKind
    reason: str
    advice: str


def _chain(exc: BaseException) -> list[BaseException]:
    """``exc``, then its causes and contexts (depth first), each once."""
    seen: list[BaseException] = []
    todo: list[BaseException] = [exc]
    while todo:
        current = todo.pop()
        if any(current is known for known in seen):
            continue
        seen.append(current)
        if isinstance(current, BaseExceptionGroup):
            todo.extend(reversed(current.exceptions))
        todo.extend(e for e in (current.__context__, current.__cause__) if e is not None)
    return seen


def classify(exc: BaseException, *, host: str, port: int) -> Failure:
    """Name the failure behind ``exc`` (a connect or link error) and say what to do."""
    where = f"{host}:{port}"
    for link in _chain(exc):
        # In this order: DNS, refused, TLS and timeout errors are all OSErrors,
        # so the catch-all "unreachable" (any OSError with an errno) comes last.
        failure = (
            _address_failure(link, host, where)
            or _tls_failure(link, where)
            or _login_failure(link, where)
            or _os_failure(link, where)
        )
        if failure is not None:
            return failure
    said = [str(link) for link in _chain(exc) if isinstance(link, aiomqtt.MqttError)]
    if said:
        # e.g. "Disconnected during message iteration" caused by
        # "[code:7] The connection was lost.": say both.
        details = "; ".join(dict.fromkeys(said))
        return Failure(FailureKind.LOST, f"link to {where} lost: {details}", "retrying")
    return Failure(FailureKind.OTHER, f"{type(exc).__name__}: {exc}", "retrying")


def _text(link: BaseException) -> str:
    return str(link) or type(link).__name__


def _address_failure(link: BaseException, host: str, where: str) -> Failure | None:
    """An unknown host name, or nothing listening on the port."""
    if isinstance(link, socket.gaierror):
        return Failure(
            FailureKind.DNS,
            f"cannot resolve broker host {host!r}: {_text(link)}",
            "check mqtt.url (host name) and the network/DNS",
        )
    if isinstance(link, ConnectionRefusedError):
        return Failure(
            FailureKind.REFUSED,
            f"connection refused by {where}",
            "is the broker running and listening on this port? check mqtt.url",
        )
    return None


def _tls_failure(link: BaseException, where: str) -> Failure | None:
    """An untrusted certificate, or another failed TLS handshake."""
    if isinstance(link, ssl.SSLCertVerificationError):
        return Failure(
            FailureKind.TLS,
            f"TLS certificate of {where} not trusted: {link.verify_message}",
            "check mqtt.ca_file (the CA that signed the broker's certificate) "
            "and that mqtt.url names the host in the certificate",
        )
    if isinstance(link, ssl.SSLError):
        return Failure(
            FailureKind.TLS,
            f"TLS handshake with {where} failed: {_text(link)}",
            "check mqtt.url (mqtts:// to a TLS port), mqtt.ca_file, cert_file, key_file",
        )
    return None


def _login_failure(link: BaseException, where: str) -> Failure | None:
    """The broker's CONNACK said no: to the login, or for another reason."""
    if isinstance(link, MqttConnectError) and _is_auth(link.rc):
        return Failure(
            FailureKind.AUTH,
            f"broker {where} rejected the login: {link}",
            "check mqtt.username / password (or password_file) and the broker's ACL",
        )
    if isinstance(link, MqttConnectError):
        return Failure(
            FailureKind.REFUSED,
            f"broker {where} refused the connection: {link}",
            "check mqtt.client_id and the broker's log",
        )
    return None


def _os_failure(link: BaseException, where: str) -> Failure | None:
    """No answer in time, a settings file that cannot be read, any other socket error."""
    if isinstance(link, TimeoutError | socket.timeout):
        return Failure(
            FailureKind.TIMEOUT,
            f"no answer from {where} in time",
            "check mqtt.url, firewalls, and that the broker is not overloaded",
        )
    if isinstance(link, FileNotFoundError | PermissionError):
        return Failure(
            FailureKind.CONFIG,
            f"cannot read a file the MQTT settings name: {_text(link)}",
            "check mqtt.password_file, ca_file, cert_file and key_file",
        )
    if isinstance(link, OSError) and link.errno is not None:
        return Failure(
            FailureKind.UNREACHABLE,
            f"cannot reach {where}: {_text(link)}",
            "check mqtt.url and the network",
        )
    return None


def _is_auth(rc: int | ReasonCode | None) -> bool:
    if isinstance(rc, ReasonCode):
        return rc.value in (_BAD_USERNAME_OR_PASSWORD, _NOT_AUTHORIZED)
    return rc in _V311_AUTH_CODES
