"""``hiitd plan next|history|simulate`` and ``hiitd checkin``.

``plan simulate`` follows the planner day by day with a simulated runner
(``hiitd.plansim``; docs/simulate.md) and stores nothing.

The check-in is measured live with the paired strap (``--live``: the running
daemon owns the strap, so this asks it over MQTT and follows the measurement),
taken from a resting RR recording (``--rr-file``, one RR interval in ms a line,
as exported by most HRV apps) or typed in (``--resting-hr N --rmssd X``).
"""

from __future__ import annotations

import sys
import time
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import (
    EX_DATAERR,
    EX_FAILURE,
    EX_OK,
    print_json,
    settings_from_args,
)
from hiitd.mqtt.command_parser import CHECKIN_MAX_S, CHECKIN_MIN_S
from hiitd.plan import checkin_values
from hiitd.store import plan_history, schema
from hiitd.store.db import Store

if TYPE_CHECKING:
    import argparse
    from pathlib import Path
    from typing import Any

    from hiitd.settings import Settings


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def cmd_plan(args: argparse.Namespace) -> int:
    """``hiitd plan next`` or ``hiitd plan history``."""
    if args.plan_command == "simulate":
        return _simulate(args)
    settings = settings_from_args(args)
    cfg = settings.plan
    now = time.time()
    with Store.open(settings.storage.state_dir) as store:
        if args.plan_command == "next":
            doc = plan_history.next_payload(store, cfg, now, settings.athlete.age)
            if args.json:
                print_json(doc)
                return EX_OK
            what = doc["workout"] or "rest"
            _out(f"next: {what} ({doc['kind']}, {doc['level'] or '-'})  {doc['description'] or ''}")
            for why in doc["why"]:
                _out(f"  - {why}")
            _out(f"readiness {doc['readiness']}, load ratio (acute:chronic EWMA) {doc['acwr']}")
            last = doc["last_session"]
            if last is not None:
                how = {"rpe": "your RPE", "hrss": "heart rate (HRSS)"}.get(last["load_source"])
                _out(
                    f"last session {last['day']}: {_session(last)}, load {last['load']:.0f} AU"
                    + ("" if how is None else f" from {how}")
                )
            return EX_OK
        days = plan_history.history_payload(store, cfg, now, args.days)
    if args.json:
        print_json(days)
        return EX_OK
    # ratio: Williams' acute / chronic EWMA; CTL and ATL: the 42/7-day 1/N averages;
    # est: the part of the load estimated from the workout (no RPE, no HRSS).
    _out(
        "day           load    est  acute chronic  ratio    CTL    ATL  monotony  readiness"
        "  sessions"
    )
    for d in days:
        _out(
            f"{d['day']}  {d['load']:6.0f} {d['estimated_load']:6.0f} {d['acute_ewma']:6.1f} "
            f"{d['chronic_ewma']:7.1f}  {_f(d['acwr'])} {d['ctl']:6.1f} {d['atl']:6.1f}  "
            f"{_f(d['monotony'])}     {d['readiness']['status']:9}  "
            + ", ".join(_session(s) for s in d["session_loads"])
        )
    return EX_OK


def _session(s: dict[str, Any]) -> str:
    """'plan-hills-2', or 'free run (estimated RPE 3.0)' when its load is an estimate."""
    name = s["workout"] or "free run"
    if s["load_source"] != "estimated":
        return str(name)
    return f"{name} (estimated RPE {s['rpe_estimate']:.1f})"


def _simulate(args: argparse.Namespace) -> int:
    """``hiitd plan simulate``: the persona (or the settings' athlete and plan) for N weeks."""
    from hiitd.plansim.persona import load_persona, persona_from_settings  # noqa: PLC0415
    from hiitd.plansim.plan_run import simulate_plan  # noqa: PLC0415

    persona = (
        load_persona(args.persona)
        if args.persona is not None
        else persona_from_settings(settings_from_args(args))
    )
    try:
        result = simulate_plan(persona, args.weeks, seed=args.seed)
    except ValueError as exc:
        sys.stderr.write(f"hiitd: simulation stopped: {exc}\n")
        return EX_DATAERR
    if args.json:
        print_json(result.to_payload())
        return EX_OK
    for line in result.table():
        _out(line)
    return EX_OK


