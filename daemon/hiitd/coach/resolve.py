"""Resolving relative targets against an athlete profile, and describing targets. Pure.

A workout says "zone 4" or "98-103 % of threshold pace"; the engine needs bpm and
m/s. ``resolve_workout`` returns the same workout with every ``Relative`` turned
into absolute bounds, or rejects it whole naming the step and the setting that
is missing: a target that cannot be resolved is never silently dropped.
"""

from __future__ import annotations

import math
from dataclasses import replace
from typing import TYPE_CHECKING

from hiitd.coach import daniels, zones
from hiitd.coach.workout_model import Reference, Relative, Repeat, Step, Target, TargetType, Workout
from hiitd.errors import WorkoutError

if TYPE_CHECKING:
    from hiitd.coach.profile import AthleteProfile

_UNIT_OF: dict[Reference, TargetType] = {
    Reference.HR_ZONE: TargetType.HR,
    Reference.PCT_MAX_HR: TargetType.HR,
    Reference.PCT_HRR: TargetType.HR,
    Reference.PCT_LTHR: TargetType.HR,
    Reference.PACE_ZONE: TargetType.SPEED,
    Reference.PCT_THRESHOLD_SPEED: TargetType.SPEED,
    Reference.PCT_RACE_SPEED: TargetType.SPEED,
    Reference.PCT_FTP: TargetType.POWER,
}
_PACE_ADVICE = "set athlete.threshold_pace or athlete.race"


class _UnresolvableError(Exception):
    """Internal: the profile lacks what a reference needs (the message says what)."""


def _bpm(x: float | None) -> int | None:
    return None if x is None else math.floor(x + 0.5)


def _speed(x: float | None) -> float | None:
    return None if x is None else round(x, 4)


def _scale(rel: Relative, base: float, offset: float = 0.0) -> tuple[float | None, float | None]:
    def one(p: float | None) -> float | None:
        return None if p is None else offset + base * p / 100.0

    return one(rel.low), one(rel.high)


def _zone_numbers(rel: Relative) -> tuple[int, int]:
    low = rel.low if rel.low is not None else rel.high
    high = rel.high if rel.high is not None else rel.low
    if low is None or high is None:
        raise _UnresolvableError("a zone target needs a zone number")
    if low != int(low) or high != int(high) or not 1 <= low <= high <= 5:
        raise _UnresolvableError(f"zone numbers must be whole numbers 1-5, got {low:g}-{high:g}")
    return int(low), int(high)


def _resolve_hr(rel: Relative, p: AthleteProfile) -> tuple[float | None, float | None]:
    ref = rel.reference
    if ref is Reference.HR_ZONE:
        lo, hi = _zone_numbers(rel)
        low, high = zones.zone_span(zones.hr_zones(p), lo, hi)
        return low, high
    if ref is Reference.PCT_MAX_HR:
        low_f, high_f = _scale(rel, p.max_hr)
    elif ref is Reference.PCT_HRR:
        if p.resting_hr is None:
            raise _UnresolvableError("a heart-rate-reserve target needs athlete.resting_hr")
        low_f, high_f = _scale(rel, p.max_hr - p.resting_hr, p.resting_hr)
    else:
        if p.lthr is None:
            raise _UnresolvableError("a % of LTHR target needs athlete.lthr")
        low_f, high_f = _scale(rel, p.lthr)
    return _bpm(low_f), _bpm(high_f)


def _resolve_speed(rel: Relative, p: AthleteProfile) -> tuple[float | None, float | None]:
    ref = rel.reference
    if ref is Reference.PCT_RACE_SPEED:
        if rel.race_m is None or rel.race_m <= 0:
            raise _UnresolvableError("a race-pace target needs the race distance (race_m)")
        if p.vdot is None:
            raise _UnresolvableError(f"a race-pace target needs a race result: {_PACE_ADVICE}")
        low, high = _scale(rel, daniels.race_speed(p.vdot, rel.race_m))
        return _speed(low), _speed(high)
    if p.threshold_speed_mps is None:
        raise _UnresolvableError(f"a pace target needs a threshold pace: {_PACE_ADVICE}")
    if ref is Reference.PACE_ZONE:
        lo, hi = _zone_numbers(rel)
        low, high = zones.pace_zone_span(zones.pace_zones(p.threshold_speed_mps), lo, hi)
    else:
        low, high = _scale(rel, p.threshold_speed_mps)
    return _speed(low), _speed(high)


