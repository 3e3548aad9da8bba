"""The ``workout`` and ``workout_step`` messages of an activity file (the plan that was followed).

The steps are written expanded (repeats unrolled, one ``workout_step`` per
run step), so that ``workout_step.message_index`` equals ``PlannedStep.index``
equals ``StepRecord.index`` equals ``lap.wkt_step_index``: a reader matches
laps to steps without re-implementing repeat semantics. A repeat could be
written as a ``repeat_until_steps_cmplt`` step, but then the indices of laps
and steps would no longer agree (FIT Profile, lap.wkt_step_index is a
``message_index`` into workout_step).

Raw values as the FIT Profile defines the ``workout_step`` sub-fields (and as
``hiitd.workouts.fit_workout`` reads them back): ``duration_time`` ms,
``duration_distance`` cm, ``duration_hr`` and ``custom_target_heart_rate_*``
bpm + 100 (type workout_hr, 0..100 = % of max HR), ``custom_target_speed_*``
mm/s, ``custom_target_cadence_*`` rpm (strides per minute for running),
``custom_target_power_*`` W + 1000 (type workout_power).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.export._fit_encode import text

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.coach.workout_model import PlannedStep, Workout
    from hiitd.export._fit_encode import FitWriter
    from hiitd.record.session_record import StepRecord

__all__ = ["write_workout"]

_HR_OFFSET = 100  # FIT Profile type workout_hr: bpm_offset
_POWER_OFFSET = 1000  # FIT Profile type workout_power: watts_offset
_DURATION = {
    "time": "time",
    "distance": "distance",
    "open": "open",
    "hr_below": "hr_less_than",
    "hr_above": "hr_greater_than",
}
_TARGET = {
    "open": "open",
    "hr": "heart_rate",
    "speed": "speed",
    "cadence": "cadence",
    "power": "power",
}
# The widest range a one-sided target opens up to, in the unit of each target.
_OPEN_HIGH = {"hr": 250.0, "speed": 15.0, "cadence": 508.0, "power": 3000.0}


def _raw(kind: str, value: float) -> int:
    """An absolute target or duration value in hiitd's unit -> the raw FIT value."""
    match kind:
        case "hr":
            return round(value) + _HR_OFFSET
        case "speed":
            return round(value * 1000)
        case "cadence":
            return round(value / 2)  # steps/min -> strides/min
        case "power":
            return round(value) + _POWER_OFFSET
        case "time":
            return round(value * 1000)
        case "distance":
            return round(value * 100)
    raise ValueError(f"no FIT raw value for {kind!r}")


def _duration(kind: str, value: float | None) -> tuple[str, int | None]:
    fit_kind = _DURATION.get(kind, "open")
    if fit_kind == "open" or value is None:
        return "open", None
    unit = "hr" if kind in {"hr_below", "hr_above"} else kind
    return fit_kind, _raw(unit, value)


def _target(
    kind: str, low: float | None, high: float | None
) -> tuple[str, int | None, int | None, int | None]:
    """(target_type, target_value, custom low, custom high); value 0 = custom range."""
    if kind not in _OPEN_HIGH or (low is None and high is None):
        return "open", None, None, None
    lo = low if low is not None else 1.0
    hi = high if high is not None else max(_OPEN_HIGH[kind], lo)
    return _TARGET[kind], 0, _raw(kind, lo), _raw(kind, hi)


def _resolved(
    planned: PlannedStep, ran: StepRecord | None
) -> tuple[str, float | None, float | None]:
    """The step's target in absolute numbers: as run (resolved) or as planned when absolute."""
    if ran is not None:
        return ran.target_type, ran.target_low, ran.target_high
    target = planned.step.target
    if not target.resolved:
        return "open", None, None  # relative to an athlete we do not have here
    return str(target.type), target.low, target.high


def write_workout(
    w: FitWriter, workout: Workout, steps: Sequence[StepRecord], sub_sport: str
) -> None:
    """Write the ``workout`` message and one ``workout_step`` per expanded step."""
    planned = workout.expand()
    ran = {s.index: s for s in steps}
    w.write(
        "workout",
        wkt_name=text(workout.name),
        sport="running",
        sub_sport=sub_sport,
        num_valid_steps=len(planned),
    )
    for p in planned:
        step = ran.get(p.index)
        duration = p.step.duration
        d_kind, d_value = _duration(str(duration.type), duration.value)
        t_kind, t_value, t_low, t_high = _target(*_resolved(p, step))
        w.write(
            "workout_step",
            message_index=p.index,
            wkt_step_name=text(p.step.name or (step.name if step else None)),
            duration_type=d_kind,
            duration_value=d_value,
            target_type=t_kind,
            target_value=t_value,
            custom_target_value_low=t_low,
            custom_target_value_high=t_high,
            intensity=str(p.step.intensity),
            notes=text(p.step.cue),
        )
