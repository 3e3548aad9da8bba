"""What the benchmarks share: the machine, percentiles, JSON results, a mosquitto."""

from __future__ import annotations

import contextlib
import getpass
import json
import os
import platform
import shutil
import socket
import statistics
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from collections.abc import Iterator, Sequence

RESULTS_DIR = Path(__file__).resolve().parents[2] / "bench-results"
_BROKER_START_S = 10.0


def machine() -> dict[str, Any]:
    """What the figures were measured on."""
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text(encoding="utf-8").splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    return {
        "nproc": os.cpu_count(),
        "cpu": model,
        "python": platform.python_version(),
        "platform": platform.platform(),
    }


def percentile(values: Sequence[float], pct: float) -> float:
    """The ``pct`` percentile (nearest rank) of ``values``."""
    ordered = sorted(values)
    rank = max(0, min(len(ordered) - 1, round(pct / 100 * len(ordered) + 0.5) - 1))
    return ordered[rank]


def latency_summary(ms: Sequence[float]) -> dict[str, float | int]:
    """p50, p99, max and count of latencies in milliseconds."""
    if not ms:
        return {"count": 0}
    return {
        "count": len(ms),
        "p50_ms": round(statistics.median(ms), 3),
        "p99_ms": round(percentile(ms, 99), 3),
        "max_ms": round(max(ms), 3),
    }


def say(line: str) -> None:
    """One line of output, flushed (a long benchmark shows progress)."""
    sys.stdout.write(line + "\n")
    sys.stdout.flush()


def target(name: str, value: float, limit: float, *, below: bool = True) -> dict[str, Any]:
    """A target and whether ``value`` meets it (below ``limit``, or at least it)."""
    met = value < limit if below else value >= limit
    verdict = "met" if met else "MISSED"
    say(f"  target {name}: {value:.4g} {'<' if below else '>='} {limit:g}: {verdict}")
    return {"name": name, "value": value, "limit": limit, "below": below, "met": met}


def write_result(name: str, result: dict[str, Any]) -> Path:
    """``bench-results/<name>.json`` with the machine noted."""
    RESULTS_DIR.mkdir(exist_ok=True)
    path = RESULTS_DIR / f"{name}.json"
    doc = {"benchmark": name, "when": time.time(), "machine": machine(), **result}
    path.write_text(json.dumps(doc, indent=2) + "\n", encoding="utf-8")
    return path


def free_port() -> int:
    """A TCP port nobody listens on right now."""
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


@dataclass(frozen=True)
class Broker:
    """A running mosquitto on loopback."""

    url: str
    pid: int


@contextlib.contextmanager
def mosquitto(workdir: Path) -> Iterator[Broker]:
    """A throwaway mosquitto on a free 127.0.0.1 port (the integration tests' recipe)."""
    exe = shutil.which("mosquitto") or "/usr/sbin/mosquitto"
    port = free_port()
    conf = workdir / "mosquitto.conf"
    conf.write_text(
        "\n".join(
            [
                # As root, mosquitto would switch to user "mosquitto", who cannot read workdir.
                f"user {getpass.getuser()}",
                f"listener {port} 127.0.0.1",
                "allow_anonymous true",
                "persistence false",
                # Log only errors: logging every publish would be measured too.
                f"log_dest file {workdir / 'mosquitto.log'}",
                "log_type error",
                # The scale benchmark holds 25 daemons' in-flight messages.
                "max_queued_messages 100000",
                "set_tcp_nodelay true",
                "",
            ]
        ),
        encoding="utf-8",
    )
    proc = subprocess.Popen(
        [exe, "-c", str(conf)], stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + _BROKER_START_S
        while True:
            if proc.poll() is not None:
                err = proc.stderr.read().decode(errors="replace") if proc.stderr else ""
                raise RuntimeError(f"mosquitto exited at start: {err}")
            with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.2):
                break
            if time.monotonic() > deadline:
                raise RuntimeError(f"mosquitto did not listen on {port}")
            time.sleep(0.02)
        yield Broker(f"mqtt://127.0.0.1:{port}", proc.pid)
    finally:
        proc.terminate()
        try:
            proc.wait(5)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait(5)
        if proc.stderr:
            proc.stderr.close()


def cpu_seconds(pid: int) -> float:
    """User + system CPU seconds of process ``pid`` so far (from /proc/<pid>/stat)."""
    fields = Path(f"/proc/{pid}/stat").read_text(encoding="ascii").rsplit(")", 1)[1].split()
    ticks = os.sysconf("SC_CLK_TCK")
    return (int(fields[11]) + int(fields[12])) / ticks  # utime, stime (fields 14, 15)


def status_kb(pid: int, key: str) -> int:
    """A ``/proc/<pid>/status`` figure in kB (``VmHWM``: peak RSS)."""
    for line in Path(f"/proc/{pid}/status").read_text(encoding="ascii").splitlines():
        if line.startswith(key + ":"):
            return int(line.split()[1])
    raise KeyError(key)
