"""The workout model: steps, durations, targets and repeats. Pure, frozen, validated.

Every importer (.zwo, FIT workout, intervals.icu text, TOML) and the built-in
library produce a ``Workout``; the engine runs its ``expand()``-ed steps. A
target may be *relative* (a heart-rate zone, a percentage of threshold pace);
``hiitd.coach.resolve.resolve_workout`` turns it into absolute numbers (bpm,
m/s, spm, W) for one athlete before the engine sees it.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass, field

from hiitd.errors import WorkoutError


class Intensity(enum.StrEnum):
    """What a step is for (FIT's wkt_step intensity, minus 'interval')."""

    WARMUP = "warmup"
    ACTIVE = "active"
    RECOVERY = "recovery"
    REST = "rest"
    COOLDOWN = "cooldown"


class DurationType(enum.StrEnum):
    """How a step ends."""

    TIME = "time"  # value in seconds of moving time
    DISTANCE = "distance"  # value in metres (footpod distance)
    OPEN = "open"  # the lap command ends it
    HR_BELOW = "hr_below"  # value in bpm: ends when smoothed HR falls below it
    HR_ABOVE = "hr_above"  # value in bpm: ends when smoothed HR rises above it


class TargetType(enum.StrEnum):
    """What the runner is steered by."""

    OPEN = "open"
    HR = "hr"  # bpm
    SPEED = "speed"  # m/s (pace is shown, speed is computed with: averages stay honest)
    CADENCE = "cadence"  # steps per minute
    POWER = "power"  # W (running power pods); checked only when a power source exists


class Reference(enum.StrEnum):
    """What a relative target is relative to."""

    HR_ZONE = "hr_zone"  # value: zone number 1..5 (of the profile's zone model)
    PCT_MAX_HR = "pct_max_hr"  # low/high in % of max HR
    PCT_HRR = "pct_hrr"  # low/high in % of heart-rate reserve (Karvonen)
    PCT_LTHR = "pct_lthr"  # low/high in % of lactate-threshold HR
    PACE_ZONE = "pace_zone"  # value: pace zone number 1..5 (Friel's running pace zones)
    PCT_THRESHOLD_SPEED = "pct_threshold_speed"  # low/high in % of threshold speed
    PCT_RACE_SPEED = "pct_race_speed"  # low/high in % of a race pace; race_m says which
    PCT_FTP = "pct_ftp"  # low/high in % of functional threshold power


@dataclass(frozen=True, slots=True)
class Relative:
    """A target stated against the athlete, resolved later (see ``profile.resolve``)."""

    reference: Reference
    low: float | None = None  # a percentage, or a zone number for *_ZONE
    high: float | None = None
    race_m: float | None = None  # PCT_RACE_SPEED: 1609.344, 5000, 10000, 21097.5, 42195


@dataclass(frozen=True, slots=True)
class Target:
    """A target range. ``low``/``high`` are absolute once resolved; either may be open."""

    type: TargetType = TargetType.OPEN
    low: float | None = None
    high: float | None = None
    relative: Relative | None = None

    def __post_init__(self) -> None:
        if self.low is not None and self.high is not None and self.low > self.high:
            raise WorkoutError(f"{self.type} target low {self.low} is above high {self.high}")
        for bound in (self.low, self.high):
            if bound is not None and bound < 0:
                raise WorkoutError(f"{self.type} target {bound} is negative")

    @property
    def resolved(self) -> bool:
        """True when ``low``/``high`` hold absolute numbers (or the target is open)."""
        return self.type is TargetType.OPEN or self.relative is None


OPEN_TARGET = Target()


@dataclass(frozen=True, slots=True)
class Duration:
    """How a step ends; HR conditions may carry a minimum and maximum time."""

    type: DurationType
    value: float | None = None
    min_s: float | None = None
    max_s: float | None = None

    def __post_init__(self) -> None:
        needs_value = self.type is not DurationType.OPEN
        if needs_value and (self.value is None or self.value <= 0):
            raise WorkoutError(f"{self.type} duration needs a positive value, got {self.value}")
        if self.min_s is not None and self.max_s is not None and self.min_s > self.max_s:
            raise WorkoutError(f"minimum time {self.min_s} s is above maximum {self.max_s} s")


@dataclass(frozen=True, slots=True)
class TextCue:
    """A line to say at ``offset_s`` into a step (e.g. a .zwo ``textevent``)."""

    offset_s: float
    text: str


@dataclass(frozen=True, slots=True)
class Step:
    """One step of a workout."""

    intensity: Intensity
    duration: Duration
    target: Target = OPEN_TARGET
    name: str = ""
    cue: str | None = None  # said at the step start
    text_cues: tuple[TextCue, ...] = ()
    # Ramps (.zwo Warmup/Cooldown/Ramp): the target moves linearly from `target`
    # to `ramp_to` over the step; None for a steady target.
    ramp_to: Target | None = None


@dataclass(frozen=True, slots=True)
class Repeat:
    """``count`` times ``steps``; nested repeats are allowed."""

    count: int
    steps: tuple[Step | Repeat, ...]

    def __post_init__(self) -> None:
        if self.count < 1:
            raise WorkoutError(f"repeat count must be at least 1, got {self.count}")
        if not self.steps:
            raise WorkoutError("a repeat needs at least one step")


# A workout with one of these tags is exercises, not running: standing still (a plank, a
# squat) is the work, so it never auto-pauses, and its rounds are circuits of stations.
EXERCISE_TAGS = frozenset({"strength", "plyometrics", "core"})


@dataclass(frozen=True, slots=True)
class PlannedStep:
    """A step as the engine runs it: repeats expanded, numbered, with its place in the set."""

    index: int  # 0-based position in the expanded workout
    step: Step
    rep: int | None = None  # 1-based repetition of the innermost repeat, if any
    rep_count: int | None = None
    work_number: int | None = None  # 1-based among ACTIVE steps ("interval 3 of 8")
    work_count: int | None = None
    # In a round of several named work steps (a circuit): which of them ("Plank, 4 of 7")
    station: int | None = None
    stations: int | None = None


@dataclass(frozen=True, slots=True)
class Workout:
    """A named session."""

    name: str
    items: tuple[Step | Repeat, ...]
    description: str = ""
    level: str = ""  # beginner, intermediate, advanced
    source: str = ""  # "builtin", or the file it was imported from
    tags: tuple[str, ...] = field(default=())

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise WorkoutError("a workout needs a name")
        if not self.items:
            raise WorkoutError("a workout needs at least one step", source=self.source or None)

    def expand(self) -> tuple[PlannedStep, ...]:
        """The steps in running order, repeats unrolled, work intervals numbered.

        Work is counted per set when there are sets: in a repeat whose round holds one
        work step, that step is "Interval r of n" like its recovery ("Recovery r of n";
        two sets of 8 said "Interval 9 of 16" beside "Recovery 1 of 8"); elsewhere the
        work steps outside repeats (and rounds of several) are numbered through. In an
        exercise workout (``EXERCISE_TAGS``) the work steps of a round of several are
        also its stations ("Plank, 4 of 7").
        """
        flat: list[_Flat] = []
        circuit = bool(EXERCISE_TAGS & set(self.tags))
        _unroll(self.items, flat, None, None, per_set=False, circuit=circuit)
        work_count = sum(1 for f in flat if f.step.intensity is Intensity.ACTIVE and not f.per_set)
        out: list[PlannedStep] = []
        work = 0
        for i, f in enumerate(flat):
            number, count = None, None
            if f.step.intensity is Intensity.ACTIVE and f.per_set:
                number, count = f.rep, f.of
            elif f.step.intensity is Intensity.ACTIVE:
                work += 1
                number, count = work, work_count
            out.append(PlannedStep(i, f.step, f.rep, f.of, number, count, f.station, f.stations))
        return tuple(out)


@dataclass(frozen=True, slots=True)
class _Flat:
    step: Step
    rep: int | None
    of: int | None
    per_set: bool  # work counted per set (the round holds one work step)
    station: int | None = None  # position among the round's work steps (several of them)
    stations: int | None = None


def _unroll(
    items: tuple[Step | Repeat, ...],
    out: list[_Flat],
    rep: int | None,
    of: int | None,
    *,
    per_set: bool,
    circuit: bool,
    stations: int | None = None,
) -> None:
    station = 0
    for item in items:
        if isinstance(item, Step):
            at = None
            if stations is not None and item.intensity is Intensity.ACTIVE:
                station += 1
                at = station
            out.append(_Flat(item, rep, of, per_set, at, None if at is None else stations))
        else:
            work = [
                s for s in item.steps if isinstance(s, Step) and s.intensity is Intensity.ACTIVE
            ]
            one = len(work) == 1 and item.count > 1
            several = len(work) if circuit and len(work) > 1 else None
            for r in range(1, item.count + 1):
                _unroll(
                    item.steps, out, r, item.count, per_set=one, circuit=circuit, stations=several
                )
