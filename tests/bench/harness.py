"""The real ``supervise()`` with sources that stamp samples, and an MQTT subscriber.

Latency is from the moment a notification reaches the driver boundary (before
it is decoded) to the moment the subscriber's client hands over the MQTT
message, both on ``time.perf_counter`` in one process. Messages on one topic
from one client arrive in order (MQTT 3.1.1, section 4.6), so the i-th ``hr``
message belongs to the i-th heart-rate sample; its ``bpm`` is checked against
the sample's, and a mismatch is counted, not guessed at. A cue is attributed to
the sample being handled when the engine produced it (a coach listener runs
inside ``coach.on_sample``); its ``id`` then finds it on ``session/cue``.
"""

from __future__ import annotations

import asyncio
import json
import time
from collections import deque
from collections.abc import Callable, Coroutine
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, TypeAlias

import aiomqtt
import structlog

from hiitd.coach.events import CueEvent
from hiitd.runtime.daemon import RunOptions, supervise
from hiitd.settings import AthleteSettings, LogSettings, MqttSettings, Settings, StorageSettings
from hiitd_drivers.clock import MonotonicClock

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import Event
    from hiitd_drivers.samples import Sample

Emit: TypeAlias = Callable[["Sample"], None]
Source: TypeAlias = Callable[[Emit, Callable[[float], float]], Coroutine[Any, Any, None]]


def quiet_logs() -> None:
    """Warnings only: a log line per message would be measured too."""
    structlog.configure(wrapper_class=structlog.make_filtering_bound_logger(30))


def settings(url: str, state_dir: Path, athlete: str, coach: CoachConfig) -> Settings:
    """A daemon's settings for the benchmark broker and a temporary state dir."""
    return Settings(
        athlete=AthleteSettings(id=athlete, max_hr=190, resting_hr=55, threshold_pace="4:30"),
        mqtt=MqttSettings(url=url),
        coach=coach,
        storage=StorageSettings(state_dir=state_dir),
        log=LogSettings(level="warning"),
    )


@dataclass
class Athlete:
    """One daemon under test: what its source stamped and what the subscriber got."""

    id: str
    hr_sent: deque[tuple[float, int | None, bool]] = field(default_factory=deque)
    hr_ms: list[float] = field(default_factory=list)
    cue_sent: dict[str, float] = field(default_factory=dict)
    cue_ms: list[float] = field(default_factory=list)
    cue_kinds: tuple[str, ...] = ()
    mismatched: int = 0
    last_stamp: float = 0.0
    measuring: bool = False  # latencies are kept only for samples sent while True

    def stamp(self, bpm: int | None) -> float:
        """Note a heart-rate notification arriving now; returns the stamp."""
        t = time.perf_counter()
        self.last_stamp = t
        self.hr_sent.append((t, bpm, self.measuring))
        return t

    def listener(self, event: Event) -> None:
        """Coach listener: a cue of a watched kind belongs to the sample being handled."""
        if isinstance(event, CueEvent) and event.cue.kind.value in self.cue_kinds:
            self.cue_sent[event.cue.id] = self.last_stamp

    def received(self, kind: str, payload: dict[str, Any], t: float) -> None:
        """A message for this athlete reached the subscriber at ``t``."""
        if kind == "hr":
            if not self.hr_sent:
                self.mismatched += 1
                return
            sent, bpm, measured = self.hr_sent.popleft()
            if payload.get("bpm") != bpm:
                self.mismatched += 1
            elif measured:
                self.hr_ms.append((t - sent) * 1000)
        elif kind == "session/cue":
            sent_at = self.cue_sent.pop(payload.get("id", ""), None)
            if sent_at is not None:
                self.cue_ms.append((t - sent_at) * 1000)


async def subscribe(
    url: str, athletes: dict[str, Athlete], ready: asyncio.Event, prefix: str = "hiitd"
) -> None:
    """Route ``<prefix>/<id>/hr`` and ``.../session/cue`` to their athletes until cancelled."""
    host, port = url.removeprefix("mqtt://").split(":")
    async with aiomqtt.Client(host, int(port), identifier="bench-subscriber") as client:
        await client.subscribe(f"{prefix}/+/hr", qos=0)
        await client.subscribe(f"{prefix}/+/session/cue", qos=1)
        ready.set()
        async for message in client.messages:
            t = time.perf_counter()
            parts = message.topic.value.split("/", 2)
            athlete = athletes.get(parts[1])
            if athlete is not None and isinstance(message.payload, bytes):
                athlete.received(parts[2], json.loads(message.payload), t)


async def run_daemons(
    url: str,
    state_dir: Path,
    athletes: dict[str, Athlete],
    sources: dict[str, Source],
    *,
    coach: CoachConfig,
    seconds: float,
    workout: str | None = None,
    warmup_s: float = 2.0,
) -> float:
    """Run one ``supervise()`` per athlete for ``seconds``; returns the process CPU seconds used."""
    ready = asyncio.Event()
    clock = MonotonicClock()
    async with asyncio.TaskGroup() as tg:
        sub = tg.create_task(subscribe(url, athletes, ready), name="bench-subscriber")
        await ready.wait()
        daemons = []
        for aid, athlete in athletes.items():
            cfg = settings(url, state_dir / aid, aid, coach)
            (state_dir / aid).mkdir(parents=True, exist_ok=True)
            opts = RunOptions(listeners=[athlete.listener], start_workout=workout, resume=False)
            daemons.append(
                tg.create_task(supervise(cfg, clock, sources[aid], opts), name=f"hiitd-{aid}")
            )
        await asyncio.sleep(warmup_s)
        for athlete in athletes.values():
            athlete.measuring = True
        cpu0 = time.process_time()
        await asyncio.sleep(seconds)
        cpu = time.process_time() - cpu0
        for athlete in athletes.values():
            athlete.measuring = False
        await asyncio.sleep(0.5)  # the last messages in flight
        for task in (*daemons, sub):
            task.cancel()
    return cpu
