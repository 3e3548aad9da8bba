"""Zwift ``.zwo`` running workouts -> ``Workout`` (pure; bytes in).

Format references (no official spec exists):

- h4l/zwift-workout-file-reference, ``zwift_workout_file_tag_reference.md``:
  the elements and attributes seen in every built-in Zwift workout, including
  the letter-case variants (``textevent``/``TextEvent``, ``FreeRide``/``Freeride``,
  ``pace``/``Pace``) and junk ``pace`` values (8268, -1307163960, 32766).
- breiko83/zwo-editor ``src/services/xmlService.ts``: ``<durationType>`` is
  ``time`` when absent; when ``distance``, Duration/OnDuration/OffDuration are
  metres and text events carry ``distoffset``; text events of an element are
  offsets from that element's start (an IntervalsT's from the block start).
- For ``<sportType>run</sportType>``, ``pace="N"`` picks the reference speed
  (0 mile, 1 5 km, 2 10 km, 3 half marathon, 4 marathon) and every Power value
  is a fraction of that speed (zwo-editor's pace select box).

Decisions:

- Only run workouts are accepted: in a bike file Power means a fraction of FTP.
- Unknown elements inside ``<workout>`` are rejected: they may change timing
  and a silently shorter session is worse than a clear error. Inside a block,
  unknown children (``gameplayevent``, ``TextNotification``) cannot change the
  block's length and are ignored, as are unknown attributes and metadata.
- Files without ``<durationType>`` are time-based (zwo-editor's default), unless
  a text event uses ``distoffset``, which only a distance workout writes; the
  caller can force the unit (``distance=True``) for files such as luishpinto's,
  whose Durations are metres without saying so.
- A ``distoffset`` cue cannot be placed yet: ``TextCue`` counts seconds. Such
  cues are left out and counted in the description.
- defusedxml with DTDs forbidden: no "billion laughs", no external entities
  (``_zwo_xml``).
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import TYPE_CHECKING

from hiitd.coach.workout_model import (
    OPEN_TARGET,
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
from hiitd.workouts._common import at, check_count, check_distance, check_time, finish, finite
from hiitd.workouts._zwo_xml import attr, child_text, parse_xml, tag_name

if TYPE_CHECKING:
    import xml.etree.ElementTree as ET
    from collections.abc import Iterable

# pace="N" -> reference race distance in metres (zwo-editor's pace select box).
RACE_M = (1609.344, 5000.0, 10000.0, 21097.5, 42195.0)
MAX_FRACTION = 3.0  # 300 % of a race speed: beyond any runner, so a typo or a bike file
_BLOCKS = {"warmup", "cooldown", "ramp", "steadystate", "intervalst", "freeride", "maxeffort"}


@dataclass
class _Ctx:
    source: str
    distance: bool
    lines: dict[int, int]
    dropped_cues: int = 0

    def drop_cue(self) -> None:
        """A text cue cannot be placed: it is left out and counted in the description."""
        self.dropped_cues += 1


def _where(ctx: _Ctx, elem: ET.Element, index: int) -> str:
    line = ctx.lines.get(id(elem))
    tag = str(elem.tag)
    return f"<{tag}> #{index}" + (f" (line {line})" if line else "")


def _num(ctx: _Ctx, elem: ET.Element, pos: str, *names: str) -> float | None:
    text = attr(elem, *names)
    if text is None or not text.strip():
        return None
    return finite(text, names[0], ctx.source, pos)


def _length(ctx: _Ctx, elem: ET.Element, pos: str, *names: str) -> Duration:
    value = _num(ctx, elem, pos, *names)
    if value is None:
        raise WorkoutError(f"{names[0]} is missing", source=ctx.source, position=pos)
    if ctx.distance:
        return Duration(DurationType.DISTANCE, check_distance(value, ctx.source, pos))
    return Duration(DurationType.TIME, check_time(value, ctx.source, pos))


def _race_m(elem: ET.Element) -> float:
    text = attr(elem, "pace")
    try:
        index = int(float(text)) if text is not None else 0
    except (ValueError, OverflowError):  # "abc", "inf"
        index = 0
    # Junk values seen in built-in files (h4l reference): fall back to
    # zwo-editor's default, pace 0 (mile).
    return RACE_M[index] if 0 <= index < len(RACE_M) else RACE_M[0]


def _speed(ctx: _Ctx, pos: str, race_m: float, low: float | None, high: float | None) -> Target:
    if low is None and high is None:
        return OPEN_TARGET
    for f in (low, high):
        if f is not None and not 0 < f <= MAX_FRACTION:
            raise WorkoutError(
                f"pace fraction {f:g} is outside 0 < f <= {MAX_FRACTION:g}",
                source=ctx.source,
                position=pos,
            )
    lo = low * 100 if low is not None else None
    hi = high * 100 if high is not None else None
    with at(ctx.source, pos):
        rel = Relative(Reference.PCT_RACE_SPEED, lo, hi, race_m=race_m)
        return Target(TargetType.SPEED, relative=rel)


def _cues(ctx: _Ctx, children: Iterable[ET.Element], pos: str) -> list[tuple[float, str]]:
    out: list[tuple[float, str]] = []
    for child in children:
        if tag_name(child) != "textevent":
            continue  # gameplayevent, TextNotification: no effect on timing
        text = (attr(child, "message") or "").strip()
        if attr(child, "distoffset") is not None and attr(child, "timeoffset") is None:
            ctx.drop_cue()
            continue
        offset = _num(ctx, child, pos, "timeoffset") or 0.0
        if offset < 0:
            raise WorkoutError(
                f"text event offset {offset:g} s is negative", source=ctx.source, position=pos
            )
        if text:
            out.append((offset, text))
    return out


def _step(ctx: _Ctx, elem: ET.Element, pos: str, cues: list[tuple[float, str]]) -> Step:
    kind = tag_name(elem)
    race_m = _race_m(elem)
    duration = _length(ctx, elem, pos, "Duration")
    text_cues = tuple(TextCue(o, t) for o, t in sorted(cues))
    ramp_to: Target | None = None
    cue: str | None = None
    if kind in {"warmup", "cooldown", "ramp"}:
        # Ramps go from PowerLow to PowerHigh (Cooldowns have PowerLow > PowerHigh).
        start = _num(ctx, elem, pos, "PowerLow")
        end = _num(ctx, elem, pos, "PowerHigh")
        target = _speed(ctx, pos, race_m, start, start)
        if end is not None and end != start:
            ramp_to = _speed(ctx, pos, race_m, end, end)
        intensity = {"warmup": Intensity.WARMUP, "cooldown": Intensity.COOLDOWN}.get(
            kind, Intensity.ACTIVE
        )
    elif kind == "steadystate":
        power = _num(ctx, elem, pos, "Power")
        if power is not None:
            target = _speed(ctx, pos, race_m, power, power)
        else:
            low, high = _num(ctx, elem, pos, "PowerLow"), _num(ctx, elem, pos, "PowerHigh")
            target = _speed(ctx, pos, race_m, low, high)
        intensity = Intensity.ACTIVE
    else:  # freeride, maxeffort: no target, the runner chooses
        target, intensity = OPEN_TARGET, Intensity.ACTIVE
        cue = "Max effort" if kind == "maxeffort" else None
    with at(ctx.source, pos):
        return Step(
            intensity, duration, target, name=str(elem.tag), cue=cue,
            text_cues=text_cues, ramp_to=ramp_to,
        )  # fmt: skip


def _intervals(ctx: _Ctx, elem: ET.Element, pos: str) -> list[Step | Repeat]:
    repeat = _num(ctx, elem, pos, "Repeat")
    count = check_count(1 if repeat is None else repeat, ctx.source, pos)
    race_m = _race_m(elem)
    on = _length(ctx, elem, pos, "OnDuration")
    off = _length(ctx, elem, pos, "OffDuration")
    on_power = _num(ctx, elem, pos, "OnPower")
    on_target = (
        _speed(ctx, pos, race_m, on_power, on_power)
        if on_power is not None
        else _speed(
            ctx, pos, race_m, *(_num(ctx, elem, pos, n) for n in ("PowerOnLow", "PowerOnHigh"))
        )
    )
    off_power = _num(ctx, elem, pos, "OffPower")
    off_target = (
        _speed(ctx, pos, race_m, off_power, off_power)
        if off_power is not None
        else _speed(
            ctx, pos, race_m, *(_num(ctx, elem, pos, n) for n in ("PowerOffLow", "PowerOffHigh"))
        )
    )
    cues = _cues(ctx, elem, pos)
    with at(ctx.source, pos):
        if not cues:
            on_step = Step(Intensity.ACTIVE, on, on_target, name="IntervalsT on")
            off_step = Step(Intensity.RECOVERY, off, off_target, name="IntervalsT off")
            return [Repeat(count, (on_step, off_step))]
        # Cue offsets count from the block start, so each repetition gets its
        # own cues: the block is unrolled into plain steps.
        assert on.value is not None
        assert off.value is not None
        steps: list[Step | Repeat] = []
        t0 = 0.0
        for _ in range(count):
            for intensity, length, target, name in (
                (Intensity.ACTIVE, on, on_target, "IntervalsT on"),
                (Intensity.RECOVERY, off, off_target, "IntervalsT off"),
            ):
                end = t0 + length.value  # type: ignore[operator]
                mine = tuple(TextCue(o - t0, t) for o, t in sorted(cues) if t0 <= o < end)
                steps.append(Step(intensity, length, target, name=name, text_cues=mine))
                t0 = end
        return steps


def parse_zwo(data: bytes, source: str = "<zwo>", *, distance: bool | None = None) -> Workout:
    """Parse a Zwift run workout; ``distance`` forces the Duration unit (None: from the file)."""
    root, lines = parse_xml(data, source)
    workout_elem = _workout_element(root, source)
    if distance is None:
        distance = _is_distance_based(root, source)
    ctx = _Ctx(source, distance, lines)
    items, pending = _blocks(ctx, workout_elem)
    items = _place_top_level(ctx, items, pending)
    name = child_text(root, "name") or source.rsplit("/", 1)[-1].removesuffix(".zwo") or "zwo"
    description = child_text(root, "description")
    if ctx.dropped_cues:
        note = f"({ctx.dropped_cues} text cues left out: placed by distance or not placeable)"
        description = f"{description}\n\n{note}" if description else note
    tags = tuple(
        (t.get("name") or t.text or "").strip()
        for t in root.iter()
        if tag_name(t) == "tag" and (t.get("name") or t.text or "").strip()
    )
    with at(source, "<workout>"):
        workout = Workout(
            name=name, items=tuple(items), description=description, source=source, tags=tags
        )
    return finish(workout)


def _workout_element(root: ET.Element, source: str) -> ET.Element:
    """The ``<workout>`` of a Zwift *run* workout file; anything else is refused, saying why."""
    if tag_name(root) != "workout_file":
        raise WorkoutError(
            f"the root element is <{root.tag}>, not <workout_file>",
            source=source,
            position="line 1",
        )
    sport = child_text(root, "sporttype").lower()
    if sport != "run":
        raise WorkoutError(
            f"sportType is {sport or 'missing (bike)'!r}: only Zwift run workouts are supported",
            source=source,
            position="<sportType>",
        )
    workout_elem = next((c for c in root if tag_name(c) == "workout"), None)
    if workout_elem is None:
        raise WorkoutError("no <workout> element", source=source, position="<workout_file>")
    return workout_elem


def _is_distance_based(root: ET.Element, source: str) -> bool:
    """Whether Durations are metres: ``<durationType>``, else whether a cue uses ``distoffset``."""
    unit = (child_text(root, "durationtype") or attr(root, "durationType") or "").lower()
    if unit not in {"", "time", "distance"}:
        raise WorkoutError(
            f"durationType {unit!r} is neither time nor distance",
            source=source,
            position="<durationType>",
        )
    return unit == "distance" or (
        unit == "" and any(attr(e, "distoffset") is not None for e in root.iter())
    )


def _blocks(
    ctx: _Ctx, workout_elem: ET.Element
) -> tuple[list[Step | Repeat], list[tuple[float, str]]]:
    """The steps of ``<workout>``'s blocks, and its top-level text events (placed later)."""
    items: list[Step | Repeat] = []
    pending: list[tuple[float, str]] = []
    for index, elem in enumerate(workout_elem, start=1):
        kind = tag_name(elem)
        pos = _where(ctx, elem, index)
        if kind == "intervalst":
            items.extend(_intervals(ctx, elem, pos))
        elif kind in _BLOCKS:
            items.append(_step(ctx, elem, pos, _cues(ctx, elem, pos)))
        elif kind == "textevent":
            pending.extend(_cues(ctx, [elem], pos))
        else:
            raise WorkoutError(
                f"unknown element <{elem.tag}> in <workout>: it may change the session's "
                "timing, so the file is refused (supported: Warmup, Cooldown, Ramp, "
                "SteadyState, IntervalsT, FreeRide, MaxEffort, textevent)",
                source=ctx.source,
                position=pos,
            )
    return items, pending


