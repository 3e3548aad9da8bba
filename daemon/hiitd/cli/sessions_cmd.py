"""``hiitd sessions list|show ID|export ID|import FILE...``: recorded sessions.

``ID``: a session id, a unique prefix of one, or ``latest``. ``show`` uses the stored
metrics, else computes them from the record. Exporters load only on export. Exit 65:
an id naming no session or several, or an unencodable record; 69: no store yet
(``list`` prints an empty list, exit 0), an unreadable store, an unwritable output.

``import`` adds FIT activities recorded elsewhere (runtime/fit_import.py): each file
on its own, so a bad one does not stop the others. Exit 65 when any file was not
imported (named with the reason on stderr); a file imported before is said and
skipped (exit 0: importing a folder again is harmless).
"""

from __future__ import annotations

import math
import os
import re
import sys
from dataclasses import asdict
from datetime import datetime
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiitd.cli.cli_support import EX_DATAERR, EX_OK, EX_UNAVAILABLE, print_json, settings_from_args
from hiitd.record.session_record import SessionStatus
from hiitd.store import schema
from hiitd.store.db import Store

if TYPE_CHECKING:
    import argparse

    from hiitd.coach.workout_model import Workout
    from hiitd.record.session_record import SessionRecord
    from hiitd.settings import Settings
    from hiitd.store.imports import ImportOrigin
    from hiitd.store.rows import SessionRow

_PARTIAL = {
    SessionStatus.RUNNING: "is still being recorded",
    SessionStatus.INTERRUPTED: "was interrupted (the daemon stopped during it)",
}
_AS_RUN = frozenset({"index", "name", "label", "intensity", "target", "start_t", "end_t"})
_UNSAFE = re.compile(r"[^A-Za-z0-9._-]+")


class _CommandError(Exception):
    """Stop the command with this message and exit status."""

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = status


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def _err(line: str) -> None:
    sys.stderr.write(f"hiitd: {line}\n")


def cmd_sessions(args: argparse.Namespace) -> int:
    """List, show or export recorded sessions."""
    settings = settings_from_args(args)
    try:
        return _run(settings, args)
    except _CommandError as exc:
        _err(str(exc))
        return exc.status


def _run(settings: Settings, args: argparse.Namespace) -> int:
    state_dir = settings.storage.state_dir
    if args.sessions_command == "import":
        return _import(settings, args)
    if not (state_dir / schema.FILE_NAME).is_file():
        if args.sessions_command != "list":
            raise _CommandError(EX_UNAVAILABLE, f"no sessions recorded yet in {state_dir}")
        print_json([]) if args.json else _out(f"no sessions recorded yet in {state_dir}")
        return EX_OK
    with Store.open(state_dir) as store:
        if args.sessions_command == "list":
            return _list(store, args)
        session_id = resolve_id(store, args.id)
        if args.sessions_command == "show":
            return _show(store, session_id, args)
        return _export(store, settings, session_id, args)


def _import(settings: Settings, args: argparse.Namespace) -> int:
    from hiitd.runtime.fit_import import import_fit  # noqa: PLC0415 - the replay path on use

    outcomes = []
    with Store.open(settings.storage.state_dir) as store:
        for name in args.files:
            outcome = import_fit(name, settings, store)
            outcomes.append(outcome)
            if not args.json:
                _out(outcome.message) if outcome.ok else _err(outcome.message)
    if args.json:
        print_json([o.to_payload() for o in outcomes])
    return EX_OK if all(o.ok for o in outcomes) else EX_DATAERR


def resolve_id(store: Store, wanted: str) -> str:
    """The session id ``wanted`` names: ``latest``, an exact id, or a unique prefix."""
    if wanted == "latest":
        latest = store.latest_id()
        if latest is None:
            raise _CommandError(EX_UNAVAILABLE, f"no sessions recorded yet in {store.path.parent}")
        return latest
    ids = [row.session_id for row in store.list_sessions(-1)]
    if wanted in ids:
        return wanted
    found = [i for i in ids if i.startswith(wanted)]
    if len(found) == 1:
        return found[0]
    if not found:
        hint = "'hiitd sessions list' shows the ids"
        raise _CommandError(EX_DATAERR, f"no session {wanted!r} in {store.path}; {hint}")
    shown = ", ".join(found[:5]) + (", ..." if len(found) > 5 else "")
    raise _CommandError(
        EX_DATAERR, f"{wanted!r} matches {len(found)} sessions ({shown}); give more of the id"
    )


