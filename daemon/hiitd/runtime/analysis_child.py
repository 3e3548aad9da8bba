"""After a session: its metrics, FIT file and chart, worked out in a short-lived child process.

The analysis of a long session builds tens of thousands of small objects
(every point, the metric series, matplotlib's artists) and imports numpy,
matplotlib and the FIT SDK (about 50 MB). Done in the daemon, that memory
stays: CPython cannot give back arenas that a few long-lived objects pin
(tests/soak.py measured RSS +19 MB after one 3-hour session, and 110 MB at
rest instead of 60). A child process returns all of it to the system when it
exits, and a bug or crash in a chart library cannot take the coaching down.

The parent pickles the session record (its points travel as typed arrays, see
record/point_columns.py) to the child's stdin; the child writes ``<sid>.fit`` and
``<sid>.png`` into the exports folder and prints one JSON document: the
metrics payload and the files written, or what failed. Nothing is read from a
path the child was not given; the child gets the same interpreter and
environment as the daemon.

    python -m hiitd.runtime.analysis_child < job.pickle     (the daemon does this; not for people)
"""

from __future__ import annotations

import json
import os
import pickle
import sys
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from hiitd.runtime.child_process import run_child

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.record.session_record import SessionRecord


# The child's module. The tests point it at a poisoned or a hung stand-in
# (tests/integration/analysis_fakes/): the one way to inject a fake across the
# process boundary without patching the daemon.
MODULE_ENV = "HIITD_ANALYSIS_MODULE"


@dataclass(frozen=True)
class Job:
    """What the child is asked to do."""

    record: SessionRecord
    folder: Path  # the exports folder (created by the parent)


@dataclass(frozen=True)
class Analysis:
    """What came back: ``metrics`` None when they could not be computed; ``errors`` says why."""

    metrics: dict[str, Any] | None
    chart: bytes | None
    errors: tuple[str, ...] = ()


def analyse(job: Job) -> dict[str, Any]:
    """The child's work (also usable in-process): metrics, then the FIT file and the chart."""
    from hiitd.export import export_fit, render_chart  # noqa: PLC0415 - heavy: in the child only
    from hiitd.metrics.summary import compute_metrics  # noqa: PLC0415

    record = job.record.materialized()
    sid = record.session_id
    out: dict[str, Any] = {"metrics": None, "fit": None, "chart": None, "errors": []}
    try:
        out["metrics"] = compute_metrics(record).to_payload()
    except Exception as exc:  # noqa: BLE001 - a metrics bug must not lose the exports
        out["errors"].append(f"metrics: {type(exc).__name__}: {exc}")
    kcal = ((out["metrics"] or {}).get("calories") or {}).get("kcal")
    for key in ("fit", "chart"):
        name = f"{sid}.{'fit' if key == 'fit' else 'png'}"
        try:
            data = export_fit(record, calories_kcal=kcal) if key == "fit" else render_chart(record)
            (job.folder / name).write_bytes(data)
        except Exception as exc:  # noqa: BLE001 - each part on its own
            out["errors"].append(f"{key}: {type(exc).__name__}: {exc}")
        else:
            out[key] = name
    return out


async def analyse_in_child(
    job: Job, *, timeout_s: float, cache_dir: Path | None = None
) -> Analysis:
    """Run ``analyse`` in a child process; never raises for the child's failures.

    ``cache_dir``: where matplotlib keeps its font cache between runs (unless
    MPLCONFIGDIR is set). Under systemd the home directory is hidden, and
    without a writable cache every child would rebuild it (seconds on a Pi).
    """
    data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    env = dict(os.environ)
    if cache_dir is not None and "MPLCONFIGDIR" not in env:
        env["MPLCONFIGDIR"] = str(cache_dir / "matplotlib")
    module = env.get(MODULE_ENV) or "hiitd.runtime.analysis_child"
    done = await run_child(module, data, timeout_s=timeout_s, env=env)
    if done is None:
        return Analysis(None, None, (f"the analysis took longer than {timeout_s:g} s",))
    if done.returncode != 0:
        error = f"the analysis exited with {done.returncode}: {done.last_error_line()}"
        return Analysis(None, None, (error,))
    stdout = done.stdout
    try:
        doc = json.loads(stdout)
    except ValueError:
        return Analysis(None, None, ("the analysis printed no result",))
    chart = None
    if doc.get("chart"):
        try:
            chart = (job.folder / doc["chart"]).read_bytes()
        except OSError as exc:
            doc["errors"].append(f"chart: {exc}")
    return Analysis(doc.get("metrics"), chart, tuple(doc.get("errors") or ()))


def main() -> int:
    """The child: a pickled ``Job`` on stdin, one JSON document on stdout."""
    # Run as __main__: the pickled Job is hiitd.runtime.analysis_child.Job, this module's twin.
    from hiitd.runtime import analysis_child as analysis  # noqa: PLC0415, PLW0406

    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our own parent, over a pipe
    if not isinstance(job, analysis.Job):
        print("hiitd.runtime.analysis_child: stdin is not an analysis job", file=sys.stderr)  # noqa: T201
        return 2
    json.dump(analysis.analyse(job), sys.stdout)
    return 0


if __name__ == "__main__":
    sys.exit(main())