def _resolve(t: Target, p: AthleteProfile) -> Target:
    rel = t.relative
    if rel is None or t.type is TargetType.OPEN:
        return t
    unit = _UNIT_OF[rel.reference]
    if t.type is not unit:
        raise _UnresolvableError(f"a {rel.reference} target must be a {unit} target, not {t.type}")
    if unit is TargetType.HR:
        low, high = _resolve_hr(rel, p)
    elif unit is TargetType.SPEED:
        low, high = _resolve_speed(rel, p)
    else:
        if p.ftp_w is None:
            raise _UnresolvableError("a % of FTP target needs a running-power FTP in the profile")
        low, high = _scale(rel, p.ftp_w)
    return Target(t.type, low, high)


def resolve_target(t: Target, profile: AthleteProfile) -> Target:
    """``t`` with absolute bounds for this athlete (unchanged if already absolute)."""
    try:
        return _resolve(t, profile)
    except _UnresolvableError as exc:
        raise WorkoutError(str(exc)) from exc


def _resolve_step(s: Step, p: AthleteProfile) -> Step:
    target = _resolve(s.target, p)
    ramp = None if s.ramp_to is None else _resolve(s.ramp_to, p)
    if target is s.target and ramp is s.ramp_to:
        return s
    return replace(s, target=target, ramp_to=ramp)


def _resolve_items(
    items: tuple[Step | Repeat, ...], p: AthleteProfile, source: str, where: str
) -> tuple[Step | Repeat, ...]:
    out: list[Step | Repeat] = []
    for i, item in enumerate(items, start=1):
        pos = f"{where}step {i}"
        if isinstance(item, Repeat):
            out.append(Repeat(item.count, _resolve_items(item.steps, p, source, f"{pos} > ")))
            continue
        try:
            out.append(_resolve_step(item, p))
        except _UnresolvableError as exc:
            named = f"{item.name!r}: " if item.name else ""
            raise WorkoutError(f"{named}{exc}", source=source or None, position=pos) from exc
    return tuple(out)


def resolve_workout(w: Workout, profile: AthleteProfile) -> Workout:
    """``w`` with every relative target made absolute, or WorkoutError naming the step."""
    return replace(w, items=_resolve_items(w.items, profile, w.source, ""))


def _range(low: float | None, high: float | None, unit: str, fmt: str = "{:g}") -> str:
    if low is not None and high is not None:
        if low == high:
            return f"{fmt.format(low)} {unit}"
        return f"{fmt.format(low)}-{fmt.format(high)} {unit}"
    if high is not None:
        return f"under {fmt.format(high)} {unit}"
    if low is not None:
        return f"over {fmt.format(low)} {unit}"
    return "open"


_REL_TEXT = {
    Reference.PCT_MAX_HR: "% max HR",
    Reference.PCT_HRR: "% HR reserve",
    Reference.PCT_LTHR: "% LTHR",
    Reference.PCT_THRESHOLD_SPEED: "% threshold pace",
    Reference.PCT_FTP: "% FTP",
}


def _describe_relative(rel: Relative) -> str:
    if rel.reference in {Reference.HR_ZONE, Reference.PACE_ZONE}:
        kind = "HR" if rel.reference is Reference.HR_ZONE else "pace"
        low = rel.low if rel.low is not None else rel.high
        high = rel.high if rel.high is not None else rel.low
        if low is None or high is None:
            return f"{kind} zone ?"
        return f"{kind} zone {low:g}" if low == high else f"{kind} zones {low:g}-{high:g}"
    if rel.reference is Reference.PCT_RACE_SPEED:
        names = {d: n for n, d in daniels.RACE_DISTANCES}
        race = names.get(rel.race_m or 0.0, f"{rel.race_m:g} m race")
        return _range(rel.low, rel.high, f"% {race} pace")
    return _range(rel.low, rel.high, _REL_TEXT[rel.reference])


def describe_target(t: Target) -> str:
    """Target for a cue: ``"4:05-4:20 /km"``, ``"150-160 bpm"``, ``"170-180 spm"``, ``"open"``."""
    if t.type is TargetType.OPEN:
        return "open"
    if t.relative is not None:
        return _describe_relative(t.relative)
    if t.type is TargetType.SPEED:
        # A bound of 0 m/s is no bound ("any pace up to ..."), not an infinite pace.
        fast = zones.format_pace(t.high) if t.high else None
        slow = zones.format_pace(t.low) if t.low else None
        if fast and slow:
            return f"{fast} /km" if fast == slow else f"{fast}-{slow} /km"
        if slow:
            return f"{slow} /km or faster"
        return f"{fast} /km or slower" if fast else "open"
    unit = {TargetType.HR: "bpm", TargetType.CADENCE: "spm", TargetType.POWER: "W"}[t.type]
    return _range(t.low, t.high, unit, "{:.0f}")