def _list(store: Store, args: argparse.Namespace) -> int:
    docs = []
    for r in store.list_sessions(args.limit):
        summary = store.summary(r.session_id) if r.has_summary else None
        docs.append(row_doc(r, summary, store.metrics(r.session_id)))
    print_json(docs) if args.json else _out("\n".join(render_list(docs, store.path.parent)))
    return EX_OK


def _show(store: Store, session_id: str, args: argparse.Namespace) -> int:
    record = store.load(session_id)
    metrics, source = metrics_of(store, record)
    doc = show_doc(record, store.summary(session_id), metrics, source, store.origin(session_id))
    print_json(doc) if args.json else _out("\n".join(render_show(doc)))
    return EX_OK


def _export(store: Store, settings: Settings, session_id: str, args: argparse.Namespace) -> int:
    from hiitd.export import ExportError  # noqa: PLC0415 - garmin-fit-sdk on use only

    fmt: str = args.format
    record = store.load(session_id)
    to_stdout = args.output == "-"
    if to_stdout and fmt in ("fit", "png") and sys.stdout.isatty():
        msg = f"{fmt.upper()} is binary: give --output FILE, or pipe the output"
        raise _CommandError(EX_DATAERR, msg)
    partial = record.status in _PARTIAL
    if partial:
        _err(f"session {session_id} {_PARTIAL[record.status]}: the export is partial")
    try:
        blob = _encode(store, settings, record, fmt)
    except ExportError as exc:
        msg = f"cannot export session {session_id} as {fmt}: {exc}"
        raise _CommandError(EX_DATAERR, msg) from exc
    if to_stdout:
        sys.stdout.flush()
        sys.stdout.buffer.write(blob)
        sys.stdout.buffer.flush()
        return EX_OK
    path = _destination(args.output, session_id, fmt)
    _write(path, blob)
    result = {"session_id": session_id, "format": fmt, "path": str(path), "bytes": len(blob)}
    if args.json:
        print_json({**result, "status": str(record.status), "partial": partial})
    else:
        _out(f"wrote {path} ({len(blob)} bytes, {fmt.upper()}{', partial' if partial else ''})")
    return EX_OK


def _encode(store: Store, settings: Settings, record: SessionRecord, fmt: str) -> bytes:
    from hiitd.export import export_csv, export_fit, export_tcx, render_chart  # noqa: PLC0415

    if fmt == "csv":
        return export_csv(record).encode("utf-8")
    if fmt == "png":
        return render_chart(record, hr_zones=_chart_zones(record))
    kcal = _num(_get(metrics_of(store, record)[0], "calories", "kcal"), 3)
    if fmt == "tcx":
        return export_tcx(record, calories_kcal=kcal).encode("utf-8")
    return export_fit(record, workout=_catalog_workout(settings, record), calories_kcal=kcal)


def _catalog_workout(settings: Settings, record: SessionRecord) -> Workout | None:
    """The session's workout from the catalogue, when it is still there and still fits."""
    from hiitd.errors import WorkoutError  # noqa: PLC0415
    from hiitd.metrics.summary import profile_from_snapshot  # noqa: PLC0415
    from hiitd.store.workout_catalog import WorkoutCatalog  # noqa: PLC0415

    if not record.workout:
        return None
    catalog = WorkoutCatalog(settings.storage.state_dir, profile_from_snapshot(record.athlete))
    try:
        workout = catalog.get(record.workout)
    except (WorkoutError, ValueError):
        return None
    planned = {p.index: str(p.step.intensity) for p in workout.expand()}
    # An imported file replaced since then would not match the laps.
    return workout if all(planned.get(s.index) == s.intensity for s in record.steps) else None


