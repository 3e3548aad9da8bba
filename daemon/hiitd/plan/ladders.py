"""Progression ladders: each protocol's rungs from beginner to advanced. Pure.

A rung is a built-in workout with its repeat counts set. Along a ladder the
volume grows first (more reps of the same work) and only then the intensity
(the next, harder workout starts again at a lower volume): Gabbett's and the
ACSM's "progress volume before intensity", and the issue's "add a rep, or 10-15 %
of work time, before intensity". Each rung adds one or two reps, 10-35 % more
work time; the biggest jumps are on the beginner rungs, where the absolute
work is a few minutes.

Entry rungs are never maximal: the hills ladder starts with hill strides
(controlled, not all-out) before the maximal hill sprints, and the circuit with
a core and strength round without jumps or bounds before the plyometric
circuit (``Rung.entry``: a new user starts only on such a rung).

Rungs run as catalogue workouts named ``plan-<protocol>-<step>`` (and the easy
run as ``plan-easy-<minutes>``, any length from ``EASY_MIN`` to ``EASY_MAX``
minutes): ``plan_workout(name)`` builds them.
"""

from __future__ import annotations

import dataclasses
import re
from dataclasses import dataclass

from hiitd.coach.workout_model import Intensity, Repeat, Step, Target, Workout
from hiitd.errors import WorkoutError
from hiitd.plan.plan_values import Kind
from hiitd.workouts._library_parts import EASY_HR, cooldown, hr, step, warmup, workout
from hiitd.workouts.library import builtin_workouts, get_builtin, strides_session

EASY_MIN, EASY_MAX, EASY_STEP = 10, 120, 5  # the easy runs the plan can give, minutes
EASY_FINE_UNTIL = 30  # below this, easy runs in whole minutes (else in EASY_STEPs)


@dataclass(frozen=True, slots=True)
class Rung:
    """One step of a ladder: a built-in workout with its top-level repeat counts."""

    workout: str  # built-in name
    repeats: tuple[int, ...]  # one count per top-level Repeat, in order
    level: str  # beginner, intermediate, advanced
    entry: bool = True  # a new user may start here (False: maximal work, sprints, bounds)


def _r(workout: str, level: str, *repeats: int) -> Rung:
    return Rung(workout, repeats, level)


def _max(workout: str, level: str, *repeats: int) -> Rung:
    """A rung of maximal work (sprints, bounds): reached by progression, never an entry."""
    return Rung(workout, repeats, level, entry=False)


B, MID, A = "beginner", "intermediate", "advanced"

LADDERS: dict[Kind, tuple[Rung, ...]] = {
    # Run/walk for someone not yet running: more running minutes, then strides.
    Kind.BASE: (
        _r("run-walk-beginner", B, 6),
        _r("run-walk-beginner", B, 8),
        _r("run-walk-beginner", B, 10),
        _r("run-walk-beginner", B, 12),
    ),
    # Short strides sessions first (10 min easy): a new runner's week has room for
    # them long before it has room for the 20 minutes before the full session's.
    Kind.STRIDES: (
        _r("strides-short", B, 4),
        _r("strides-short", B, 6),
        _r("strides", B, 6),
        _r("strides", B, 8),
        _r("strides", MID, 10),
    ),
    # 30-30s at vVO2max (Billat), then 60 s reps (Gibala), then 4 min reps
    # (Helgerud's 4x4), with Tabata only at the very top.
    Kind.INTERVALS: (
        _r("billat-30-30", B, 4, 4),
        _r("billat-30-30", B, 5, 5),
        _r("billat-30-30", MID, 6, 6),
        _r("billat-30-30", MID, 8, 8),
        _r("gibala-10x60", MID, 6),
        _r("gibala-10x60", MID, 8),
        _r("gibala-10x60", MID, 10),
        _r("norwegian-4x4", MID, 3),
        _r("norwegian-4x4", A, 4),
        _r("norwegian-4x4", A, 5),
        _r("tabata", A, 6),
        _r("tabata", A, 8),
    ),
    # Short, controlled hill strides first; the maximal sprints only after them.
    Kind.HILLS: (
        _r("hill-strides", B, 6),
        _r("hill-strides", B, 8),
        _max("hill-sprints", MID, 6),
        _max("hill-sprints", MID, 8),
        _max("hill-sprints", MID, 10),
        _max("hill-sprints", A, 12),
    ),
    # Strength without jumps first, then plyometrics dosed in foot contacts
    # (workouts.library.FOOT_CONTACTS): low two-footed hops 40, 80, 120 a session,
    # then jumps and bounds (56, 112), single-leg hops last (56, 112). When the
    # intensity steps up, the contacts start lower again.
    Kind.CIRCUIT: (
        _r("strength-basics", B, 1),
        _r("strength-basics", B, 2),
        _r("plyo-low", B, 1),
        _r("plyo-low", B, 2),
        _r("plyo-low", MID, 3),
        _max("plyo-core-circuit", MID, 1),
        _max("plyo-core-circuit", MID, 2),
        _max("plyo-single-leg", A, 1),
        _max("plyo-single-leg", A, 2),
    ),
}

_PLAN_NAME = re.compile(r"^plan-([a-z]+)-(\d{1,3})$")


def rung(kind: Kind, step_no: int) -> Rung:
    """Rung ``step_no`` (1-based, clamped to the ladder) of ``kind``'s ladder."""
    ladder = LADDERS[kind]
    return ladder[min(max(step_no, 1), len(ladder)) - 1]


_YOUNGER = {"advanced": "intermediate", "intermediate": "beginner"}


