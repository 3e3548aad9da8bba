"""hiitd's own workout format: TOML a runner can read and write. Pure, except the loader.

```toml
name = "6x800"                  # optional: the file name without .toml
description = "6 x 800 m at 5 km pace"
level = "intermediate"          # beginner, intermediate, advanced
tags = ["track"]

[[step]]
intensity = "warmup"            # warmup, active, recovery, rest, cooldown
time = "15:00"                  # or 90 (seconds), or "1:05:00"
pct_max_hr = { max = 75 }       # a ceiling; [65, 75] is a range
cue = "Easy jog"

[[step]]
repeat = 6                      # a repeat block: its steps follow as [[step.step]]

  [[step.step]]
  intensity = "active"
  distance_m = 800
  pace = ["3:50", "3:58"]       # min:s per km, either order

  [[step.step]]
  intensity = "recovery"
  until = "lap"                 # or hr_below = 120 (with min = "1:00", max = "3:00")

[[step]]
intensity = "cooldown"
time = "10:00"
```

A step ends by one of ``time``, ``distance_m``, ``until = "lap"``, ``hr_below``
or ``hr_above`` (bpm; ``min``/``max`` bound their time). It has at most one
target: ``hr``, ``pace``, ``speed_mps``, ``cadence``, ``power`` (absolute), or
``hr_zone``, ``pace_zone`` (1-5, or ``[3, 4]``), ``pct_max_hr``, ``pct_hrr``,
``pct_lthr``, ``pct_threshold_pace``, ``pct_race_pace`` (+ ``race = "5k"``),
``pct_ftp`` (relative, resolved for the athlete). Percentages of a pace are of
its *speed*, as in intervals.icu: 105 is faster than threshold. A range is
``[low, high]`` or ``{ min = ..., max = ... }`` (one of them for a ceiling or a
floor); a pace range is ``["4:05", "4:20"]`` or ``{ fastest = ..., slowest = ... }``.
``cue`` is said at the step start, ``say = [{ at = "2:00", text = "..." }]`` later.

A bad file is rejected whole: unknown keys are errors, and the message names the
file and the place, e.g. ``step 2 > step 1, line 14``.
"""

from __future__ import annotations

import difflib
import math
import re
import tomllib
from dataclasses import dataclass
from pathlib import Path
from typing import Any, NoReturn

from hiitd.coach import daniels
from hiitd.coach.runner_text import parse_duration, parse_pace
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Reference,
    Relative,
    Repeat,
    Step,
    Target,
    TargetType,
    TextCue,
    Workout,
)
from hiitd.errors import WorkoutError
from hiitd.workouts._common import at, check_count, check_distance, check_time, finish
from hiitd.workouts.toml_dump import dump_toml_workout

LEVELS = ("beginner", "intermediate", "advanced")
RACES = dict(daniels.RACE_DISTANCES)
DURATION_KEYS = ("time", "distance_m", "until", "hr_below", "hr_above")
ABSOLUTE_KEYS: dict[str, TargetType] = {
    "hr": TargetType.HR,
    "speed_mps": TargetType.SPEED,
    "cadence": TargetType.CADENCE,
    "power": TargetType.POWER,
}
RELATIVE_KEYS: dict[str, tuple[Reference, TargetType]] = {
    "pct_max_hr": (Reference.PCT_MAX_HR, TargetType.HR),
    "pct_hrr": (Reference.PCT_HRR, TargetType.HR),
    "pct_lthr": (Reference.PCT_LTHR, TargetType.HR),
    "pct_threshold_pace": (Reference.PCT_THRESHOLD_SPEED, TargetType.SPEED),
    "pct_race_pace": (Reference.PCT_RACE_SPEED, TargetType.SPEED),
    "pct_ftp": (Reference.PCT_FTP, TargetType.POWER),
}
ZONE_KEYS: dict[str, tuple[Reference, TargetType]] = {
    "hr_zone": (Reference.HR_ZONE, TargetType.HR),
    "pace_zone": (Reference.PACE_ZONE, TargetType.SPEED),
}
TARGET_KEYS = ("pace", *ABSOLUTE_KEYS, *RELATIVE_KEYS, *ZONE_KEYS)
STEP_KEYS = ("intensity", "name", "cue", "say", "min", "max", "race", *DURATION_KEYS, *TARGET_KEYS)
REPEAT_KEYS = ("repeat", "step")
TOP_KEYS = ("name", "description", "level", "tags", "step")
_HEADER = re.compile(r"^\s*\[\[\s*(step(?:\s*\.\s*step)*)\s*\]\]")