def _chart_zones(record: SessionRecord) -> list[tuple[str, int, int]] | None:
    """The session athlete's heart-rate zones as chart bands; None: the chart's default."""
    from hiitd.coach.zones import hr_zones  # noqa: PLC0415
    from hiitd.metrics.summary import profile_from_snapshot  # noqa: PLC0415

    max_hr, bands = record.athlete.max_hr, []
    try:
        zones = hr_zones(profile_from_snapshot(record.athlete)) if max_hr > 0 else ()
    except ValueError:
        zones = ()
    for z in zones:
        high = z.high_bpm + 1 if z.high_bpm is not None else max_hr  # bands touch
        low = z.low_bpm if z.low_bpm is not None else min(round(max_hr * 0.5), high - 10)
        if high > low:
            bands.append((f"Z{z.label}", low, high))
    return bands or None


def _destination(output: str | None, session_id: str, fmt: str) -> Path:
    name = f"{_UNSAFE.sub('_', session_id)}.{fmt}"
    if output is None:
        return Path.cwd() / name
    path = Path(output).expanduser()
    return path / name if path.is_dir() or output.endswith(("/", os.sep)) else path


def _write(path: Path, data: bytes) -> None:
    """Write a file whole or not at all (a temporary file renamed); a device or FIFO directly."""
    special = path.exists() and not path.is_file()  # /dev/stdout, a FIFO
    tmp = path if special else path.with_name(f".{path.name}.{os.getpid()}.tmp")
    try:
        tmp.write_bytes(data)
        if tmp != path:
            tmp.replace(path)
    except OSError as exc:
        if tmp != path:
            tmp.unlink(missing_ok=True)
        msg = f"cannot write {path}: {exc.strerror or exc}"
        raise _CommandError(EX_UNAVAILABLE, msg) from exc


def local_time(unix_s: float) -> str:
    """``2026-01-01 11:00`` in the machine's time zone."""
    return datetime.fromtimestamp(unix_s).astimezone().strftime("%Y-%m-%d %H:%M")


def metrics_of(store: Store, record: SessionRecord) -> tuple[dict[str, Any], str]:
    """The stored metrics payload, else one computed now from the record; and which it is.

    Metrics stored by an older hiitd (``metrics_version`` below today's) are computed
    again, so a step shows the figure today's definitions give.
    """
    from hiitd.metrics.session_metrics import METRICS_VERSION  # noqa: PLC0415

    stored = store.metrics(record.session_id)
    if stored is not None and stored.get("metrics_version", 1) >= METRICS_VERSION:
        return stored, "stored"
    from hiitd.metrics import compute_metrics  # noqa: PLC0415

    return compute_metrics(record).to_payload(), "computed"


def _get(doc: Any, *keys: str) -> Any:
    for key in keys:
        doc = doc.get(key) if isinstance(doc, dict) else None
    return doc


def _num(value: Any, digits: int = 1) -> float | None:
    """A finite number rounded, else None (JSON has no NaN)."""
    ok = isinstance(value, int | float) and math.isfinite(value)
    return round(float(value), digits) if ok else None


def row_doc(row: SessionRow, summary: Any, metrics: Any) -> dict[str, Any]:
    """One session of ``list --json``; compliance only when a summary or metrics are stored."""
    compliance = _get(summary, "compliance_pct")
    if compliance is None:
        compliance = _get(metrics, "compliance", "in_pct")
    distance = row.distance_m if row.distance_m is not None else _get(metrics, "distance_m")
    return {
        **asdict(row),
        "start_local": local_time(row.start_wall),
        "duration_s": _num(row.duration_s),
        "distance_m": _num(distance),
        "compliance_pct": _num(compliance),
        "has_metrics": metrics is not None,
    }


def show_doc(
    record: SessionRecord,
    summary: Any,
    metrics: dict[str, Any],
    source: str,
    origin: ImportOrigin | None = None,
) -> dict[str, Any]:
    """``show --json``: the session, its summary, metrics, steps with compliance, cues.

    ``session.source`` is ``live`` or ``import``; ``session.imported`` says where an
    imported one came from (file name, device, sport, sha256), else null.
    """
    scored = {s.get("index"): s for s in metrics.get("steps") or () if isinstance(s, dict)}
    steps = []
    for s in record.steps:
        comp = scored.get(s.index)
        end = s.end_t if s.end_t is not None else record.duration_s
        compliance = None if comp is None else {k: comp[k] for k in comp if k not in _AS_RUN}
        steps.append({**asdict(s), "duration_s": _num(end - s.start_t), "compliance": compliance})
    session = {f: getattr(record, f) for f in ("session_id", "workout", "start_wall", "rpe")}
    return {
        "session": {
            **session,
            "status": str(record.status),
            "partial": record.status in _PARTIAL,
            "start_local": local_time(record.start_wall),
            "duration_s": _num(record.duration_s),
            "samples": {"hr": len(record.hr), "pod": len(record.pod)},
            "devices": [asdict(d) for d in record.devices],
            "source": "live" if origin is None else "import",
            "imported": None if origin is None else asdict(origin),
        },
        "summary": summary,
        "metrics_source": source,
        "metrics": metrics,
        "steps": steps,
        "cues": [asdict(c) for c in record.cues],
    }


