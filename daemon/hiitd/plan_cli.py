"""``hiitd plan next|history`` and ``hiitd checkin``.

The check-in takes a resting RR recording (``--rr-file``, one RR interval in ms
a line, as exported by most HRV apps) or typed values (``--resting-hr N --rmssd
X``). Measuring live with the paired strap is not done yet: it needs the daemon
to hand over its BLE link for two minutes (a later issue).
"""

from __future__ import annotations

import sys
import time
from datetime import date
from typing import TYPE_CHECKING

from hiitd import plan_io
from hiitd.cli_common import EX_DATAERR, EX_OK, print_json, settings_from_args
from hiitd.plan import readiness
from hiitd.store import schema
from hiitd.store.db import Store

if TYPE_CHECKING:
    import argparse
    from pathlib import Path


def _out(line: str) -> None:
    sys.stdout.write(line + "\n")


def cmd_plan(args: argparse.Namespace) -> int:
    """``hiitd plan next`` or ``hiitd plan history``."""
    settings = settings_from_args(args)
    cfg = settings.plan
    now = time.time()
    with Store.open(settings.storage.state_dir) as store:
        if args.plan_command == "next":
            doc = plan_io.next_payload(store, cfg, now)
            if args.json:
                print_json(doc)
                return EX_OK
            what = doc["workout"] or "rest"
            _out(f"next: {what} ({doc['kind']}, {doc['level'] or '-'})  {doc['description'] or ''}")
            for why in doc["why"]:
                _out(f"  - {why}")
            _out(f"readiness {doc['readiness']}, load ratio {doc['acwr']}")
            return EX_OK
        days = plan_io.history_payload(store, cfg, now, args.days)
    if args.json:
        print_json(days)
        return EX_OK
    _out("day         load    CTL    ATL  ratio  monotony  readiness  sessions")
    for d in days:
        _out(
            f"{d['day']}  {d['load']:6.0f} {d['ctl']:6.1f} {d['atl']:6.1f}  "
            f"{_f(d['acwr'])}  {_f(d['monotony'])}     {d['readiness']['status']:9}  "
            + ", ".join(s or "free run" for s in d["sessions"])
        )
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
    """Record a readiness check-in."""
    settings = settings_from_args(args)
    now = time.time()
    try:
        if args.rr_file is not None:
            row = plan_io.checkin_from_rr(_read_rr(args.rr_file), now, "rr_file")
        elif args.resting_hr is not None and args.rmssd is not None:
            row = plan_io.checkin_manual(args.resting_hr, args.rmssd, now)
        else:
            sys.stderr.write("hiitd: give --rr-file FILE, or --resting-hr N and --rmssd X\n")
            return EX_DATAERR
    except (OSError, ValueError) as exc:
        sys.stderr.write(f"hiitd: check-in not recorded: {exc}\n")
        return EX_DATAERR
    state_dir = settings.storage.state_dir
    with Store.open(state_dir) as store:
        store.add_checkin(row)
        day = date.fromisoformat(row.day)
        ready = readiness(plan_io.checkins(store, day, settings.plan), settings.plan, day)
    doc = {
        "day": row.day,
        "resting_hr": round(row.resting_hr, 1) if row.resting_hr is not None else None,
        "rmssd_ms": round(row.rmssd_ms, 1) if row.rmssd_ms is not None else None,
        "ln_rmssd": round(row.ln_rmssd, 3) if row.ln_rmssd is not None else None,
        "beats": row.beats,
        "artefact_pct": row.artefact_pct,
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