@dataclass(frozen=True, slots=True)
class _Where:
    source: str
    position: str | None

    def error(self, message: str) -> WorkoutError:
        return WorkoutError(message, source=self.source, position=self.position)

    def fail(self, message: str) -> NoReturn:
        raise self.error(message)


def _header_lines(text: str) -> dict[tuple[int, ...], int]:
    """The line of each ``[[step]]`` / ``[[step.step]]`` header, by its place in the tree."""
    counters: list[int] = []
    lines: dict[tuple[int, ...], int] = {}
    for number, line in enumerate(text.splitlines(), start=1):
        match = _HEADER.match(line)
        if match:
            depth = match[1].count("step")
            del counters[depth:]
            counters.extend([0] * (depth - len(counters)))
            counters[depth - 1] += 1
            lines[tuple(counters)] = number
    return lines


def _check_keys(table: dict[str, Any], allowed: tuple[str, ...], where: _Where) -> None:
    for key in table:
        if key not in allowed:
            near = difflib.get_close_matches(key, allowed, n=1)
            hint = f" (did you mean {near[0]!r}?)" if near else ""
            where.fail(f"unknown key {key!r}{hint}; allowed: {', '.join(allowed)}")


def _number(value: Any, what: str, where: _Where) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        where.fail(f"{what} must be a number, got {value!r}")
    return float(value)


def _string(value: Any, what: str, where: _Where) -> str:
    if not isinstance(value, str):
        where.fail(f"{what} must be a string, got {value!r}")
    return value


def _seconds(value: Any, what: str, where: _Where) -> float:
    if isinstance(value, str):
        try:
            return parse_duration(value)
        except ValueError as exc:
            where.fail(f"{what}: {exc}")
    return _number(value, what, where)


def _pace_speed(value: Any, what: str, where: _Where) -> float:
    try:
        return 1000.0 / parse_pace(_string(value, what, where))
    except (ValueError, ZeroDivisionError):
        where.fail(f'{what} must be a pace like "4:05" (min:s per km), got {value!r}')


def _range(value: Any, key: str, where: _Where) -> tuple[float | None, float | None]:
    if isinstance(value, list):
        if len(value) != 2:
            where.fail(f"{key} must be [low, high], got {value!r}")
        return _number(value[0], key, where), _number(value[1], key, where)
    if isinstance(value, dict):
        _check_keys(value, ("min", "max"), where)
        if not value:
            where.fail(f"{key} needs min, max or both")
        lo, hi = value.get("min"), value.get("max")
        return (
            None if lo is None else _number(lo, f"{key}.min", where),
            None if hi is None else _number(hi, f"{key}.max", where),
        )
    raise where.error(f"{key} must be [low, high] or {{ min = ..., max = ... }}, got {value!r}")


def _pace_range(value: Any, where: _Where) -> tuple[float | None, float | None]:
    if isinstance(value, list):
        if len(value) != 2:
            where.fail(f"pace must be [fastest, slowest], got {value!r}")
        a, b = (_pace_speed(v, "pace", where) for v in value)
        return min(a, b), max(a, b)
    if isinstance(value, dict):
        _check_keys(value, ("fastest", "slowest"), where)
        if not value:
            where.fail("pace needs fastest, slowest or both")
        fast, slow = value.get("fastest"), value.get("slowest")
        return (
            None if slow is None else _pace_speed(slow, "pace.slowest", where),
            None if fast is None else _pace_speed(fast, "pace.fastest", where),
        )
    raise where.error(
        f'pace must be ["4:05", "4:20"] or {{ fastest = ..., slowest = ... }}, got {value!r}'
    )