def _clock(seconds: Any) -> str:
    if not isinstance(seconds, int | float) or _num(seconds) is None:
        return "-"
    s = round(seconds)
    h, rest = divmod(s, 3600)
    return f"{h}:{rest // 60:02d}:{rest % 60:02d}" if h else f"{s // 60}:{s % 60:02d}"


def _km(metres: Any) -> str:
    return f"{metres / 1000:.2f} km" if isinstance(metres, int | float) else "-"


def _v(value: Any, spec: str = ".0f") -> str:
    return format(value, spec) if isinstance(value, int | float) else "-"


_HRR60_BASIS = {
    "stopped": "you stopped",
    "walked": "you walked",
    "planned_rest": "a planned rest; no footpod to see it",
}


def hrr60_lines(m: dict[str, Any]) -> list[str]:
    """HRR60 with what it was measured on, or why it was withheld; and per interval."""
    sess = _get(m, "hrr60", "session") or {}
    steps = [h for h in _get(m, "hrr60", "steps") or () if isinstance(h, dict)]
    each = [h["hrr60_bpm"] for h in steps if h.get("hrr60_bpm") is not None]
    withheld = len(steps) - len(each)
    where = "the session end" if sess.get("anchor") == "session_end" else "the last interval"
    if sess.get("hrr60_bpm") is not None:
        basis = sess.get("basis")
        how = f" ({_HRR60_BASIS.get(basis, basis)})" if isinstance(basis, str) else ""
        line = f"  HRR60 {_v(sess['hrr60_bpm'])} bpm after {where}{how}"
    else:
        line = f"  HRR60 - after {where}: {sess.get('reason') or 'no effort to recover from'}"
    if len(each) > 1 or (each and sess.get("hrr60_bpm") is None):
        line += f"; measured after {len(each)} of {len(steps)} intervals: "
        line += ", ".join(_v(x) for x in each)
    elif withheld and len(steps) > 1:
        line += f"; withheld after all {len(steps)} intervals"
    return [line]


def _compliance_line(c: dict[str, Any]) -> str:
    """The session's headline: work steps in/below/above target, or why they are not scored."""
    if c.get("scope") != "work":  # stored by an older hiitd: the whole session
        pct = [_pct(c.get(k)) for k in ("in_pct", "below_pct", "above_pct")]
        return f"  in target {pct[0]} (below {pct[1]}, above {pct[2]})"
    if c.get("in_pct") is None:
        why = "; ".join(c.get("unscored") or ()) or "no scored data"
        return f"  work steps not scored ({why})"
    pct = [_pct(c.get(k)) for k in ("in_pct", "below_pct", "above_pct")]
    line = f"  work in target {pct[0]} (below {pct[1]}, above {pct[2]})"
    if n := c.get("unscored_work_steps"):
        line += f"; {n} work step{'s' if n != 1 else ''} not scored"
    return line


def _pct(value: Any) -> str:
    return f"{value:.0f} %" if isinstance(value, int | float) else "-"


def render_list(docs: list[dict[str, Any]], state_dir: Path) -> list[str]:
    """The readable session table, newest first."""
    if not docs:
        return [f"no sessions recorded yet in {state_dir}"]
    head = f"{'DATE':<16}  {'WORKOUT':<22} {'STATUS':<11} {'TIME':>7} {'DISTANCE':>9}"
    lines = [f"{head} {'IN TARGET':>9}  ID"]
    for d in docs:
        free = "(imported run)" if d.get("source") == "import" else "(free run)"
        workout = (d["workout"] or free)[:22]
        lines.append(
            f"{d['start_local']:<16}  {workout:<22} {d['status']:<11} {_clock(d['duration_s']):>7}"
            f" {_km(d['distance_m']):>9} {_pct(d['compliance_pct']):>9}  {d['session_id']}"
        )
    return lines