def _f(x: float | None) -> str:
    return " -   " if x is None else f"{x:5.2f}"


def _read_rr(path: Path) -> list[float]:
    values = []
    for n, line in enumerate(path.read_text(encoding="utf-8").splitlines(), 1):
        text = line.strip()
        if not text or text.startswith("#"):
            continue
        try:
            values.append(float(text))
        except ValueError:
            raise ValueError(f"{path}:{n}: not an RR interval in ms: {text!r:.40}") from None
    return values


def cmd_checkin(args: argparse.Namespace) -> int:
    """Record a readiness check-in: live with the strap, from an RR file, or typed in."""
    settings = settings_from_args(args)
    sources = [args.live, args.rr_file is not None, args.resting_hr is not None]
    if sum(sources) != 1 or (args.resting_hr is not None) != (args.rmssd is not None):
        sys.stderr.write(
            "hiitd: give one of --live, --rr-file FILE, or --resting-hr N with --rmssd X\n"
        )
        return EX_DATAERR
    if args.duration is not None and not args.live:
        sys.stderr.write("hiitd: --duration goes with --live\n")
        return EX_DATAERR
    if args.live:
        return _checkin_live(settings, args)
    now = time.time()
    try:
        if args.rr_file is not None:
            row = checkin_values.checkin_from_rr(_read_rr(args.rr_file), now, "rr_file")
        else:
            row = checkin_values.checkin_manual(args.resting_hr, args.rmssd, now)
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"hiitd: check-in not recorded: {exc}\n")
        return EX_DATAERR
    state_dir = settings.storage.state_dir
    with Store.open(state_dir) as store:
        ready = plan_history.keep_checkin(store, row, settings.plan)
    doc = {
        **checkin_values.checkin_figures(row),
        "readiness": ready.to_payload(),
        "store": str(state_dir / schema.FILE_NAME),
    }
    if args.json:
        print_json(doc)
    else:
        _out(
            f"check-in {row.day}: resting HR {doc['resting_hr']} bpm, RMSSD {doc['rmssd_ms']} ms "
            f"(ln {doc['ln_rmssd']}); readiness {ready.status}"
        )
        for f in ready.flags:
            _out(f"  - {f.text}")
    return EX_OK


def _checkin_live(settings: Settings, args: argparse.Namespace) -> int:
    """Ask the running daemon to measure; print its progress and the outcome."""
    import asyncio  # noqa: PLC0415 - only this path talks to the broker

    from hiitd.mqtt.checkin_call import request_checkin  # noqa: PLC0415
    from hiitd.mqtt.topics import Topics  # noqa: PLC0415

    duration = 120 if args.duration is None else args.duration
    if not CHECKIN_MIN_S <= duration <= CHECKIN_MAX_S:
        sys.stderr.write(
            f"hiitd: --duration must be {CHECKIN_MIN_S}-{CHECKIN_MAX_S} s, got {duration}\n"
        )
        return EX_DATAERR
    topics = Topics(settings.mqtt.prefix, settings.athlete.id)

    def progress(doc: dict[str, Any]) -> None:
        if args.json:
            return
        hr = doc.get("hr")
        _out(
            f"measuring: {doc.get('remaining_s', 0):.0f} s left, "
            f"{'--' if hr is None else hr} bpm, {doc.get('beats', 0)} beats"
        )
        sys.stdout.flush()

    if not args.json:
        _out(f"check-in: sit or lie still and breathe normally for {duration} s")
        sys.stdout.flush()
    doc = asyncio.run(request_checkin(settings.mqtt, topics, duration, progress))
    if args.json:
        print_json(doc)
    elif doc.get("state") == "done":
        _out(
            f"check-in {doc['day']}: resting HR {doc['resting_hr']:.0f} bpm, "
            f"lnRMSSD {doc['ln_rmssd']:.2f} (RMSSD {doc['rmssd_ms']:.0f} ms), "
            f"readiness: {doc['readiness']}"
        )
        for text in doc.get("flags") or []:
            _out(f"  - {text}")
    if doc.get("state") == "done":
        return EX_OK
    if not args.json:
        sys.stderr.write(f"hiitd: check-in not recorded: {doc.get('error')}\n")
    return EX_FAILURE
