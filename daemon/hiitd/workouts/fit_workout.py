"""Garmin FIT workout files -> ``Workout`` (pure; bytes in).

Decoded with Garmin's official FIT SDK for Python (``garmin-fit-sdk``): it
checks the header and file CRC and knows the current profile. The raw
``duration_value``/``target_value``/``custom_target_value_*`` fields are read
and scaled here, as the FIT Profile (Profile.xlsx, message ``workout_step``)
defines them:

- ``duration_time`` = duration_value / 1000 (ms -> s); ``duration_distance`` =
  duration_value / 100 (cm -> m); ``custom_target_speed_*`` = value / 1000 (mm/s -> m/s).
- Profile type ``workout_hr`` (value 100 = ``bpm_offset``): a heart rate of 0..100
  is a percentage of max HR, above 100 it is bpm + 100.
- Profile type ``workout_power`` (value 1000 = ``watts_offset``): 0..1000 is a
  percentage of FTP, above 1000 it is watts + 1000.
- ``repeat_until_steps_cmplt``: duration_value is the index of the first step to
  repeat, target_value the number of times (FIT SDK cookbook, "Encoding
  Workout Files"). Repeat steps themselves are not run.
- A target value of 0 means "custom": the range is in custom_target_value_low/high.

Approximations (the model repeats a fixed number of times and has one target):

- ``repeat_until_time``/``distance``: the count that fills the time or distance
  when the repeated steps are all time or all distance steps.
- Other repeat conditions (HR, power, calories, TSS): the steps run once; the
  description says so.
- A power zone becomes the % of FTP range of that Coggan level (Allen & Coggan,
  "Training and Racing with a Power Meter"): the model has no power-zone reference.
- A speed zone becomes the athlete's pace zone of the same number.
- Running cadence in FIT is in strides per minute ("rpm", as record.cadence):
  a custom cadence target is doubled to steps per minute.
"""

from __future__ import annotations

import math
import re
from collections.abc import Mapping
from typing import Any, cast

from garmin_fit_sdk import Decoder, Stream

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
    Workout,
)
from hiitd.errors import WorkoutError
from hiitd.workouts._common import at, check_count, check_distance, check_time, finish

HR_OFFSET = 100  # FIT Profile type workout_hr: bpm_offset
POWER_OFFSET = 1000  # FIT Profile type workout_power: watts_offset
# Coggan power levels in % of FTP; level 7 is open-ended.
POWER_ZONES_PCT: dict[int, tuple[float, float | None]] = {
    1: (0, 55), 2: (56, 75), 3: (76, 90), 4: (91, 105),
    5: (106, 120), 6: (121, 150), 7: (151, None),
}  # fmt: skip
_INTENSITY = {
    "active": Intensity.ACTIVE,
    "interval": Intensity.ACTIVE,
    "other": Intensity.ACTIVE,
    "rest": Intensity.REST,
    "warmup": Intensity.WARMUP,
    "cooldown": Intensity.COOLDOWN,
    "recovery": Intensity.RECOVERY,
}
_TIME_DURATIONS = {"time", "repetition_time", "time_only"}
_BYTE_AT = re.compile(r"at byte: (\d+)")

Msg = Mapping[str, Any]


def _decode(data: bytes, source: str) -> dict[str, list[Msg]]:
    if not Decoder(Stream.from_byte_array(bytearray(data))).is_fit():
        raise WorkoutError(
            "not a FIT file (no valid 12/14-byte header with '.FIT')",
            source=source,
            position="header",
        )
    if not Decoder(Stream.from_byte_array(bytearray(data))).check_integrity():
        raise WorkoutError(
            "the FIT file is truncated or its CRC does not match: re-export or re-download it",
            source=source,
            position="file CRC",
        )
    messages, errors = Decoder(Stream.from_byte_array(bytearray(data))).read(
        convert_datetimes_to_dates=False, merge_heart_rates=False
    )
    if errors:
        match = _BYTE_AT.search(str(errors[0]))
        position = f"byte {match.group(1)}" if match else "body"
        raise WorkoutError(f"FIT decoding failed: {errors[0]}", source=source, position=position)
    return cast("dict[str, list[Msg]]", messages)


def _int(msg: Msg, key: str) -> int | None:
    value = msg.get(key)
    if value is None or isinstance(value, bool):
        return None
    if isinstance(value, int):
        return value
    if isinstance(value, float) and math.isfinite(value):
        return int(value)
    return None


