"""Real brokers for integration tests: a mosquitto per test, and a subscriber that collects.

Fixtures (use them from any integration test):

- ``mosquitto``: a plain broker on a free 127.0.0.1 port; ``stop()``/``start()``
  simulate an outage on the same port, ``stop(wipe=True)`` also loses its state.
- ``mosquitto_auth``: same, requiring ``user`` / ``secret-pw``.
- ``mosquitto_tls``: ``mqtts://`` with a test CA made by ``openssl``; ``.ca_file``.
- ``mosquitto_secure``: TLS, a password file for users ``hiitd``, ``homeassistant``
  and a test-only ``observer`` (reads and writes everything), and the ACL as
  shipped in ``config/mosquitto/acl.example``; ``.client(user)`` logs in as one.
- ``mosquitto_wrong_name``: TLS with a certificate for ``broker.invalid`` only.
- ``mqtt_subscriber``: ``async with mqtt_subscriber(broker, "a/#") as sub:`` then
  ``await sub.wait_for(topic=..., payload=...)`` (deadline, then AssertionError);
  ``user="homeassistant"`` logs in as one of the broker's users (TLS when it speaks it).
"""

from __future__ import annotations

import asyncio
import contextlib
import getpass
import socket
import subprocess
import time
from collections.abc import AsyncIterator, Callable, Iterator
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Self

import aiomqtt
import pytest

_START_TIMEOUT_S = 10.0
ACL_EXAMPLE = Path(__file__).parents[2] / "config" / "mosquitto" / "acl.example"
_STOP_TIMEOUT_S = 5.0


