"""``hiitd zones`` and ``hiitd workouts list|show|validate|import``."""

from __future__ import annotations

import sys
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiitd.cli.cli_support import EX_DATAERR, EX_OK, print_json, settings_from_args
from hiitd.coach.ceiling import safety_ceiling
from hiitd.coach.lifecycle import check_length
from hiitd.coach.profile import profile_from_settings
from hiitd.coach.resolve import describe_target, resolve_workout
from hiitd.coach.session_state import DEFAULT_THRESHOLD_MPS
from hiitd.coach.workout_model import DurationType, PlannedStep, Workout
from hiitd.coach.zones import zones_report
from hiitd.errors import WorkoutError
from hiitd.store import learned_file
from hiitd.store.workout_catalog import Entry, WorkoutCatalog
from hiitd.workouts.library import foot_contacts
from hiitd.workouts.loader import load_workout_file

if TYPE_CHECKING:
    import argparse

    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.profile import AthleteProfile


def _out(line: str = "") -> None:
    sys.stdout.write(line + "\n")


def cmd_zones(args: argparse.Namespace) -> int:
    """Heart-rate and pace zones of the configured athlete."""
    settings = settings_from_args(args)
    # The max HR the daemon coaches with: a confirmed learned one replaces an estimate.
    profile = learned_file.apply(
        profile_from_settings(settings.athlete), settings.storage.state_dir
    )
    ceiling = safety_ceiling(settings.coach, profile)
    report = {**zones_report(profile), "safety_ceiling": ceiling.to_payload()}
    if args.json:
        print_json(report)
        return EX_OK
    estimated = " (estimated: set athlete.max_hr)" if profile.max_hr_estimated else ""
    _out(f"max HR {profile.max_hr}{estimated}; heart-rate zones by {report['hr_zone_model']}:")
    est = " (estimated)" if ceiling.estimated else ""
    _out(f"safety ceiling {ceiling.bpm} bpm{est}, from {ceiling.source}")
    for zone in report["hr_zones"][report["hr_zone_model"]]:
        low, high = zone.get("low_bpm") or "", zone.get("high_bpm") or ""
        _out(f"  {zone['name']:<10} {low:>4} - {high:<4} bpm")
    if report["threshold_pace"]:
        vdot = f", VDOT {report['vdot']}" if report["vdot"] else ""
        _out(f"threshold pace {report['threshold_pace']} /km{vdot}; pace zones:")
        for zone in report["pace_zones"]:
            slow = zone["slow_s_per_km"]
            fast = zone["fast_s_per_km"]
            _out(f"  {zone['name']:<10} {_mmss(slow):>6} - {_mmss(fast):<6} /km")
    else:
        _out("no pace zones: set athlete.threshold_pace or athlete.race")
    for note in report["notes"]:
        _out(f"note: {note}")
    return EX_OK


def _mmss(seconds: float | None) -> str:
    if seconds is None:
        return ""
    s = round(seconds)
    return f"{s // 60}:{s % 60:02d}"


def step_row(p: PlannedStep) -> dict[str, Any]:
    """One expanded step in the ``workouts show --json`` form (docs/training.md)."""
    s = p.step
    return {
        "index": p.index,
        "name": s.name,
        "intensity": s.intensity.value,
        "duration_type": s.duration.type.value,
        "duration_value": s.duration.value,
        "duration_min_s": s.duration.min_s,
        "duration_max_s": s.duration.max_s,
        "target_type": s.target.type.value,
        "target_low": s.target.low,
        "target_high": s.target.high,
        "target_text": describe_target(s.target),
        "ramp_to_low": None if s.ramp_to is None else s.ramp_to.low,
        "ramp_to_high": None if s.ramp_to is None else s.ramp_to.high,
        "cue": s.cue,
        "text_cues": [{"offset_s": c.offset_s, "text": c.text} for c in s.text_cues],
        "rep": p.rep,
        "rep_count": p.rep_count,
        "work_number": p.work_number,
        "work_count": p.work_count,
    }


def workout_doc(w: Workout) -> dict[str, Any]:
    """A resolved workout as JSON: name, description, level, source and expanded steps."""
    steps = w.expand()
    timed = sum(
        p.step.duration.value or 0 for p in steps if p.step.duration.type is DurationType.TIME
    )
    return {
        "name": w.name,
        "description": w.description,
        "level": w.level,
        "source": w.source,
        "step_count": len(steps),
        "timed_s": timed,
        "foot_contacts": foot_contacts(w),
        "steps": [step_row(p) for p in steps],
    }


def _duration_text(p: PlannedStep) -> str:
    d = p.step.duration
    match d.type:
        case DurationType.TIME:
            return _mmss(d.value)
        case DurationType.DISTANCE:
            return f"{d.value:g} m"
        case DurationType.OPEN:
            return "until lap"
        case DurationType.HR_BELOW:
            return f"until HR < {d.value:g}"
        case DurationType.HR_ABOVE:
            return f"until HR > {d.value:g}"


def cmd_workouts(args: argparse.Namespace) -> int:
    """List, show, validate or import workouts."""
    settings = settings_from_args(args)
    profile = profile_from_settings(settings.athlete)
    catalog = WorkoutCatalog(settings.storage.state_dir, profile)
    match args.workouts_command:
        case "list":
            entries = catalog.entries()
            if args.json:
                print_json([_entry(e) for e in entries])
            else:
                for e in entries:
                    _out(f"{e.name:<24} {e.level:<13} {e.description}")
            return EX_OK
        case "show":
            workout = catalog.find(args.workout)
            doc = workout_doc(workout)
            if args.json:
                print_json(doc)
                return EX_OK
            _out(f"{doc['name']}: {doc['description']} [{doc['level'] or 'unrated'}]")
            if doc["foot_contacts"]:
                _out(f"  plyometric volume: {doc['foot_contacts']} foot contacts")
            for p in workout.expand():
                target = describe_target(p.step.target)
                label = p.step.name or p.step.intensity.value
                _out(f"  {p.index + 1:>3}. {label:<22} {_duration_text(p):<16} {target}")
            return EX_OK
        case "validate":
            return _validate(Path(args.file), profile, settings.coach, as_json=args.json)
        case "import":
            entry = catalog.import_file(Path(args.file))
            check_length(catalog.get(entry.name), settings.coach, _est_speed(profile))
            if args.json:
                print_json(_entry(entry))
            else:
                _out(f"imported {entry.name} into {entry.source}")
            return EX_OK
    raise AssertionError(args.workouts_command)


def _entry(e: Entry) -> dict[str, Any]:
    return {"name": e.name, "description": e.description, "level": e.level, "source": e.source}


def _est_speed(profile: AthleteProfile) -> float:
    return profile.threshold_speed_mps or DEFAULT_THRESHOLD_MPS


def _validate(path: Path, profile: AthleteProfile, cfg: CoachConfig, *, as_json: bool) -> int:
    try:
        workout = resolve_workout(load_workout_file(path), profile)
        check_length(workout, cfg, _est_speed(profile))
    except WorkoutError as exc:
        doc = {
            "file": str(path),
            "ok": False,
            "error": exc.reason,
            "source": exc.source,
            "position": exc.position,
        }
        if as_json:
            print_json(doc)
        else:
            _out(f"invalid: {exc}")
        return EX_DATAERR
    steps = workout.expand()
    if as_json:
        print_json({"file": str(path), "ok": True, "name": workout.name, "step_count": len(steps)})
    else:
        _out(f"ok: {workout.name}, {len(steps)} steps")
    return EX_OK