def _time_of(item: Step | Repeat) -> float | None:
    """Seconds an item lasts, or None when any of its steps is not time-based."""
    if isinstance(item, Step):
        return item.duration.value if item.duration.type is DurationType.TIME else None
    parts = [_time_of(s) for s in item.steps]
    if any(p is None for p in parts):
        return None
    return item.count * sum(p for p in parts if p is not None)


def _place_top_level(
    ctx: _Ctx, items: list[Step | Repeat], pending: list[tuple[float, str]]
) -> list[Step | Repeat]:
    """Attach text events written directly under <workout> to the step running then.

    Their offsets count from the workout start. A cue that falls inside a
    repeat, after a step that is not time-based, or past the end cannot be
    placed exactly; it is left out and counted.
    """
    out = list(items)
    for offset, text in sorted(pending):
        found = _locate(out, offset)
        if found is None:
            ctx.drop_cue()
            continue
        i, local = found
        step = out[i]
        assert isinstance(step, Step)
        cues = sorted((*step.text_cues, TextCue(local, text)), key=lambda c: c.offset_s)
        out[i] = replace(step, text_cues=tuple(cues))
    return out


def _locate(items: list[Step | Repeat], offset: float) -> tuple[int, float] | None:
    """The plain step running ``offset`` seconds into the workout, and the offset in it."""
    t0 = 0.0
    for i, item in enumerate(items):
        length = _time_of(item)
        if length is None:
            return None
        if t0 <= offset < t0 + length:
            return (i, offset - t0) if isinstance(item, Step) else None
        t0 += length
    return None