def _race_m(value: Any, where: _Where) -> float:
    if isinstance(value, str):
        if value.lower() not in RACES:
            where.fail(f"race {value!r} is not one of {', '.join(RACES)} (or metres)")
        return RACES[value.lower()]
    return check_distance(_number(value, "race", where), where.source, where.position or "")


def _target(table: dict[str, Any], where: _Where) -> Target:
    keys = [k for k in TARGET_KEYS if k in table]
    if len(keys) > 1:
        where.fail(f"a step has one target, got {' and '.join(keys)}")
    if "race" in table and keys != ["pct_race_pace"]:
        where.fail("race goes with pct_race_pace")
    if not keys:
        return Target()
    key = keys[0]
    value = table[key]
    if key == "pace":
        return Target(TargetType.SPEED, *_pace_range(value, where))
    if key in ABSOLUTE_KEYS:
        return Target(ABSOLUTE_KEYS[key], *_range(value, key, where))
    if key in ZONE_KEYS:
        ref, unit = ZONE_KEYS[key]
        if isinstance(value, list):
            lo, hi = _range(value, key, where)
        else:
            lo = hi = _number(value, key, where)
        if lo is None or hi is None or lo != int(lo) or hi != int(hi) or not 1 <= lo <= hi <= 5:
            where.fail(f"{key} must be a zone 1-5 or [low, high] zones, got {value!r}")
        return Target(unit, relative=Relative(ref, lo, hi))
    ref, unit = RELATIVE_KEYS[key]
    lo, hi = _range(value, key, where)
    race = None
    if ref is Reference.PCT_RACE_SPEED:
        if "race" not in table:
            where.fail('pct_race_pace needs race = "mile", "5k", "10k", "half" or "marathon"')
        race = _race_m(table["race"], where)
    return Target(unit, relative=Relative(ref, lo, hi, race_m=race))


def _duration(table: dict[str, Any], where: _Where) -> Duration:
    keys = [k for k in DURATION_KEYS if k in table]
    if len(keys) != 1:
        got = f"got {' and '.join(keys)}" if keys else "got none"
        where.fail(f"a step ends by exactly one of {', '.join(DURATION_KEYS)}; {got}")
    key, value = keys[0], table[keys[0]]
    bounds = [k for k in ("min", "max") if k in table]
    if bounds and key not in {"hr_below", "hr_above"}:
        where.fail(f"{' and '.join(bounds)} only go with hr_below or hr_above")
    pos = where.position or ""
    if key == "time":
        return Duration(
            DurationType.TIME, check_time(_seconds(value, key, where), where.source, pos)
        )
    if key == "distance_m":
        return Duration(
            DurationType.DISTANCE, check_distance(_number(value, key, where), where.source, pos)
        )
    if key == "until":
        if value != "lap":
            where.fail(f'until must be "lap" (the lap command ends the step), got {value!r}')
        return Duration(DurationType.OPEN)
    bpm = _number(value, key, where)
    if not 40 <= bpm <= 240:
        where.fail(f"{key} must be a heart rate in bpm (40-240), got {value!r}")
    lo = _seconds(table["min"], "min", where) if "min" in table else None
    hi = _seconds(table["max"], "max", where) if "max" in table else None
    kind = DurationType.HR_BELOW if key == "hr_below" else DurationType.HR_ABOVE
    return Duration(kind, bpm, lo, hi)


def _say(value: Any, where: _Where) -> tuple[TextCue, ...]:
    if not isinstance(value, list):
        where.fail('say must be a list like [{ at = "2:00", text = "..." }]')
    out = []
    for entry in value:
        if not isinstance(entry, dict):
            where.fail(f'each say entry is {{ at = "2:00", text = "..." }}, got {entry!r}')
        _check_keys(entry, ("at", "text"), where)
        if "at" not in entry or "text" not in entry:
            where.fail("each say entry needs at and text")
        out.append(
            TextCue(
                _seconds(entry["at"], "say.at", where), _string(entry["text"], "say.text", where)
            )
        )
    return tuple(out)


