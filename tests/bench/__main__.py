"""Run every benchmark, print the figures, write ``bench-results/<name>.json``.

    ./dev bench [--quick] [--only decode,replay,latency,footprint,scale,cues,voice]

``--quick`` shortens the real-time ones (latency 10 s, footprint 20 s, scale
15 s) for a smoke run; the figures in docs/performance.md are from a full run.
"""

from __future__ import annotations

import argparse
import sys
from typing import TYPE_CHECKING, Any

from . import (
    bench_cues,
    bench_decode,
    bench_footprint,
    bench_latency,
    bench_replay,
    bench_scale,
    bench_voice,
)
from .common import RESULTS_DIR, machine, say, write_result

if TYPE_CHECKING:
    from collections.abc import Callable


def main() -> int:
    """Run the chosen benchmarks; exit status 0 (figures, not pass/fail)."""
    p = argparse.ArgumentParser(prog="./dev bench", description=__doc__)
    p.add_argument("--quick", action="store_true", help="short real-time runs")
    p.add_argument("--only", default="", help="comma-separated benchmark names")
    args = p.parse_args()
    q = args.quick
    runs: dict[str, Callable[[], dict[str, Any]]] = {
        "decode": lambda: bench_decode.main(200_000 if q else bench_decode.TOTAL),
        "replay": bench_replay.main,
        "latency": lambda: bench_latency.main(10.0 if q else bench_latency.SECONDS),
        "footprint": lambda: bench_footprint.main(20.0 if q else bench_footprint.SECONDS),
        "scale": lambda: bench_scale.main(seconds=15.0 if q else bench_scale.SECONDS),
        "cues": bench_cues.main,
        "voice": bench_voice.main,
    }
    chosen = [n for n in args.only.split(",") if n] or list(runs)
    m = machine()
    say(f"machine: {m['nproc']} x {m['cpu']}, Python {m['python']}")
    summary = {}
    for name in chosen:
        result = runs[name]()
        write_result(name, result)
        summary[name] = list(result.get("targets", []))
    missed = [f"{n}: {t['name']}" for n, ts in summary.items() for t in ts if not t["met"]]
    write_result("summary", {"targets": summary, "missed": missed})
    say(f"results in {RESULTS_DIR}/; targets missed: {', '.join(missed) or 'none'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
