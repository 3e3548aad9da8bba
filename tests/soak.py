"""Soak: a long session on the accelerated clock, with strap dropouts and a broker restart.

    .venv/bin/python tests/soak.py --hours 3 --speed 120

(Not ``python -m tests.soak``: a dependency installs a top-level ``tests`` package.)

Runs the real supervisor (engine, recorder, outbox, MQTT link) in this process
against a real mosquitto, with a simulated runner whose sensors drop out every
20 minutes, and restarts the broker with empty state half-way. It reports the
process's RSS, the number of asyncio tasks and the outbox size when the session
has just started and after it ended and everything was delivered, and exits 1
when RSS grew by 5 MB or more or the tasks or the outbox did not return to
their baseline.

One-time costs are paid before the baseline, so the figures show leaks, not
warm-up: a one-minute session runs to its end first (its post-session work
imports the analysis machinery once), then the long session is started by an
MQTT command, as a phone would. The session time is ``hours`` x 3600 s; the
wall time is that divided by ``speed``. ``--sessions N`` runs the long session
N times and prints the figures after each: a leak grows with every session,
a one-time cost does not.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import getpass
import os
import shutil
import socket
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.coach.events import Event
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

RSS_GROWTH_LIMIT_KB = 5 * 1024
DROPOUT_EVERY_S = 20 * 60  # session seconds between strap dropouts
DROPOUT_S = 30.0
BROKER_DOWN_S = 2.0  # wall seconds


def rss_kb() -> int:
    """This process's resident memory (kB)."""
    for line in Path("/proc/self/status").read_text(encoding="ascii").splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1])
    raise RuntimeError("no VmRSS in /proc/self/status")


def soak_workout(hours: float) -> str:
    """A warm-up, then (3 min work, 2 min jog) until ``hours``, then a cool-down."""
    reps = max(1, round((hours * 60 - 20) / 5))
    return f"""name = "soak"
[[step]]
intensity = "warmup"
time = "10:00"
[[step]]
repeat = {reps}
  [[step.step]]
  intensity = "active"
  time = "3:00"
  pct_max_hr = [80, 90]
  [[step.step]]
  intensity = "recovery"
  time = "2:00"
[[step]]
intensity = "cooldown"
time = "10:00"
"""


class Broker:
    """A mosquitto on a free loopback port, restartable with empty state."""

    def __init__(self, workdir: Path) -> None:
        self.workdir = workdir
        with socket.socket() as sock:
            sock.bind(("127.0.0.1", 0))
            self.port = int(sock.getsockname()[1])
        self.proc: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        """Start it and wait until it listens."""
        conf = self.workdir / "mosquitto.conf"
        conf.write_text(
            f"user {getpass.getuser()}\nlistener {self.port} 127.0.0.1\n"
            f"allow_anonymous true\nlog_dest none\n",
            encoding="utf-8",
        )
        exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
        self.proc = subprocess.Popen([exe, "-c", str(conf)], stderr=subprocess.DEVNULL)
        deadline = time.monotonic() + 10
        while time.monotonic() < deadline:
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", self.port)):
                return
            time.sleep(0.05)
        raise RuntimeError("mosquitto did not start")

    def stop(self) -> None:
        """Stop it (no persistence: it comes back empty)."""
        if self.proc is not None:
            self.proc.terminate()
            self.proc.wait(10)
            self.proc = None


