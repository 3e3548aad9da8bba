"""intervals.icu plain-text workouts -> ``Workout`` (pure; text in).

Syntax (intervals.icu workout builder, forum.intervals.icu/t/workout-builder/1163,
and its running page as quoted by gesteves/domestique run-workout-syntax.md):

- A line starting with ``-`` is a step; any other non-blank line is a section
  header naming the steps under it. A header ending in ``Nx`` (``Main set 6x``)
  or a bare ``Nx`` line repeats the steps that follow, up to a blank line or
  the next header. Nested repeats do not exist in the format.
- Durations: ``1h``, ``10m`` (m is MINUTES), ``30s``, ``5m30s``, ``1m30``,
  ``5'``, ``30"``, ``1'30"``; distances ``2km``, ``1.5km``, ``400mtr``, ``1mi``.
- Targets: ``98-103% Pace`` (of threshold pace), ``Z2 Pace``, ``Z1 HR``,
  ``Z1-Z2 HR``, ``75% HR`` (of max HR), ``95% LTHR``, ``70% HRR``,
  ``4:15/km Pace`` and ranges ``6:00-5:30/km`` (also /mi, /100m, /400m, /500m,
  /250m, /100y), ``150bpm``, ``250w``, a bare ``80%`` (of FTP), cadence
  ``90rpm`` / ``170spm``; ``ramp`` makes the range a ramp from first to second.
- ``press lap``: the lap button ends the step. Words before the first duration
  or target are the step's cue; ``First 33^At 33 s <!>`` gives timed prompts.

Decisions: a step keeps its first target; further targets (the model has one)
are added to the cue text. ``rpm`` is per foot, doubled to steps per minute as
for FIT. In a repeat block, a step easier than the block's hardest is a
recovery. A bare zone (``Z2``) is refused: it would be a power zone.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field, replace

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
from hiitd.workouts._common import (
    MAX_STEP_S,
    at,
    check_count,
    check_distance,
    check_time,
    finish,
)

_NUM = r"\d+(?:\.\d+)?"
_HMS = re.compile(rf"^(?:(?P<h>{_NUM})h)?(?:(?P<m>{_NUM})m)?(?:(?P<s>{_NUM})s)?$")
_M_S = re.compile(r"^(?P<m>\d+)m(?P<s>\d{1,2})$")  # 1m30
_QUOTES = re.compile(r"""^(?:(?P<m>\d+)')?(?:(?P<s>\d+)")?$""")  # 5' 30" 1'30"
_DIST = re.compile(rf"^(?P<v>{_NUM})(?P<u>km|mi|mtr)$")
_RANGE = rf"(?P<lo>{_NUM})(?:-(?P<hi>{_NUM}))?"
_PCT = re.compile(rf"^{_RANGE}%$")
_ZONE = re.compile(r"^z(?P<lo>\d)(?:-z?(?P<hi>\d))?$")
_PACE = re.compile(
    r"^(?P<lo>\d+:\d{2})(?:-(?P<hi>\d+:\d{2}))?/(?P<u>km|mi|100m|500m|400m|250m|100y)$"
)
_UNIT = re.compile(rf"^{_RANGE}(?P<u>bpm|w|rpm|spm)$")
_REPEAT = re.compile(r"^(?P<name>.*?)\s*(?P<n>\d+)\s*x$", re.IGNORECASE)
_PACE_M = {"km": 1000.0, "mi": 1609.344, "100m": 100.0, "500m": 500.0, "400m": 400.0,
           "250m": 250.0, "100y": 91.44}  # fmt: skip
_DIST_M = {"km": 1000.0, "mi": 1609.344, "mtr": 1.0}
_PCT_REF = {"hr": Reference.PCT_MAX_HR, "lthr": Reference.PCT_LTHR, "hrr": Reference.PCT_HRR,
            "pace": Reference.PCT_THRESHOLD_SPEED}  # fmt: skip
_TYPE_OF = {Reference.PCT_MAX_HR: TargetType.HR, Reference.PCT_LTHR: TargetType.HR,
            Reference.PCT_HRR: TargetType.HR, Reference.PCT_THRESHOLD_SPEED: TargetType.SPEED,
            Reference.PCT_FTP: TargetType.POWER}  # fmt: skip
_JOINABLE = {"bpm", "w", "rpm", "spm", "%"}


@dataclass
class _Block:
    name: str
    count: int | None  # None: not a repeat
    line: int
    steps: list[Step] = field(default_factory=list)


def _seconds(token: str) -> float | None:
    for pattern in (_M_S, _HMS, _QUOTES):
        match = pattern.match(token)
        if match and any(match.groupdict().values()):
            parts = match.groupdict()
            return (
                float(parts.get("h") or 0) * 3600
                + float(parts.get("m") or 0) * 60
                + float(parts.get("s") or 0)
            )
    return None


def _pace_speed(mmss: str, unit: str) -> float:
    minutes, seconds = mmss.split(":")
    total = int(minutes) * 60 + int(seconds)
    if total <= 0:
        raise WorkoutError(f"pace {mmss}/{unit} is zero")
    return _PACE_M[unit] / total


def _tokens(text: str) -> list[str]:
    """Whitespace tokens, with '40-50 rpm' and '80 %' joined, trailing punctuation dropped."""
    raw = [t.rstrip(",;") for t in text.split()]
    out: list[str] = []
    for tok in raw:
        if out and tok.lower() in _JOINABLE and re.fullmatch(rf"{_NUM}(?:-{_NUM})?", out[-1]):
            out[-1] += tok
        else:
            out.append(tok)
    return [t for t in out if t]


def _range_targets(
    kind: TargetType, rel: Reference | None, lo: float, hi: float | None, ramp: bool
) -> tuple[Target, Target | None]:
    """A target (or a ramp's start and end) from a low[-high] pair."""

    def make(a: float, b: float) -> Target:
        if rel is None:
            return Target(kind, a, b)
        return Target(kind, relative=Relative(rel, a, b))

    if hi is None:
        return make(lo, lo), None
    if ramp:
        return make(lo, lo), make(hi, hi)
    return make(min(lo, hi), max(lo, hi)), None


def _target(tok: str, nxt: str, ramp: bool) -> tuple[tuple[Target, Target | None], bool] | None:
    """A target token (and its unit word ``nxt``?): the target, and whether ``nxt`` was used."""
    low = tok.lower()
    unit = nxt.lower()
    if match := _PCT.match(low):
        lo, hi = float(match["lo"]), float(match["hi"]) if match["hi"] else None
        ref = _PCT_REF.get(unit)
        rel = ref or Reference.PCT_FTP
        return _range_targets(_TYPE_OF[rel], rel, lo, hi, ramp), ref is not None
    if match := _ZONE.match(low):
        if unit not in {"hr", "pace"}:
            raise WorkoutError(
                f"zone {tok} needs 'HR' or 'Pace' after it (power zones are not supported)"
            )
        rel = Reference.HR_ZONE if unit == "hr" else Reference.PACE_ZONE
        kind = TargetType.HR if unit == "hr" else TargetType.SPEED
        hi = float(match["hi"]) if match["hi"] else None
        return _range_targets(kind, rel, float(match["lo"]), hi, ramp), True
    if match := _PACE.match(low):
        lo = _pace_speed(match["lo"], match["u"])
        hi = _pace_speed(match["hi"], match["u"]) if match["hi"] else None
        return _range_targets(TargetType.SPEED, None, lo, hi, ramp), unit == "pace"
    if match := _UNIT.match(low):
        lo, hi = float(match["lo"]), float(match["hi"]) if match["hi"] else None
        u = match["u"]
        if u == "rpm":
            lo, hi = lo * 2, hi * 2 if hi is not None else None
        kind = {"bpm": TargetType.HR, "w": TargetType.POWER}.get(u, TargetType.CADENCE)
        used = (u == "bpm" and unit == "hr") or (u == "w" and unit == "power")
        return _range_targets(kind, None, lo, hi, ramp), used
    return None


@dataclass(frozen=True)
class _StepWords:
    """What a step line says, sorted: its duration, targets and the words around them."""

    duration: Duration | None
    targets: list[tuple[Target, Target | None]]
    lead: list[str]  # words before the first duration/target: the cue
    words: list[str]  # words after it
    extra: list[str]  # targets beyond the first (the model has one): said in the cue


def _step(text: str, section: str, source: str, line: int) -> Step:
    pos = f"line {line}"
    prompts, _, body = text.rpartition("<!>") if "<!>" in text else ("", "", text)
    with at(source, pos):
        read = _read_step(_tokens(body), source, pos)
    if read.duration is None:
        raise WorkoutError(
            f"step {text.strip()!r} has no duration (e.g. 10m, 30s, 1km, 400mtr) or 'press lap'",
            source=source,
            position=pos,
        )
    target, ramp_to = read.targets[0] if read.targets else (OPEN_TARGET, None)
    extra = ("also " + ", ".join(read.extra)) if read.extra else ""
    cue_parts = [" ".join(read.lead), " ".join(read.words), extra]
    text_cues: list[TextCue] = []
    if prompts:
        first, *timed = re.split(r"\s*(\d+)\^", prompts)
        cue_parts.insert(0, first.strip())
        for offset, said in zip(timed[::2], timed[1::2], strict=True):
            text_cues.append(TextCue(float(offset), said.strip()))
    cue = "; ".join(p for p in cue_parts if p) or None
    with at(source, pos):
        return Step(_intensity(section, cue), read.duration, target, name=section, cue=cue,
                    text_cues=tuple(text_cues), ramp_to=ramp_to)  # fmt: skip


def _read_step(tokens: list[str], source: str, pos: str) -> _StepWords:
    """Sort a step's tokens into its duration, its targets and the words around them."""
    ramp = any(t.lower() == "ramp" for t in tokens)
    duration: Duration | None = None
    targets: list[tuple[Target, Target | None]] = []
    lead: list[str] = []
    words: list[str] = []
    extra: list[str] = []
    i = 0
    while i < len(tokens):
        tok, nxt = tokens[i], tokens[i + 1] if i + 1 < len(tokens) else ""
        low = tok.lower()
        seen = duration is not None or bool(targets)
        if low == "ramp":
            i += 1
            continue
        if low == "press" and nxt.lower() == "lap":
            duration = Duration(DurationType.OPEN)
            i += 2
            continue
        if duration is None and (length := _length(tok, source, pos)) is not None:
            duration = length
        elif (parsed := _target(tok, nxt, ramp)) is not None:
            pair, used = parsed
            if targets:
                extra.append(tok + (f" {nxt}" if used else ""))
            else:
                targets.append(pair)
            i += 2 if used else 1
            continue
        elif low in {"pace", "hr", "power"} and seen:
            pass  # a unit word after a target already read
        else:
            (words if seen else lead).append(tok)
        i += 1
    return _StepWords(duration, targets, lead, words, extra)


def _length(tok: str, source: str, pos: str) -> Duration | None:
    """A time (``10m``, ``1m30``, ``5'``) or distance (``2km``, ``400mtr``) token, else None."""
    low = tok.lower()
    if (seconds := _seconds(low)) is not None:
        if low.endswith("m") and seconds > MAX_STEP_S:
            raise WorkoutError(
                f"{tok!r} is {seconds / 60:g} minutes ('m' is minutes): "
                f"write {low[:-1]}mtr for metres",
                source=source,
                position=pos,
            )
        return Duration(DurationType.TIME, check_time(seconds, source, pos))
    if match := _DIST.match(low):
        metres = float(match["v"]) * _DIST_M[match["u"]]
        return Duration(DurationType.DISTANCE, check_distance(metres, source, pos))
    return None


def _intensity(section: str, cue: str | None) -> Intensity:
    words = f"{section} {cue or ''}".lower()
    if "warm" in words:
        return Intensity.WARMUP
    if "cool" in words:
        return Intensity.COOLDOWN
    if "recover" in words:
        return Intensity.RECOVERY
    if re.search(r"\brest\b", words):
        return Intensity.REST
    return Intensity.ACTIVE


def _level(step: Step) -> tuple[object, float] | None:
    """What a step's target is measured in and how hard it is, to compare steps of a block."""
    t = step.target
    rel = t.relative
    value = (rel.high or rel.low) if rel is not None else (t.high or t.low)
    if value is None or t.type is TargetType.OPEN:
        return None
    return ((t.type, rel.reference if rel else None), value)


def _easy(step: Step) -> bool:
    """Zone 1-2 or a cue saying easy/jog/walk: the easy part of a repeat."""
    rel = step.target.relative
    if rel is not None and rel.reference in {Reference.HR_ZONE, Reference.PACE_ZONE}:
        return (rel.high or rel.low or 0) <= 2
    return bool(re.search(r"\b(easy|jog|walk)\b", (step.cue or "").lower()))


def _close(block: _Block, items: list[Step | Repeat], source: str) -> None:
    if block.count is None:
        items.extend(block.steps)
        return
    if not block.steps:
        raise WorkoutError(
            f"repeat '{block.name or 'x'}' has no steps under it", source=source,
            position=f"line {block.line}",
        )  # fmt: skip
    steps = list(block.steps)
    levels = [_level(s) for s in steps]
    kinds = {lv[0] for lv in levels if lv is not None}
    comparable = len(kinds) == 1 and all(lv is not None for lv in levels)
    top = max((lv[1] for lv in levels if lv is not None), default=0.0)
    steps = [
        replace(s, intensity=Intensity.RECOVERY)
        if s.intensity is Intensity.ACTIVE
        and len(steps) > 1
        and ((comparable and lv is not None and lv[1] < top) or (i > 0 and _easy(s)))
        else s
        for i, (s, lv) in enumerate(zip(steps, levels, strict=True))
    ]
    with at(source, f"line {block.line}"):
        items.append(Repeat(block.count, tuple(steps)))


def parse_icu_text(text: str, source: str = "<text>", *, name: str | None = None) -> Workout:
    """Parse an intervals.icu text workout; ``name`` defaults to the file name."""
    items: list[Step | Repeat] = []
    block = _Block("", None, 0)
    section = ""
    for number, raw in enumerate(text.splitlines(), start=1):
        line = raw.strip()
        if not line or line.startswith("```"):
            if block.count is not None:
                _close(block, items, source)
                block = _Block(section, None, number)
            continue
        if line.startswith("-"):
            block.steps.append(_step(line[1:], section, source, number))
            continue
        _close(block, items, source)
        header = line.lstrip("#").strip()
        match = _REPEAT.match(header)
        if match:
            count = check_count(int(match["n"]), source, f"line {number}")
            section = match["name"].strip() or section
            block = _Block(section, count, number)
        else:
            section = header
            block = _Block(section, None, number)
    _close(block, items, source)
    if not items:
        raise WorkoutError(
            "no steps found: a step is a line starting with '-', e.g. '- 10m Z2 HR'",
            source=source,
            position=f"line {max(1, len(text.splitlines()))}",
        )
    title = name or source.rsplit("/", 1)[-1].rsplit(".", 1)[0] or "intervals.icu workout"
    with at(source, "whole file"):
        workout = Workout(name=title, items=tuple(items), source=source)
    return finish(workout)
