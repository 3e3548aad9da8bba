"""The real daemon as a subprocess, its whole output in a file the test reads as it goes.

``Daemon(tmp_path, url).start()`` runs ``hiitd run --simulate`` with JSON logs;
``log()`` parses what it wrote so far, ``wait_log(event)`` waits for a line,
``rss_kb()`` reads its memory, ``stop()`` sends SIGTERM and returns the status.
Also a persistent MQTT subscriber (``clean_session=False``, fixed client id,
QoS 1) that reconnects by itself across a broker outage.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import os
import signal
import subprocess
import sys
import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Self

import aiomqtt

from hiitd.record.session_record import AthleteSnapshot, HrPoint, SessionRecord, SessionStatus
from hiitd.store.db import Store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

BASE = "hiitd/athlete"

# A workout short enough to run its course inside a 10 s outage: 1 s steps mean
# a step start cue and a step summary every second while the broker is away.
DRILL_TOML = """
name = "drill"
[[step]]
repeat = {repeat}
  [[step.step]]
  intensity = "active"
  name = "Work"
  time = "0:01"
  [[step.step]]
  intensity = "recovery"
  name = "Rest"
  time = "0:01"
"""


def write_drill(state_dir: Path, repeat: int) -> str:
    """Put a workout of ``repeat`` x (1 s work, 1 s rest) in the catalogue; its name."""
    (state_dir / "workouts").mkdir(parents=True, exist_ok=True)
    (state_dir / "workouts" / "drill.toml").write_text(
        DRILL_TOML.format(repeat=repeat), encoding="utf-8"
    )
    return "drill"


def daemon_env(state_dir: Path, url: str, **extra: str) -> dict[str, str]:
    """The environment systemd would give it, without the caller's HIITD_* settings."""
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    return env | {
        "STATE_DIRECTORY": str(state_dir),
        "HIITD_LOG__FORMAT": "json",
        "HIITD_MQTT__URL": url,
        "HIITD_ATHLETE__MAX_HR": "190",
        "HIITD_ATHLETE__THRESHOLD_PACE": "4:16",
        "HIITD_COACH__COUNTDOWN_S": "0",
        "HIITD_MQTT__RECONNECT_MAX_S": "2",  # a test's outage is seconds, not hours
        **extra,
    }


@dataclass
class Daemon:
    """``hiitd run --simulate`` with stdout and stderr into one file."""

    tmp_path: Path
    url: str
    env: dict[str, str] = field(default_factory=dict)
    args: tuple[str, ...] = ("run", "--simulate")
    proc: subprocess.Popen[bytes] | None = None

    @property
    def state_dir(self) -> Path:
        """Its STATE_DIRECTORY."""
        return self.tmp_path / "state"

    @property
    def output_file(self) -> Path:
        """Everything it wrote, stdout and stderr."""
        return self.tmp_path / "daemon.out"

    def start(self) -> Self:
        """Start it (not waiting for anything)."""
        self.state_dir.mkdir(parents=True, exist_ok=True)
        with self.output_file.open("ab") as out:
            self.proc = subprocess.Popen(
                [sys.executable, "-m", "hiitd", *self.args],
                env=daemon_env(self.state_dir, self.url, **self.env),
                stdout=out,
                stderr=subprocess.STDOUT,
            )
        return self

    def alive(self) -> bool:
        """Whether the process is still running."""
        return self.proc is not None and self.proc.poll() is None

    def stop(self, sig: signal.Signals = signal.SIGTERM, timeout: float = 60.0) -> int:
        """Signal it and wait; its exit status.

        A daemon still running ``timeout`` s after the signal has lost its stop
        (as the plan service once did: tests/unit/test_cancellation.py): it is
        killed, so no later test inherits it, and the test fails saying so.
        """
        assert self.proc is not None
        if self.proc.poll() is None:
            self.proc.send_signal(sig)
        try:
            return self.proc.wait(timeout)
        except subprocess.TimeoutExpired:
            self.proc.kill()
            self.proc.wait()
            said = self.output()[-3000:]
            msg = f"the daemon ignored {sig.name} for {timeout:g} s:\n{said}"
            raise AssertionError(msg) from None

    def output(self) -> str:
        """All it wrote so far."""
        return self.output_file.read_text(encoding="utf-8", errors="replace")

    def log(self, event: str | None = None) -> list[dict[str, Any]]:
        """Its JSON log lines so far (those named ``event``)."""
        lines = []
        for line in self.output().splitlines():
            if line.startswith("{"):
                with contextlib.suppress(ValueError):
                    doc = json.loads(line)
                    if event is None or doc.get("event") == event:
                        lines.append(doc)
        return lines

    async def wait_log(
        self,
        event: str,
        match: Callable[[dict[str, Any]], bool] | None = None,
        timeout: float = 15.0,
    ) -> dict[str, Any]:
        """The first log line named ``event`` (and matching) within ``timeout``."""
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            for doc in self.log(event):
                if match is None or match(doc):
                    return doc
            assert self.alive(), f"the daemon exited: {self.output()[-3000:]}"
            await asyncio.sleep(0.1)
        raise AssertionError(f"no {event!r} in the daemon's log within {timeout} s")

    def rss_kb(self) -> int:
        """Its resident memory (VmRSS, kB)."""
        assert self.proc is not None
        with open(f"/proc/{self.proc.pid}/status", encoding="ascii") as f:  # noqa: PTH123
            for line in f:
                if line.startswith("VmRSS:"):
                    return int(line.split()[1])
        raise AssertionError("no VmRSS")


