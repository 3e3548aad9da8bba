"""``hiitd replay FILE``: a recorded activity through the real coach, at full speed.

The file goes through the same engine, recorder and metrics as a live session,
at full speed (runtime/replay_session.py, shared with ``hiitd sessions import``);
this module prints the report.

What comes back is what the runner would have heard (cues with their times),
the step summaries, the engine's session summary and the metrics.
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import EX_OK, print_json, settings_from_args
from hiitd.runtime.replay_session import (
    FREE_RUN,
    HeardCue,
    ReplayResult,
    replay_config,
    replay_file,
)

# Re-exported: tests and callers of ``hiitd replay`` import them from here.
__all__ = [
    "FREE_RUN",
    "HeardCue",
    "ReplayResult",
    "cmd_replay",
    "replay_config",
    "replay_file",
    "result_lines",
]

if TYPE_CHECKING:
    import argparse


def _clock(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _num(value: float | None, fmt: str, unit: str) -> str:
    return "--" if value is None else f"{value:{fmt}}{unit}"


def result_lines(r: ReplayResult) -> list[str]:
    """The readable report: the cues as heard with their times, then a compact result."""
    lines = [f"{_clock(c.t)}  >> {c.text}" for c in r.cues]
    src, m = r.source, r.metrics
    lines.append(
        f"replayed {r.file}: {r.samples} samples, {_clock(r.duration_s)}"
        f" ({src.device or 'unknown device'}, {src.sport}/{src.sub_sport}),"
        f" workout {r.workout}, {r.wall_s:.2f} s"
    )
    if r.summary is not None:
        pct = r.summary.compliance_pct
        lines.append(
            f"steps {len(r.steps)}, moving {_clock(r.summary.moving_s)},"
            f" {'completed' if r.summary.completed else 'stopped'},"
            f" work in target {_num(pct, '.0f', ' %')}"
        )
    if m is not None:
        km = None if m.distance_m is None else m.distance_m / 1000
        lines.append(
            f"distance {_num(km, '.2f', ' km')}, avg HR {_num(m.avg_hr, '.0f', '')},"
            f" max HR {_num(m.max_hr, '.0f', '')}, {_num(m.energy.kcal, '.0f', ' kcal')},"
            f" RMSSD {_num(m.hrv.rmssd_ms, '.0f', ' ms')}"
            + (f" ({m.hrv.withheld})" if m.hrv.withheld else "")
        )
        lines.extend(f"note: {n}" for n in m.notes)
    lines.extend(f"file: {n}" for n in src.notes)
    return lines


def cmd_replay(args: argparse.Namespace) -> int:
    """``hiitd replay FILE [--workout NAME] [--json]``."""
    settings = settings_from_args(args)
    result = replay_file(args.file, settings, workout=args.workout)
    if args.json:
        print_json(result.to_payload())
    else:
        sys.stdout.write("\n".join(result_lines(result)) + "\n")
    return EX_OK
