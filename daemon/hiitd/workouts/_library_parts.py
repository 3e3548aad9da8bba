"""Building blocks of the built-in library: durations, relative targets, common steps."""

from __future__ import annotations

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

TITLE_TAG = "title:"


def time(seconds: float) -> Duration:
    return Duration(DurationType.TIME, seconds)


def hr(low: float | None, high: float | None) -> Target:
    """% of max HR: resolves for every profile (max HR is always known or estimated)."""
    return Target(TargetType.HR, relative=Relative(Reference.PCT_MAX_HR, low, high))


def pace(low: float | None, high: float | None) -> Target:
    """% of threshold speed (100 = threshold pace, higher = faster)."""
    return Target(TargetType.SPEED, relative=Relative(Reference.PCT_THRESHOLD_SPEED, low, high))


def race(low: float, high: float, race_m: float) -> Target:
    return Target(
        TargetType.SPEED, relative=Relative(Reference.PCT_RACE_SPEED, low, high, race_m=race_m)
    )


EASY_HR = hr(None, 75)  # Daniels' E running is 65-79 % of max HR: a ceiling, no floor
RECOVERY_JOG = pace(None, 80)  # a ceiling, so walking when needed is never nagged


def step(
    intensity: Intensity,
    seconds: float,
    target: Target,
    name: str,
    cue: str,
    *,
    text_cues: tuple[TextCue, ...] = (),
) -> Step:
    return Step(intensity, time(seconds), target, name, cue, text_cues)


def warmup(seconds: float, cue: str = "Easy jog to warm up", target: Target = EASY_HR) -> Step:
    return step(Intensity.WARMUP, seconds, target, "Warm-up", cue)


def cooldown(seconds: float, cue: str = "Easy jog to cool down", target: Target = EASY_HR) -> Step:
    return step(Intensity.COOLDOWN, seconds, target, "Cool-down", cue)


def jog(seconds: float, cue: str = "Easy jog, recover") -> Step:
    return step(Intensity.RECOVERY, seconds, RECOVERY_JOG, "Recovery", cue)


def workout(
    name: str,
    title: str,
    level: str,
    description: str,
    items: tuple[Step | Repeat, ...],
    *,
    tags: tuple[str, ...] = (),
) -> Workout:
    return Workout(
        name=name,
        items=items,
        description=f"{title}: {description}",
        level=level,
        source="builtin",
        tags=(f"{TITLE_TAG}{title}", *tags),
    )
