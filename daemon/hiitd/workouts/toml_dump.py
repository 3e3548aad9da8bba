"""Writing a workout in hiitd's TOML format (``toml_format``), so that it reads back equal."""

from __future__ import annotations

import json
import math

from hiitd.coach import daniels
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Reference,
    Repeat,
    Step,
    Target,
    TargetType,
    Workout,
)
from hiitd.errors import WorkoutError

_RACE_NAMES = {metres: name for name, metres in daniels.RACE_DISTANCES}
_RELATIVE_KEY = {
    Reference.PCT_MAX_HR: "pct_max_hr",
    Reference.PCT_HRR: "pct_hrr",
    Reference.PCT_LTHR: "pct_lthr",
    Reference.PCT_THRESHOLD_SPEED: "pct_threshold_pace",
    Reference.PCT_RACE_SPEED: "pct_race_pace",
    Reference.PCT_FTP: "pct_ftp",
    Reference.HR_ZONE: "hr_zone",
    Reference.PACE_ZONE: "pace_zone",
}
_ABSOLUTE_KEY = {TargetType.HR: "hr", TargetType.CADENCE: "cadence", TargetType.POWER: "power"}


def _str(text: str) -> str:
    # A JSON string is a TOML basic string, except that TOML also escapes DEL.
    return json.dumps(text, ensure_ascii=False).replace("\x7f", "\\u007f")


def _num(x: float) -> str:
    if not math.isfinite(x):
        raise WorkoutError(f"cannot write {x} in TOML")
    return str(int(x)) if x == int(x) and abs(x) < 1e15 else repr(float(x))


def _clock(seconds: float) -> str:
    """``"4:00"``/``"1:05:00"`` for whole seconds; a plain number otherwise."""
    if seconds != int(seconds):
        return _num(seconds)
    h, rest = divmod(int(seconds), 3600)
    m, s = divmod(rest, 60)
    return _str(f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}")


def _bounds(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"[{_num(low)}, {_num(high)}]"
    parts = ([f"min = {_num(low)}"] if low is not None else []) + (
        [f"max = {_num(high)}"] if high is not None else []
    )
    return "{ " + ", ".join(parts) + " }"


def _whole_pace(speed: float) -> str | None:
    """``"4:05"`` when ``speed`` is exactly a whole-second pace, so it reads back equal."""
    seconds = round(1000.0 / speed)
    if seconds <= 0 or 1000.0 / seconds != speed:
        return None
    return f"{seconds // 60}:{seconds % 60:02d}"


def _speed_lines(t: Target) -> list[str]:
    slow = None if t.low is None else _whole_pace(t.low)
    fast = None if t.high is None else _whole_pace(t.high)
    if (t.low is None or slow) and (t.high is None or fast):
        if slow and fast:
            return [f"pace = [{_str(fast)}, {_str(slow)}]"]
        parts = ([f"fastest = {_str(fast)}"] if fast else []) + (
            [f"slowest = {_str(slow)}"] if slow else []
        )
        return ["pace = { " + ", ".join(parts) + " }"]
    return [f"speed_mps = {_bounds(t.low, t.high)}"]


def _target_lines(t: Target) -> list[str]:
    if t.type is TargetType.OPEN:
        return []
    rel = t.relative
    if rel is not None:
        key = _RELATIVE_KEY[rel.reference]
        if rel.reference in {Reference.HR_ZONE, Reference.PACE_ZONE} and rel.low == rel.high:
            value = _num(rel.low) if rel.low is not None else _bounds(None, None)
        else:
            value = _bounds(rel.low, rel.high)
        lines = [f"{key} = {value}"]
        if rel.reference is Reference.PCT_RACE_SPEED and rel.race_m is not None:
            name = _RACE_NAMES.get(rel.race_m)
            lines.append(f"race = {_str(name) if name else _num(rel.race_m)}")
        return lines
    if t.low is None and t.high is None:
        raise WorkoutError(f"a {t.type} target with no bounds cannot be written in TOML")
    if t.type is TargetType.SPEED:
        return _speed_lines(t)
    return [f"{_ABSOLUTE_KEY[t.type]} = {_bounds(t.low, t.high)}"]


def _duration_lines(d: Duration) -> list[str]:
    if d.type is DurationType.OPEN:
        return ['until = "lap"']
    value = d.value if d.value is not None else 0.0
    if d.type is DurationType.TIME:
        return [f"time = {_clock(value)}"]
    if d.type is DurationType.DISTANCE:
        return [f"distance_m = {_num(value)}"]
    lines = [f"{d.type.value} = {_num(value)}"]
    if d.min_s is not None:
        lines.append(f"min = {_clock(d.min_s)}")
    if d.max_s is not None:
        lines.append(f"max = {_clock(d.max_s)}")
    return lines


def _step_lines(s: Step) -> list[str]:
    if s.ramp_to is not None:
        raise WorkoutError(f"step {s.name!r} is a ramp: ramps cannot be written in TOML")
    lines = [f"intensity = {_str(s.intensity.value)}"]
    if s.name:
        lines.append(f"name = {_str(s.name)}")
    lines += _duration_lines(s.duration) + _target_lines(s.target)
    if s.cue is not None:
        lines.append(f"cue = {_str(s.cue)}")
    if s.text_cues:
        cues = ", ".join(
            f"{{ at = {_clock(c.offset_s)}, text = {_str(c.text)} }}" for c in s.text_cues
        )
        lines.append(f"say = [{cues}]")
    return lines


def _item_blocks(items: tuple[Step | Repeat, ...], depth: int) -> list[str]:
    indent = "  " * (depth - 1)
    header = f"{indent}[[{'.'.join(['step'] * depth)}]]"
    out: list[str] = []
    for item in items:
        out.append("")
        out.append(header)
        if isinstance(item, Repeat):
            out.append(f"{indent}repeat = {item.count}")
            out.extend(_item_blocks(item.steps, depth + 1))
        else:
            out.extend(indent + line for line in _step_lines(item))
    return out


def dump_toml_workout(w: Workout) -> str:
    """``w`` as hiitd TOML; ``parse_toml_workout`` reads it back equal (but for ``source``)."""
    lines = [f"name = {_str(w.name)}"]
    if w.description:
        lines.append(f"description = {_str(w.description)}")
    if w.level:
        lines.append(f"level = {_str(w.level)}")
    if w.tags:
        lines.append(f"tags = [{', '.join(_str(t) for t in w.tags)}]")
    lines += _item_blocks(w.items, 1)
    return "\n".join(lines) + "\n"