def _root_conftest(config: pytest.Config) -> object:
    # tests/conftest.py cannot be imported by name from here (both are "conftest");
    # pytest registers it as a plugin under its path.
    plugin = config.pluginmanager.get_plugin(str(Path(__file__).parents[1] / "conftest.py"))
    assert plugin is not None, "tests/conftest.py was not loaded"
    return plugin


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass
class Mosquitto:
    """A real mosquitto process on 127.0.0.1, restartable on the same port."""

    executable: str
    workdir: Path
    extra_config: list[str] = field(default_factory=list)
    scheme: str = "mqtt"
    ca_file: Path | None = None
    anonymous: bool = True
    username: str | None = None
    password: str | None = None
    users: dict[str, str] = field(default_factory=dict)
    """Every user the broker knows, with its password (``mosquitto_secure``)."""
    host: str = "127.0.0.1"
    port: int = field(default_factory=_free_port)
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        """``mqtt://127.0.0.1:PORT`` (``mqtts://`` for the TLS broker)."""
        return f"{self.scheme}://{self.host}:{self.port}"

    def client(self, user: str | None = None, **kw: Any) -> aiomqtt.Client:
        """A client of this broker (TLS with its CA when it speaks TLS), as ``user``."""
        tls = aiomqtt.TLSParameters(ca_certs=str(self.ca_file)) if self.scheme == "mqtts" else None
        login = {"username": user, "password": self.users[user]} if user else {}
        return aiomqtt.Client(self.host, self.port, tls_params=tls, timeout=5, **login, **kw)

    @property
    def log_file(self) -> Path:
        """mosquitto's own log, for a failing test's post-mortem."""
        return self.workdir / "mosquitto.log"

    def start(self) -> None:
        """Start (or restart) on the same port; return once it accepts connections."""
        assert self._proc is None, "already running"
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            "\n".join(
                [
                    # As root, mosquitto would switch to user "mosquitto", which cannot
                    # read tmp_path; naming the current user keeps it as it is.
                    f"user {getpass.getuser()}",
                    f"listener {self.port} {self.host}",
                    f"allow_anonymous {'true' if self.anonymous else 'false'}",
                    "persistence true",
                    f"persistence_location {self.workdir}/",
                    f"log_dest file {self.log_file}",
                    "log_type all",
                    *self.extra_config,
                    "",
                ]
            ),
            encoding="utf-8",
        )
        self._proc = subprocess.Popen(
            [self.executable, "-c", str(conf)],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                _, err_bytes = self._proc.communicate()
                err = err_bytes.decode(errors="replace")
                self._proc = None
                pytest.fail(f"mosquitto exited at start: {err}", pytrace=False)
            with (
                contextlib.suppress(OSError),
                socket.create_connection((self.host, self.port), 0.2),
            ):
                return
            time.sleep(0.02)
        self.stop()
        pytest.fail(f"mosquitto did not listen on {self.port} within {_START_TIMEOUT_S} s")

    def stop(self, *, wipe: bool = False) -> None:
        """Terminate it; ``wipe`` also deletes its persisted state (retained messages)."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(_STOP_TIMEOUT_S)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(_STOP_TIMEOUT_S)
            if self._proc.stderr:
                self._proc.stderr.close()
            self._proc = None
        if wipe:
            (self.workdir / "mosquitto.db").unlink(missing_ok=True)


def _mosquitto_executable(config: pytest.Config) -> str:
    require: Callable[..., str] = _root_conftest(config).require_executable  # type: ignore[attr-defined]
    return require("mosquitto", "/usr/sbin/mosquitto")


@pytest.fixture
def mosquitto(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mosquitto]:
    """A plain mosquitto on a free port of 127.0.0.1, stopped at teardown."""
    broker = Mosquitto(_mosquitto_executable(request.config), tmp_path)
    broker.start()
    yield broker
    broker.stop()


AUTH_USER = "user"
AUTH_PASSWORD = "secret-pw"  # noqa: S105 - a throwaway test broker's password


@pytest.fixture
def mosquitto_auth(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mosquitto]:
    """A mosquitto that only accepts ``user`` / ``secret-pw``."""
    exe = _mosquitto_executable(request.config)
    passwd_tool = _root_conftest(request.config).require_executable(  # type: ignore[attr-defined]
        "mosquitto_passwd", "/usr/bin/mosquitto_passwd"
    )
    passwords = tmp_path / "passwd"
    subprocess.run(
        [passwd_tool, "-b", "-c", str(passwords), AUTH_USER, AUTH_PASSWORD],
        check=True,
        capture_output=True,
    )
    passwords.chmod(0o600)
    broker = Mosquitto(
        exe,
        tmp_path,
        extra_config=[f"password_file {passwords}"],
        anonymous=False,
        username=AUTH_USER,
        password=AUTH_PASSWORD,
    )
    broker.start()
    yield broker
    broker.stop()


def make_test_pki(
    openssl: str, where: Path, san: str = "IP:127.0.0.1,DNS:localhost"
) -> tuple[Path, Path, Path]:
    """A CA and a server certificate for ``san`` (127.0.0.1/localhost): (ca, cert, key)."""
    where.mkdir(parents=True, exist_ok=True)
    ca_key, ca_crt = where / "ca.key", where / "ca.crt"
    key, csr, crt = where / "server.key", where / "server.csr", where / "server.crt"
    ext = where / "san.ext"
    ext.write_text(f"subjectAltName={san}\n", encoding="utf-8")

    def run(*args: str) -> None:
        subprocess.run([openssl, *args], check=True, capture_output=True)

    run("req", "-x509", "-newkey", "rsa:2048", "-nodes", "-days", "2", "-subj", "/CN=hiitd test CA",
        "-keyout", str(ca_key), "-out", str(ca_crt))  # fmt: skip
    run("req", "-newkey", "rsa:2048", "-nodes", "-subj", "/CN=localhost",
        "-keyout", str(key), "-out", str(csr))  # fmt: skip
    run("x509", "-req", "-in", str(csr), "-CA", str(ca_crt), "-CAkey", str(ca_key),
        "-CAcreateserial", "-days", "2", "-extfile", str(ext), "-out", str(crt))  # fmt: skip
    return ca_crt, crt, key


@pytest.fixture
def mosquitto_tls(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mosquitto]:
    """A mosquitto speaking only TLS, its certificate signed by ``.ca_file``."""
    broker = _tls_broker(request, tmp_path, san="IP:127.0.0.1,DNS:localhost", secure=False)
    broker.start()
    yield broker
    broker.stop()


# The users of mosquitto_secure. "observer" is the test's own eye on the broker
# (the ACL example has no such user: it is appended to a copy of it).
SECURE_USERS = {
    "hiitd": "hiitd-test-pw",
    "homeassistant": "ha-test-pw",
    "observer": "observer-test-pw",
}
_OBSERVER_ACL = "\n# test only: sees and may write everything\nuser observer\ntopic readwrite #\n"


def _tls_broker(
    request: pytest.FixtureRequest, tmp_path: Path, *, san: str, secure: bool
) -> Mosquitto:
    exe = _mosquitto_executable(request.config)
    require = _root_conftest(request.config).require_executable  # type: ignore[attr-defined]
    ca, cert, key = make_test_pki(require("openssl"), tmp_path / "pki", san)
    config = [f"cafile {ca}", f"certfile {cert}", f"keyfile {key}"]
    users: dict[str, str] = {}
    if secure:
        passwd_tool = require("mosquitto_passwd", "/usr/bin/mosquitto_passwd")
        passwords, acl = tmp_path / "passwd", tmp_path / "acl"
        passwords.touch(mode=0o600)
        for user, password in SECURE_USERS.items():
            subprocess.run(
                [passwd_tool, "-b", str(passwords), user, password], check=True, capture_output=True
            )
        acl.write_text(ACL_EXAMPLE.read_text(encoding="utf-8") + _OBSERVER_ACL, encoding="utf-8")
        config += [f"password_file {passwords}", f"acl_file {acl}"]
        users = dict(SECURE_USERS)
    return Mosquitto(
        exe,
        tmp_path,
        extra_config=config,
        scheme="mqtts",
        ca_file=ca,
        anonymous=not secure,
        username="hiitd" if secure else None,
        password=users.get("hiitd"),
        users=users,
    )


@pytest.fixture
def mosquitto_secure(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mosquitto]:
    """TLS (``.ca_file``), a password file (``.users``) and the shipped ACL example."""
    broker = _tls_broker(request, tmp_path, san="IP:127.0.0.1,DNS:localhost", secure=True)
    broker.start()
    yield broker
    broker.stop()


@pytest.fixture
def mosquitto_wrong_name(request: pytest.FixtureRequest, tmp_path: Path) -> Iterator[Mosquitto]:
    """TLS on 127.0.0.1 with a certificate (from ``.ca_file``) naming only broker.invalid."""
    broker = _tls_broker(request, tmp_path, san="DNS:broker.invalid", secure=False)
    broker.start()
    yield broker
    broker.stop()


@dataclass(frozen=True)
class Received:
    """One message as a subscriber saw it."""

    topic: str
    payload: bytes
    retain: bool
    qos: int


class Subscriber:
    """Collects every message on ``topic_filter`` in the background."""

    def __init__(
        self, host: str, port: int, topic_filter: str, client: aiomqtt.Client | None = None
    ) -> None:
        self.host, self.port, self.topic_filter = host, port, topic_filter
        self._client = client
        self.messages: list[Received] = []
        self._arrived = asyncio.Event()
        self._stack = contextlib.AsyncExitStack()

    async def __aenter__(self) -> Self:
        client = self._client or aiomqtt.Client(self.host, self.port, timeout=5)
        async with asyncio.timeout(10):
            await self._stack.enter_async_context(client)
            await client.subscribe(self.topic_filter, qos=1)
        tg = await self._stack.enter_async_context(asyncio.TaskGroup())
        reader = tg.create_task(self._read(client), name="test-subscriber")
        self._stack.callback(reader.cancel)
        return self

    async def __aexit__(self, *exc: object) -> None:
        await self._stack.aclose()

    async def _read(self, client: aiomqtt.Client) -> None:
        async for message in client.messages:
            payload = message.payload
            assert isinstance(payload, bytes)
            self.messages.append(
                Received(message.topic.value, payload, message.retain, message.qos)
            )
            self._arrived.set()

    def on(self, topic: str) -> list[Received]:
        """What arrived on ``topic`` so far, in order."""
        return [m for m in self.messages if m.topic == topic]

    async def wait_for(
        self,
        *,
        topic: str | None = None,
        payload: bytes | None = None,
        match: Callable[[Received], bool] | None = None,
        timeout: float = 5.0,
    ) -> Received:
        """The first message (seen so far or arriving before ``timeout``) that matches."""

        def ok(m: Received) -> bool:
            return (
                (topic is None or m.topic == topic)
                and (payload is None or m.payload == payload)
                and (match is None or match(m))
            )

        try:
            async with asyncio.timeout(timeout):
                while True:
                    for m in self.messages:
                        if ok(m):
                            return m
                    self._arrived.clear()
                    await self._arrived.wait()
        except TimeoutError:
            seen = [(m.topic, m.payload, m.retain) for m in self.messages]
            raise AssertionError(
                f"no {topic!r} {payload!r} within {timeout} s; seen: {seen}"
            ) from None


SubscriberFactory = Callable[..., AbstractAsyncContextManager[Subscriber]]


@pytest.fixture
def mqtt_subscriber() -> SubscriberFactory:
    """``async with mqtt_subscriber(broker_or_url, "filter/#", user=None) as sub: ...``."""

    @contextlib.asynccontextmanager
    async def subscribe(
        broker: Mosquitto | str, topic_filter: str, *, user: str | None = None
    ) -> AsyncIterator[Subscriber]:
        if isinstance(broker, str):
            host, _, port = broker.removeprefix("mqtt://").partition(":")
            address, client = (host, int(port)), None
        else:
            address = (broker.host, broker.port)
            client = broker.client(user) if user or broker.scheme == "mqtts" else None
        async with Subscriber(*address, topic_filter, client) as sub:
            yield sub

    return subscribe


# The BLE fixtures (private dbus-daemon, emulated BlueZ) live in their own module.
from conftest_ble import bluez, hr_frames, private_bus  # noqa: E402, F401