def _hr(value: int) -> tuple[bool, float]:
    """(is_bpm, number): FIT workout_hr, 0..100 = % max HR, above = bpm + 100."""
    return (True, float(value - HR_OFFSET)) if value > HR_OFFSET else (False, float(value))


def _duration(msg: Msg, source: str, pos: str) -> Duration:
    kind = msg.get("duration_type")
    value = _int(msg, "duration_value")
    if kind == "open" or kind is None:
        return Duration(DurationType.OPEN)
    if value is None:
        raise WorkoutError(f"{kind} duration has no value", source=source, position=pos)
    if kind in _TIME_DURATIONS:
        return Duration(DurationType.TIME, check_time(value / 1000, source, pos))
    if kind == "distance":
        return Duration(DurationType.DISTANCE, check_distance(value / 100, source, pos))
    if kind in {"hr_less_than", "hr_greater_than"}:
        is_bpm, number = _hr(value)
        if not is_bpm:
            raise WorkoutError(
                f"{kind} {number:g} % of max HR is not supported: hiitd HR durations are in bpm",
                source=source,
                position=pos,
            )
        kind_type = DurationType.HR_BELOW if kind == "hr_less_than" else DurationType.HR_ABOVE
        return Duration(kind_type, number)
    raise WorkoutError(
        f"duration type {kind!r} is not supported (time, distance, open, hr_less_than, "
        "hr_greater_than are)",
        source=source,
        position=pos,
    )


def _pair(msg: Msg) -> tuple[int | None, int | None]:
    low, high = _int(msg, "custom_target_value_low"), _int(msg, "custom_target_value_high")
    return (low or None, high or None)  # 0 = not set


def _target(msg: Msg, sport: str | None, source: str, pos: str) -> Target:
    kind = msg.get("target_type")
    zone = _int(msg, "target_value") or 0
    low, high = _pair(msg)
    if kind in {None, "open", "grade", "resistance"}:
        return OPEN_TARGET
    if kind in {"heart_rate", "heart_rate_lap"}:
        if zone:
            return Target(TargetType.HR, relative=Relative(Reference.HR_ZONE, zone, zone))
        if low is None and high is None:
            return OPEN_TARGET
        parts = [_hr(v) for v in (low, high) if v is not None]
        if len({is_bpm for is_bpm, _ in parts}) > 1:
            raise WorkoutError("HR target mixes bpm and % of max HR", source=source, position=pos)
        lo = _hr(low)[1] if low is not None else None
        hi = _hr(high)[1] if high is not None else None
        if parts[0][0]:
            return Target(TargetType.HR, lo, hi)
        return Target(TargetType.HR, relative=Relative(Reference.PCT_MAX_HR, lo, hi))
    if kind in {"speed", "speed_lap"}:
        if zone:
            return Target(TargetType.SPEED, relative=Relative(Reference.PACE_ZONE, zone, zone))
        return _absolute(TargetType.SPEED, low, high, 0.001)
    if kind == "cadence":
        if zone:
            raise WorkoutError(
                "cadence zone targets are not supported: use a custom cadence range",
                source=source,
                position=pos,
            )
        per_foot = sport in {None, "running", "walking", "generic"}
        return _absolute(TargetType.CADENCE, low, high, 2.0 if per_foot else 1.0)
    if kind in {"power", "power_3s", "power_10s", "power_30s", "power_lap"}:
        if zone:
            if zone not in POWER_ZONES_PCT:
                raise WorkoutError(f"power zone {zone} is not 1..7", source=source, position=pos)
            pct_low, pct_high = POWER_ZONES_PCT[zone]
            return Target(TargetType.POWER, relative=Relative(Reference.PCT_FTP, pct_low, pct_high))
        watts = [v > POWER_OFFSET for v in (low, high) if v is not None]
        if not watts:
            return OPEN_TARGET
        if len(set(watts)) > 1:
            raise WorkoutError("power target mixes W and % of FTP", source=source, position=pos)
        if watts[0]:
            lo = low - POWER_OFFSET if low is not None else None
            hi = high - POWER_OFFSET if high is not None else None
            return Target(TargetType.POWER, lo, hi)
        return Target(TargetType.POWER, relative=Relative(Reference.PCT_FTP, low, high))
    raise WorkoutError(f"target type {kind!r} is not supported", source=source, position=pos)


def _absolute(kind: TargetType, low: int | None, high: int | None, scale: float) -> Target:
    if low is None and high is None:
        return OPEN_TARGET
    return Target(
        kind,
        low * scale if low is not None else None,
        high * scale if high is not None else None,
    )