def body(payload: bytes) -> dict[str, Any]:
    """A JSON payload as a dict."""
    doc: dict[str, Any] = json.loads(payload)
    return doc


class PersistentSubscriber:
    """A consumer with a persistent session: it reconnects and gets what was queued for it.

    It subscribes once, on its first connection only: after a broker restart
    the subscription must come back from the broker's persisted session.
    """

    def __init__(self, host: str, port: int, topic_filter: str, client_id: str) -> None:
        self.host, self.port, self.client_id = host, port, client_id
        self.topic_filter = topic_filter
        self.messages: list[tuple[str, bytes]] = []
        self.connects = 0
        self._task: asyncio.Task[None] | None = None

    async def __aenter__(self) -> Self:
        self._task = asyncio.create_task(self._run(), name="persistent-subscriber")
        async with asyncio.timeout(10):
            while self.connects == 0:
                await asyncio.sleep(0.05)
        return self

    async def __aexit__(self, *exc: object) -> None:
        assert self._task is not None
        self._task.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await self._task

    async def _run(self) -> None:
        while True:
            try:
                client = aiomqtt.Client(
                    self.host, self.port, identifier=self.client_id, clean_session=False
                )
                async with client:
                    if self.connects == 0:
                        await client.subscribe(self.topic_filter, qos=1)
                    self.connects += 1
                    async for m in client.messages:
                        assert isinstance(m.payload, bytes)
                        self.messages.append((m.topic.value, m.payload))
            except aiomqtt.MqttError:
                await asyncio.sleep(0.2)

    def on(self, topic: str) -> list[dict[str, Any]]:
        """JSON bodies received on ``topic``, in order, duplicates included."""
        return [body(p) for t, p in self.messages if t == topic and p]


def recorded_session(sid: str, start_wall: float, seconds: int = 60) -> SessionRecord:
    """A finished session of ``seconds`` 1 Hz heart-rate points."""
    hr = [HrPoint(float(t), 140, (428.6,), True) for t in range(seconds)]
    return SessionRecord(
        session_id=sid, workout="drill", start_wall=start_wall,
        status=SessionStatus.FINISHED, end_t=float(seconds),
        athlete=AthleteSnapshot(max_hr=190), hr=hr,
    )  # fmt: skip


def store_sessions(state_dir: Path, *sessions: SessionRecord) -> None:
    """Write ``sessions`` into the store in ``state_dir`` (its last checkpoint at their end)."""
    state_dir.mkdir(parents=True, exist_ok=True)
    with Store.open(state_dir) as store:
        for s in sessions:
            store.save(s, durable=True, wall=s.start_wall + (s.end_t or 0.0))