def entry_step(kind: Kind, experience: str, *, older: bool = False) -> int:
    """Where a new user starts on ``kind``'s ladder: an entry rung, never above intermediate.

    ``older`` (from ``PlanConfig.older_age``) starts one experience level lower.
    """
    if older:
        experience = _YOUNGER.get(experience, experience)
    ladder = LADDERS[kind]
    allowed = [n for n, r in enumerate(ladder, 1) if r.entry and r.level != A]
    mids = [n for n in allowed if ladder[n - 1].level == MID]
    if experience in {"none", "beginner"} or not mids:
        return allowed[0]
    return mids[0] if experience == "intermediate" else mids[-1]


def plan_name(kind: Kind, step_no: int) -> str:
    """The catalogue name of a rung."""
    return f"plan-{kind.value}-{step_no}"


def easy_minutes(minutes: float) -> int:
    """An easy run's length for at most ``minutes``: whole minutes under ``EASY_FINE_UNTIL``
    (a new runner's 12 minutes are 20 % more than 10), else whole ``EASY_STEP``s."""
    if minutes < EASY_FINE_UNTIL:
        return int(minutes + 1e-6)
    return int((minutes + 1e-6) // EASY_STEP) * EASY_STEP


def easy_name(minutes: int) -> str:
    """The catalogue name of the easy run."""
    return f"plan-easy-{minutes}"


def plan_names() -> list[str]:
    """Every workout name the plan can recommend: each ladder's rungs and the easy runs."""
    rungs = [
        plan_name(kind, n) for kind, ladder in LADDERS.items() for n in range(1, len(ladder) + 1)
    ]
    return [*rungs, *(easy_name(m) for m in range(EASY_MIN, EASY_MAX + 1, EASY_STEP))]


def locate(workout: str | None) -> tuple[Kind, int] | None:
    """The ladder and rung a stored session's workout was, when it was one."""
    if workout is None:
        return None
    if m := _PLAN_NAME.match(workout):
        try:
            kind = Kind(m[1])
        except ValueError:
            return None
        if kind in LADDERS and 1 <= int(m[2]) <= len(LADDERS[kind]):
            return kind, int(m[2])
        return None
    # A built-in run as it is: the rung with the same counts, else the nearest below.
    for b in builtin_workouts():
        if b.name == workout:
            counts = tuple(i.count for i in b.items if isinstance(i, Repeat))
            for kind, ladder in LADDERS.items():
                found = [n for n, r in enumerate(ladder, 1) if r.workout == workout]
                if found:
                    exact = [n for n in found if ladder[n - 1].repeats == counts]
                    return kind, (exact or found)[-1]
    return None


def describe(r: Rung) -> str:
    """'billat-30-30 with 6 + 6 reps'."""
    return f"{r.workout} with {' + '.join(str(c) for c in r.repeats)} reps"


def rung_workout(kind: Kind, step_no: int) -> Workout:
    """The workout of a rung: the built-in with its repeat counts set."""
    r = rung(kind, step_no)
    base = _PLAN_ONLY[r.workout] if r.workout in _PLAN_ONLY else get_builtin(r.workout)
    counts = iter(r.repeats)
    items: list[Step | Repeat] = []
    for item in base.items:
        if isinstance(item, Repeat):
            items.append(dataclasses.replace(item, count=next(counts, item.count)))
        else:
            items.append(item)
    return dataclasses.replace(
        base,
        name=plan_name(kind, step_no),
        items=tuple(items),
        level=r.level,
        description=f"{base.description} (plan: {kind.value} step {step_no}, {describe(r)})",
        source="plan",
    )


def easy_workout(minutes: int) -> Workout:
    """A continuous easy run under an HR ceiling (Daniels' E pace, conversational)."""
    return Workout(
        name=easy_name(minutes),
        items=(
            step(
                Intensity.ACTIVE,
                minutes * 60,
                EASY_HR,
                "Easy run",
                "Easy run: relaxed and conversational",
            ),
        ),
        description=f"Easy run: {minutes} min, conversational (under 75 % of max HR)",
        level=B,
        source="plan",
    )


def plan_workout(name: str) -> Workout:
    """A plan workout by catalogue name; WorkoutError when it is not one."""
    if m := re.match(r"^plan-easy-(\d{1,3})$", name):
        minutes = int(m[1])
        if EASY_MIN <= minutes <= EASY_MAX:
            return easy_workout(minutes)
    found = locate(name) if _PLAN_NAME.match(name) else None
    if found is None:
        raise WorkoutError(f"no plan workout {name!r}")
    return rung_workout(*found)


def _hill_strides() -> Workout:
    # Strides up a gentle slope: quick and tall at a controlled effort, not a sprint
    # (heart rate a ceiling, as for the sprints); the entry to the hills ladder.
    return workout(
        "hill-strides",
        "Hill strides",
        B,
        "15 min easy, then 6 x 15 s controlled uphill strides (not a sprint), walk back down",
        (
            warmup(900),
            Repeat(
                6,
                (
                    step(
                        Intensity.ACTIVE,
                        15,
                        hr(None, 90),
                        "Hill stride",
                        "Hill stride: quick and tall, strong but controlled, not a sprint",
                    ),
                    step(Intensity.RECOVERY, 75, Target(), "Walk back", "Walk back down"),
                ),
            ),
            cooldown(600),
        ),
        tags=("hills", "form"),
    )


# Rung workouts that exist only in the plan (not in the built-in library).
_PLAN_ONLY: dict[str, Workout] = {
    "hill-strides": _hill_strides(),
    # The strides session with 10 minutes of easy running first instead of 20.
    "strides-short": strides_session("strides-short", "Short run + strides", 10, 4),
}