def _repeat_count(
    msg: Msg, body: tuple[Step | Repeat, ...], notes: list[str], source: str, pos: str
) -> int:
    kind = msg.get("duration_type")
    goal = _int(msg, "target_value")
    if kind == "repeat_until_steps_cmplt":
        return check_count(goal or 0, source, pos)
    wanted = {
        "repeat_until_time": (DurationType.TIME, 1000),
        "repeat_until_distance": (DurationType.DISTANCE, 100),
    }
    if kind in wanted and goal:
        dtype, divisor = wanted[str(kind)]
        if all(isinstance(s, Step) and s.duration.type is dtype for s in body):
            per_round = sum(s.duration.value or 0 for s in body if isinstance(s, Step))
            return check_count(math.ceil(goal / divisor / per_round), source, pos)
    notes.append(f"{pos}: '{kind}' is run once (hiitd repeats a fixed number of times)")
    return 1


def parse_fit_workout(data: bytes, source: str = "<fit>") -> Workout:
    """Parse a FIT workout file (file_id.type workout) into a Workout."""
    messages = _decode(data, source)
    _check_is_workout(messages, source)
    workout_msgs = messages.get("workout_mesgs") or []
    header: Msg = workout_msgs[0] if workout_msgs else {}
    sport = header.get("sport") if isinstance(header.get("sport"), str) else None
    raw_steps = sorted(
        messages.get("workout_step_mesgs") or [],
        key=lambda m: _int(m, "message_index") or 0,
    )
    if not raw_steps:
        raise WorkoutError("no workout_step messages", source=source, position="workout")
    # (index of the first FIT step an item covers, the item)
    items: list[tuple[int, Step | Repeat]] = []
    notes: list[str] = []
    for index, msg in enumerate(raw_steps):
        pos = f"workout_step #{index}" + (
            f" '{msg['wkt_step_name']}'" if msg.get("wkt_step_name") else ""
        )
        if str(msg.get("duration_type") or "").startswith("repeat_until"):
            items.append(_repeat(items, msg, index, notes, source=source, pos=pos))
            continue
        with at(source, pos):
            step = Step(
                _INTENSITY.get(str(msg.get("intensity")), Intensity.ACTIVE),
                _duration(msg, source, pos),
                _target(msg, sport, source, pos),
                name=str(msg.get("wkt_step_name") or ""),
                cue=str(msg["notes"]) if msg.get("notes") else None,
            )
        items.append((index, step))
    name = str(header.get("wkt_name") or "") or source.rsplit("/", 1)[-1].removesuffix(".fit")
    with at(source, "workout"):
        workout = Workout(
            name=name or "FIT workout",
            items=tuple(item for _, item in items),
            description="\n".join(notes),
            source=source,
        )
    return finish(workout)


def _check_is_workout(messages: dict[str, list[Msg]], source: str) -> None:
    """Refuse a FIT file that is not a workout (an activity, most likely), saying what to do."""
    file_ids = messages.get("file_id_mesgs") or []
    file_type = file_ids[0].get("type") if file_ids else None
    if file_type != "workout":
        raise WorkoutError(
            f"this FIT file is of type {file_type!r}, not a workout (an activity is "
            "replayed with `hiitd replay`, not loaded as a workout)",
            source=source,
            position="file_id",
        )


def _repeat(
    items: list[tuple[int, Step | Repeat]],
    msg: Msg,
    index: int,
    notes: list[str],
    *,
    source: str,
    pos: str,
) -> tuple[int, Repeat]:
    """The repeat step ``msg`` (FIT step ``index``) folds the items back to its first step.

    Pops those items off ``items`` (the body, in order) and returns the repeat
    with the index of the first FIT step it covers; a note goes to ``notes``
    when the repeat's condition cannot be kept exactly.
    """
    back = _int(msg, "duration_value")
    if back is None or not 0 <= back < index:
        raise WorkoutError(
            f"repeat refers to step {back}, which is not an earlier step",
            source=source,
            position=pos,
        )
    body: list[Step | Repeat] = []
    while items and items[-1][0] >= back:
        start, item = items.pop()
        body.insert(0, item)
        if start == back:
            break
    else:
        raise WorkoutError(
            f"repeat from step {back} cuts into another repeat", source=source, position=pos
        )
    count = _repeat_count(msg, tuple(body), notes, source, pos)
    with at(source, pos):
        return back, Repeat(count, tuple(body))