async def soak(hours: float, speed: float, workdir: Path, sessions: int = 1) -> int:
    """Run the soak; 0 when the figures are within bounds."""
    os.environ["STATE_DIRECTORY"] = str(workdir / "state")
    broker = Broker(workdir)
    broker.start()
    os.environ.update(
        {
            "HIITD_MQTT__URL": f"mqtt://127.0.0.1:{broker.port}",
            "HIITD_MQTT__RECONNECT_MAX_S": "2",
            "HIITD_ATHLETE__MAX_HR": "190",
            "HIITD_ATHLETE__RESTING_HR": "55",
            "HIITD_ATHLETE__THRESHOLD_PACE": "4:16",
        }
    )
    from hiitd.coach.events import SessionEnded, StateChanged  # noqa: PLC0415
    from hiitd.logs import configure_logging  # noqa: PLC0415
    from hiitd.runtime.daemon import RunOptions, supervise  # noqa: PLC0415
    from hiitd.runtime.sensor_sources import athlete_model  # noqa: PLC0415
    from hiitd.settings import load_settings  # noqa: PLC0415
    from hiitd.store.db import Store  # noqa: PLC0415
    from hiitd_drivers.clock import ScaledClock  # noqa: PLC0415
    from hiitd_drivers.samples import Role  # noqa: PLC0415
    from hiitd_drivers.sim import Dropout, SimulatedAthlete, run_simulation  # noqa: PLC0415

    configure_logging("warning", "json")
    settings = load_settings()
    (settings.storage.state_dir / "workouts").mkdir(parents=True, exist_ok=True)
    (settings.storage.state_dir / "workouts" / "soak.toml").write_text(
        soak_workout(hours), encoding="utf-8"
    )
    session_s = hours * 3600
    dropouts = tuple(
        Dropout(Role.HR, t, DROPOUT_S, "link" if i % 2 else "contact")
        for i, t in enumerate(range(DROPOUT_EVERY_S, int(session_s), DROPOUT_EVERY_S))
    )
    clock = ScaledClock(speed)
    started, ended = asyncio.Event(), asyncio.Event()
    sessions_ended = [0]

    def watch(event: Event) -> None:
        if isinstance(event, StateChanged) and event.snapshot.state.value == "running":
            started.set()
        if isinstance(event, SessionEnded):
            sessions_ended[0] += 1
            ended.set()

    async def source(emit: Callable[[Sample], None], target: Callable[[float], float]) -> None:
        athlete = SimulatedAthlete(athlete_model(settings, 0.95), seed=7, dropouts=dropouts)
        await run_simulation(athlete, clock, target, emit)

    (settings.storage.state_dir / "workouts" / "warm.toml").write_text(
        'name = "warm"\n[[step]]\nintensity = "active"\ntime = "1:00"\n', encoding="utf-8"
    )
    options = RunOptions(listeners=[watch], start_workout="warm", resume=False)
    store = Store.open(settings.storage.state_dir)

    def figures() -> tuple[int, int, int]:
        return rss_kb(), len(asyncio.all_tasks()), store.pending_count()

    report: dict[str, tuple[int, int, int]] = {}
    began = time.monotonic()

    async def scenario(clock_: Clock) -> None:
        import aiomqtt  # noqa: PLC0415 - the soak plays the runner's phone

        await ended.wait()  # the warm-up session
        async with asyncio.timeout(60):
            while store.pending_count():
                await asyncio.sleep(0.5)
        await asyncio.sleep(3)
        for n in range(1, sessions + 1):
            started.clear()
            ended.clear()
            async with aiomqtt.Client("127.0.0.1", broker.port) as phone:
                await phone.publish(f"{settings.base_topic}/cmd/start", b"soak", qos=1)
            await started.wait()
            await clock_.sleep(300)  # five minutes in: the session's steady state
            report.setdefault("start", figures())
            await clock_.sleep(session_s / 2 - 300)
            broker.stop()  # empty state when it comes back (no persistence)
            await asyncio.sleep(BROKER_DOWN_S)
            broker.start()
            await ended.wait()
            async with asyncio.timeout(120):
                while store.pending_count():
                    await asyncio.sleep(0.5)
            await asyncio.sleep(3)  # the post-session work (analysis, summary) finishes
            report["end"] = figures()
            if sessions > 1:
                rss, tasks, out = report["end"]
                print(f"  after session {n}: RSS {rss} kB, tasks {tasks}, outbox {out}")  # noqa: T201

    runner = asyncio.create_task(supervise(settings, clock, source, options), name="supervise")
    try:
        await scenario(clock)
    finally:
        runner.cancel()
        with contextlib.suppress(asyncio.CancelledError):
            await runner
        store.close()
        broker.stop()

    (rss0, tasks0, out0), (rss1, tasks1, out1) = report["start"], report["end"]
    growth = rss1 - rss0
    print(  # noqa: T201 - the report
        f"soak: {hours:g} h session at {speed:g}x in {time.monotonic() - began:.0f} s wall, "
        f"{len(dropouts)} strap dropouts, 1 broker restart (empty state)"
        f"{f', {sessions} times' if sessions > 1 else ''}\n"
        f"  RSS     start {rss0} kB  end {rss1} kB  growth {growth:+d} kB "
        f"(limit {RSS_GROWTH_LIMIT_KB})\n"
        f"  tasks   start {tasks0}  end {tasks1}\n"
        f"  outbox  start {out0}  end {out1}"
    )
    ok = growth < RSS_GROWTH_LIMIT_KB and tasks1 <= tasks0 and out1 == 0
    print("soak: OK" if ok else "soak: FAILED")  # noqa: T201
    return 0 if ok else 1


def main() -> int:
    """Parse the arguments and run the soak in a temporary directory."""
    parser = argparse.ArgumentParser(prog="tests/soak.py", description=__doc__)
    parser.add_argument("--hours", type=float, default=3.0, help="session length (default 3)")
    parser.add_argument("--speed", type=float, default=120.0, help="clock factor (default 120)")
    parser.add_argument("--sessions", type=int, default=1, help="long sessions (default 1)")
    args = parser.parse_args()
    with tempfile.TemporaryDirectory(prefix="hiitd-soak-") as d:
        return asyncio.run(soak(args.hours, args.speed, Path(d), max(1, args.sessions)))


if __name__ == "__main__":
    sys.exit(main())
