"""Footprint: ``hiitd run --simulate`` at real time: start-up, CPU per minute, peak RSS.

A mosquitto on loopback, a fresh state directory, and the daemon as a child
process (the console script, as systemd starts it). Start-up is from spawning
the process to a subscriber seeing ``<base>/status`` = ``online``. CPU is
utime + stime from ``/proc/<pid>/stat`` over the run after start-up, per
minute; peak RSS is ``VmHWM`` from ``/proc/<pid>/status`` at the end.
"""

from __future__ import annotations

import asyncio
import os
import signal
import subprocess
import sys
import tempfile
import time
from pathlib import Path
from typing import Any

import aiomqtt

from .common import cpu_seconds, mosquitto, say, status_kb, target, write_result

SECONDS = 120.0
TARGET_CPU_S_PER_MIN = 0.6
TARGET_RSS_MB = 80.0
TARGET_STARTUP_S = 1.5


async def wait_online(url: str, topic: str, started: float) -> float:
    """Seconds from ``started`` until ``topic`` reads ``online``."""
    host, port = url.removeprefix("mqtt://").split(":")
    async with aiomqtt.Client(host, int(port), identifier="bench-footprint") as client:
        await client.subscribe(topic, qos=1)
        async with asyncio.timeout(30):
            async for message in client.messages:
                if message.payload == b"online":
                    return time.perf_counter() - started
    raise RuntimeError("status never went online")


def measure(seconds: float) -> dict[str, Any]:
    """Run the daemon, return the figures."""
    hiitd = str(Path(sys.executable).with_name("hiitd"))
    with tempfile.TemporaryDirectory() as tmp, mosquitto(Path(tmp)) as broker:
        env = os.environ | {
            "HIITD_MQTT__URL": broker.url,
            "HIITD_STORAGE__STATE_DIR": str(Path(tmp) / "state"),
            "HIITD_ATHLETE__ID": "footprint",
            "HIITD_LOG__LEVEL": "warning",
        }
        started = time.perf_counter()
        proc = subprocess.Popen(
            [hiitd, "run", "--simulate"], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
        )
        try:
            startup = asyncio.run(wait_online(broker.url, "hiitd/footprint/status", started))
            cpu_start = cpu_seconds(proc.pid)
            t0 = time.perf_counter()
            time.sleep(seconds)
            cpu = cpu_seconds(proc.pid) - cpu_start
            wall = time.perf_counter() - t0
            hwm_kb = status_kb(proc.pid, "VmHWM")
            broker_cpu = cpu_seconds(broker.pid)
        finally:
            proc.send_signal(signal.SIGTERM)
            try:
                proc.wait(10)
            except subprocess.TimeoutExpired:
                proc.kill()
                proc.wait(5)
            if proc.stderr:
                proc.stderr.close()
    return {
        "startup_s": startup,
        "cpu_s_per_min": cpu / wall * 60,
        "peak_rss_mb": hwm_kb / 1024,
        "startup_cpu_s": cpu_start,
        "mosquitto_cpu_s_total": broker_cpu,
        "seconds": wall,
    }


def main(seconds: float = SECONDS) -> dict[str, Any]:
    """Run, print, return the JSON document."""
    say(f"footprint: hiitd run --simulate at real time for {seconds:g} s")
    r = measure(seconds)
    say(
        f"  start-up to status online {r['startup_s']:.2f} s ({r['startup_cpu_s']:.2f} CPU s);"
        f" {r['cpu_s_per_min']:.3f} CPU s per minute; peak RSS {r['peak_rss_mb']:.1f} MB"
    )
    return {
        **r,
        "targets": [
            target("CPU s per minute", r["cpu_s_per_min"], TARGET_CPU_S_PER_MIN),
            target("peak RSS (MB)", r["peak_rss_mb"], TARGET_RSS_MB),
            target("start-up (s)", r["startup_s"], TARGET_STARTUP_S),
        ],
    }


if __name__ == "__main__":
    write_result("footprint", main())