def _target(step: dict[str, Any]) -> str:
    low, high, kind = step["target_low"], step["target_high"], step["target_type"]
    if kind == "speed":  # as pace: the lower speed is the slower (higher) pace
        low, high = (1000 / x if x else None for x in (high, low))
        kind = "pace"
    unit = {"hr": "bpm", "pace": "/km", "cadence": "spm", "power": "W"}.get(kind)
    shown = _clock if kind == "pace" else _v
    if unit is None or (low is None and high is None):
        return "open" if unit else str(kind)
    if low is None or high is None:
        return f"{'up to ' if low is None else 'from '}{shown(high if low is None else low)} {unit}"
    return f"{shown(low)}-{shown(high)} {unit}"


def render_show(doc: dict[str, Any]) -> list[str]:
    """The figures a runner looks at after a session, one per line."""
    s, m = doc["session"], doc["metrics"]
    partial = " - partial" if s["partial"] else ""
    title = s["workout"] or ("Imported run" if s.get("source") == "import" else "Free run")
    out = [f"{title}  {s['start_local']}  ({s['status']}{partial})"]
    out.append(f"  session {s['session_id']}; metrics {doc['metrics_source']}")
    if imp := s.get("imported"):
        sport = f"{imp.get('sport') or '-'}/{imp.get('sub_sport') or 'generic'}"
        out.append(
            f"  imported from {imp['file_name']} ({imp.get('device') or 'unknown device'}, {sport})"
        )
    out.append(
        f"  time {_clock(m.get('duration_s'))} (moving {_clock(m.get('moving_s'))}), distance"
        f" {_km(m.get('distance_m'))}, avg pace {_clock(_get(m, 'speed', 'avg_pace_s_per_km'))} /km"
    )
    hr = m.get("hr") or {}
    out.append(f"  heart rate avg {_v(hr.get('avg_bpm'))}, max {_v(hr.get('max_bpm'))} bpm")
    if zones := _get(m, "hr_zones", "zones"):
        parts = ", ".join(f"Z{z['zone']} {_clock(z['seconds'])}" for z in zones)
        out.append(f"  time in zones ({m.get('hr_zone_model')}): {parts}")
    if c := m.get("compliance"):
        out.append(_compliance_line(c))
    out.append(f"  calories {_v(_get(m, 'calories', 'kcal'))} kcal (estimate)")
    load = m.get("load") or {}
    out.append(f"  TRIMP {_v(load.get('trimp'), '.1f')}, HRSS {_v(load.get('hrss'), '.1f')}")
    out += hrr60_lines(m)
    rmssd, withheld = _get(m, "hrv", "rmssd_ms"), _get(m, "hrv", "withheld")
    out.append(f"  RMSSD {rmssd} ms" if rmssd is not None else f"  RMSSD withheld: {withheld}")
    ef = _get(m, "economy", "efficiency_factor")
    out.append(f"  efficiency factor {_v(ef, '.3f')} (m/min per bpm, steady running)")
    if doc["steps"]:
        out += ["", f"  {'#':>2}  {'STEP':<22} {'TIME':>6}  {'TARGET':<18} {'IN':>5} {'AVG HR':>6}"]
    for st in doc["steps"]:
        comp = st["compliance"] or {}
        name = (st["label"] or st["name"] or st["intensity"])[:22]
        out.append(
            f"  {st['index'] + 1:>2}  {name:<22} {_clock(st['duration_s']):>6}  {_target(st):<18}"
            f" {_pct(comp.get('in_pct')):>5} {_v(comp.get('avg_hr')):>6}"
        )
    if doc["cues"]:
        out += ["", f"  cues heard ({len(doc['cues'])}):"]
        out += [f"  {_clock(c['t']):>6}  {c['text']}" for c in doc["cues"]]
    out += [f"  note: {n}" for n in m.get("notes") or ()]
    return out