def _step(table: dict[str, Any], where: _Where) -> Step:
    _check_keys(table, STEP_KEYS, where)
    if "intensity" not in table:
        where.fail(f"a step needs intensity ({', '.join(Intensity)})")
    raw = table["intensity"]
    if raw not in set(Intensity):
        where.fail(f"intensity {raw!r} is not one of {', '.join(Intensity)}")
    name = _string(table.get("name", ""), "name", where)
    cue = None if "cue" not in table else _string(table["cue"], "cue", where)
    say = _say(table["say"], where) if "say" in table else ()
    return Step(Intensity(raw), _duration(table, where), _target(table, where), name, cue, say)


def _items(
    entries: Any, path: tuple[int, ...], source: str, lines: dict[tuple[int, ...], int]
) -> tuple[Step | Repeat, ...]:
    parent = _Where(source, _position(path, lines) if path else None)
    if not isinstance(entries, list) or not entries:
        parent.fail("needs at least one [[step]]" if not path else "a repeat needs [[step.step]]s")
    out: list[Step | Repeat] = []
    for i, entry in enumerate(entries, start=1):
        here = (*path, i)
        where = _Where(source, _position(here, lines))
        if not isinstance(entry, dict):
            where.fail(f"a step must be a table ([[step]]), got {entry!r}")
        with at(source, where.position or ""):
            if "repeat" in entry:
                _check_keys(entry, REPEAT_KEYS, where)
                count = check_count(
                    _number(entry["repeat"], "repeat", where), source, where.position or ""
                )
                out.append(Repeat(count, _items(entry.get("step"), here, source, lines)))
            else:
                out.append(_step(entry, where))
    return tuple(out)


def _position(path: tuple[int, ...], lines: dict[tuple[int, ...], int]) -> str:
    text = " > ".join(f"step {i}" for i in path)
    line = lines.get(path)
    return f"{text}, line {line}" if line else text


def parse_toml_workout(text: str, source: str) -> Workout:
    """The workout in ``text`` (a TOML document read from ``source``); WorkoutError if bad."""
    top = _Where(source, None)
    try:
        doc = tomllib.loads(text)
    except tomllib.TOMLDecodeError as exc:
        match = re.search(r"line (\d+)", str(exc))
        raise WorkoutError(
            f"not valid TOML: {exc}", source=source, position=f"line {match[1]}" if match else None
        ) from None
    _check_keys(doc, TOP_KEYS, top)
    name = _string(doc.get("name", Path(source).stem), "name", top).strip()
    level = _string(doc.get("level", ""), "level", top)
    if level and level not in LEVELS:
        top.fail(f"level {level!r} is not one of {', '.join(LEVELS)}")
    tags = doc.get("tags", [])
    if not isinstance(tags, list) or not all(isinstance(t, str) for t in tags):
        top.fail(f"tags must be a list of strings, got {tags!r}")
    items = _items(doc.get("step"), (), source, _header_lines(text))
    with at(source, "whole file"):
        workout = Workout(
            name=name,
            items=items,
            description=_string(doc.get("description", ""), "description", top),
            level=level,
            source=source,
            tags=tuple(tags),
        )
    return finish(workout)


def load_toml_workout(path: str | Path) -> Workout:
    """Read and parse the TOML workout at ``path``."""
    path = Path(path)
    try:
        text = path.read_text(encoding="utf-8-sig")
    except FileNotFoundError:
        raise WorkoutError("no such file", source=str(path)) from None
    except (OSError, UnicodeDecodeError) as exc:
        raise WorkoutError(f"cannot read: {exc}", source=str(path)) from None
    return parse_toml_workout(text, str(path))


__all__ = ["dump_toml_workout", "load_toml_workout", "parse_toml_workout"]
