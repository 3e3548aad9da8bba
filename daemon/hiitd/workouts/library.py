"""The built-in workouts: sessions a runner recognises, with relative targets. Pure.

Targets follow the design's lag rule (principle 5): heart rate trails effort by
about a minute, so reps shorter than a few minutes are steered by pace, and heart
rate is used as a ceiling (warm-ups, cool-downs, hills, the circuit). Paces are
% of threshold speed, or of a race pace predicted from VDOT, so they resolve
for anyone who set ``athlete.threshold_pace`` or ``athlete.race``; without
either, resolving a pace-steered workout fails with a message saying so rather
than running it unsteered. Every workout starts with a warm-up and ends with a
cool-down.

Percentages of threshold speed (T = Daniels' 88 % of VO2max, see
``coach.daniels``): vVO2max is ~111 % of T at any VDOT, 5 km race pace ~105-107 %,
and 90-95 % of max HR (Daniels: T ~ 88-92 %, I ~ 98-100 % of max HR) lies at
~100-105 %.
"""

from __future__ import annotations

from hiitd.coach.daniels import MILE_M
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Repeat,
    Step,
    Target,
    TextCue,
    Workout,
)
from hiitd.errors import WorkoutError
from hiitd.workouts._library_parts import (
    RECOVERY_JOG,
    TITLE_TAG,
    cooldown,
    hr,
    jog,
    pace,
    race,
    step,
    warmup,
    workout,
)


def _run_walk() -> Workout:
    walk = Target()
    return workout(
        "run-walk-beginner",
        "Beginner run/walk",
        "beginner",
        "8 x 60 s easy run / 90 s walk, between 5 min walks; run slowly enough to talk",
        (
            step(Intensity.WARMUP, 300, walk, "Warm-up walk", "Brisk walk to warm up"),
            Repeat(
                8,
                (
                    step(Intensity.ACTIVE, 60, hr(None, 85), "Run", "Run, easy and relaxed"),
                    step(Intensity.RECOVERY, 90, walk, "Walk", "Walk"),
                ),
            ),
            step(Intensity.COOLDOWN, 300, walk, "Cool-down walk", "Walk to cool down"),
        ),
        tags=("run-walk", "base"),
    )


def strides_session(
    name: str = "strides", title: str = "Easy run + strides", easy_min: int = 20, strides: int = 6
) -> Workout:
    """Easy running, then strides near mile pace with a walk back (the plan's short rung too)."""
    return workout(
        name,
        title,
        "beginner",
        f"{easy_min} min easy, then {strides} x 20 s strides near mile pace with 75 s walk back",
        (
            warmup(easy_min * 60, "Easy run, conversational"),
            Repeat(
                strides,
                (
                    step(
                        Intensity.ACTIVE,
                        20,
                        race(95, 103, MILE_M),
                        "Stride",
                        "Stride: quick and tall, fast but relaxed, not a sprint",
                    ),
                    step(Intensity.RECOVERY, 75, Target(), "Walk back", "Walk back"),
                ),
            ),
            cooldown(300),
        ),
        tags=("speed", "form"),
    )


def _billat() -> Workout:
    # Billat et al., Eur J Appl Physiol 2000; 81:188-96: 30 s at vVO2max / 30 s at 50 %
    # of it. vVO2max ~ 111 % of T speed; 50 % of vVO2max ~ 55 % of T speed.
    def set_of_8() -> Repeat:
        return Repeat(
            8,
            (
                step(Intensity.ACTIVE, 30, pace(108, 113), "Fast", "Fast: vVO2max pace"),
                step(Intensity.RECOVERY, 30, pace(50, 60), "Jog", "Jog, keep moving"),
            ),
        )

    return workout(
        "billat-30-30",
        "Billat 30-30",
        "intermediate",
        "2 x 8 x 30 s at vVO2max / 30 s jog at half that speed, 3 min easy between sets",
        (
            warmup(900),
            set_of_8(),
            jog(180, "Easy jog between sets"),
            set_of_8(),
            cooldown(600),
        ),
        tags=("vo2max",),
    )


def _ten_twenty_thirty() -> Workout:
    # Gunnarsson & Bangsbo, J Appl Physiol 2012; 113:16-24: blocks of 5 x (30 s low,
    # 20 s moderate, 10 s near-maximal), 2 min rest between blocks.
    def block() -> Repeat:
        return Repeat(
            5,
            (
                step(Intensity.RECOVERY, 30, pace(55, 75), "Easy", "Easy jog"),
                step(Intensity.ACTIVE, 20, pace(85, 100), "Moderate", "Moderate: steady pace"),
                step(Intensity.ACTIVE, 10, Target(), "Sprint", "Sprint, near max"),
            ),
        )

    rest = step(Intensity.REST, 120, Target(), "Rest", "Rest: walk or stand")
    return workout(
        "10-20-30",
        "10-20-30 (Bangsbo)",
        "intermediate",
        "3 blocks of 5 x (30 s easy, 20 s moderate, 10 s near max), 2 min rest between",
        (warmup(600), block(), rest, block(), rest, block(), cooldown(300)),
        tags=("vo2max", "speed"),
    )


def _norwegian() -> Workout:
    # Helgerud et al., Med Sci Sports Exerc 2007; 39:665-71: 4 x 4 min at 90-95 % of
    # max HR, 3 min active recovery at ~70 %. The protocol is stated in heart rate,
    # but HR needs 1-2 min to climb, so steering each rep by HR would push the runner
    # too hard at the start. The step is steered by pace (100-105 % of T speed, where
    # 90-95 % of max HR lies) and the HR goal is spoken at 2 min, when HR has caught up.
    work = step(
        Intensity.ACTIVE,
        240,
        pace(100, 105),
        "Hard",
        "Hard: 4 minutes, aim for 90 to 95 percent of max heart rate",
        text_cues=(
            TextCue(120, "Heart rate should be 90 to 95 percent of max now; hold this effort"),
        ),
    )
    recover = step(
        Intensity.RECOVERY, 180, RECOVERY_JOG, "Active recovery", "Jog, about 70 % of max HR"
    )
    return workout(
        "norwegian-4x4",
        "Norwegian 4x4",
        "intermediate",
        "4 x 4 min at 90-95 % max HR (steered by pace), 3 min jog recovery",
        (
            warmup(600, "Easy jog, about 70 % of max heart rate"),
            Repeat(4, (work, recover)),
            cooldown(300),
        ),
        tags=("vo2max", "hr"),
    )


def _eight_by_400() -> Workout:
    return workout(
        "8x400m",
        "8 x 400 m",
        "intermediate",
        "8 x 400 m at 5 km race pace or a little faster, 200 m jog recovery",
        (
            warmup(900),
            Repeat(
                8,
                (
                    Step(
                        Intensity.ACTIVE,
                        Duration(DurationType.DISTANCE, 400),
                        race(100, 104, 5000),
                        "400 m",
                        "400 metres at 5 k pace",
                    ),
                    Step(
                        Intensity.RECOVERY,
                        Duration(DurationType.DISTANCE, 200),
                        RECOVERY_JOG,
                        "200 m jog",
                        "Jog 200 metres",
                    ),
                ),
            ),
            cooldown(600),
        ),
        tags=("track", "vo2max"),
    )


def _hill_sprints() -> Workout:
    # On a slope a footpod's pace says little about effort (it is calibrated on the
    # flat, and 12 s is shorter than its smoothing), so the sprints are open, with
    # a heart-rate ceiling: starting a rep above 95 % of max means the walk-back
    # was too short.
    return workout(
        "hill-sprints",
        "Hill sprints",
        "intermediate",
        "8 x 12 s maximal uphill sprints, walk back down (about 90 s) between",
        (
            warmup(900),
            Repeat(
                8,
                (
                    step(
                        Intensity.ACTIVE,
                        12,
                        hr(None, 95),
                        "Hill sprint",
                        "Sprint uphill: drive the arms, tall, full effort",
                    ),
                    step(Intensity.RECOVERY, 90, Target(), "Walk back", "Walk back down"),
                ),
            ),
            cooldown(600),
        ),
        tags=("hills", "strength", "speed"),
    )


def _pyramid() -> Workout:
    items: list[Step | Repeat] = [warmup(900)]
    minutes = (1, 2, 3, 4, 3, 2, 1)
    for i, m in enumerate(minutes):
        label = f"{m} min"
        items.append(
            step(Intensity.ACTIVE, 60 * m, pace(102, 108), label, f"{label} hard, 5 to 10 k pace")
        )
        if i < len(minutes) - 1:
            items.append(jog(60 * m))
    items.append(cooldown(600))
    return workout(
        "pyramid",
        "Pyramid 1-2-3-4-3-2-1",
        "intermediate",
        "1-2-3-4-3-2-1 min at 5-10 km pace, each followed by an equal jog recovery",
        tuple(items),
        tags=("vo2max", "threshold"),
    )


def _gibala() -> Workout:
    # Little, Safdar, ... Gibala, J Physiol 2010; 588:1011-22: 10 x 60 s at an
    # intensity reaching ~90 % of max HR, 75 s recovery. Steered by pace for the lag.
    return workout(
        "gibala-10x60",
        "Gibala 10 x 60 s",
        "intermediate",
        "10 x 60 s hard (reaching ~90 % max HR), 75 s easy recovery",
        (
            warmup(600),
            Repeat(
                10,
                (
                    step(
                        Intensity.ACTIVE,
                        60,
                        pace(105, 110),
                        "Hard",
                        "Hard minute: heart rate should reach about 90 % of max",
                    ),
                    jog(75),
                ),
            ),
            cooldown(300),
        ),
        tags=("hiit",),
    )


def _tabata() -> Workout:
    # Tabata et al., Med Sci Sports Exerc 1996; 28:1327-30 (at ~170 % of VO2max on
    # a cycle ergometer). All-out: no target can steer it, so the steps are open.
    return workout(
        "tabata",
        "Tabata 20/10",
        "advanced",
        "8 x 20 s all-out / 10 s rest; not for beginners: build up with strides and 30-30s first",
        (
            warmup(600),
            Repeat(
                8,
                (
                    step(Intensity.ACTIVE, 20, Target(), "All out", "All out"),
                    step(Intensity.REST, 10, Target(), "Rest", "Rest"),
                ),
            ),
            cooldown(600),
        ),
        tags=("hiit", "anaerobic"),
    )


# Plyometric volume is counted in foot contacts (each landing of a foot, or of
# both together, is one), the unit plyometric programmes are dosed in: NSCA
# guidance starts beginners at 80-100 contacts a session and adds about 20 a
# step, low-intensity drills (pogo and ankle hops, skips) before jumps and
# bounds, and single-leg hops last. A step named here lands this many times.
FOOT_CONTACTS: dict[str, int] = {
    "Pogo hops": 20,  # 2 x 10, small fast ankle hops on the spot
    "Skips": 20,  # A-skips, 10 each foot
    "Jump squats": 10,
    "Skipping": 30,  # the circuit's 30 s of A-skips
    "Bounds": 16,  # 2 x 8 springy strides
    "Single-leg hops left": 10,
    "Single-leg hops right": 10,
}


def foot_contacts(w: Workout) -> int:
    """The workout's plyometric volume: foot contacts over its expanded steps (0 for none)."""
    return sum(FOOT_CONTACTS.get(p.step.name, 0) for p in w.expand())


def _strength_round(exercises: tuple[tuple[str, int, str], ...]) -> tuple[Step, ...]:
    # Heart rate only capped (85 % of max): strength work, never a sprint.
    steps: list[Step] = []
    for name, seconds, cue in exercises:
        steps.append(step(Intensity.ACTIVE, seconds, hr(None, 85), name, cue))
        steps.append(step(Intensity.REST, 20, Target(), "Rest", "Rest, next exercise coming"))
    return tuple(steps)


# Single-leg work, calves, hips, core and the upper body: what keeps a runner's
# tendons and hips ready for the running and the intervals (no jumps at all).
_STRENGTH = (
    ("Split squat left", 40, "Split squats, left foot forward: slow down, drive up"),
    ("Split squat right", 40, "Split squats, right foot forward"),
    ("Single-leg calf raises left", 30, "Calf raises on the left foot: all the way up, slow down"),
    ("Single-leg calf raises right", 30, "Calf raises on the right foot"),
    ("Glute bridge", 40, "Glute bridge: feet flat, lift the hips, squeeze, lower slowly"),
    ("Dead bug", 40, "Dead bug: back flat on the floor, opposite arm and leg out slowly"),
    ("Side plank left", 20, "Side plank left: on the left forearm, hips high"),
    ("Side plank right", 20, "Side plank right: on the right forearm, hips high"),
    ("Push-ups", 30, "Push-ups: against a wall or a bench if the floor is too hard"),
    ("Rows", 40, "Rows: a band or a loaded backpack, elbows back, shoulders down"),
)

# Low-intensity plyometrics (short, stiff ankle contacts, both feet) and core.
_PLYO_LOW = (
    ("Pogo hops", 30, "Pogo hops: 2 sets of 10, small and quick, stiff ankles"),
    ("Skips", 30, "A-skips: 10 each foot, knee up, land under the hip"),
    ("Single-leg calf raises left", 30, "Calf raises on the left foot: all the way up, slow down"),
    ("Single-leg calf raises right", 30, "Calf raises on the right foot"),
    ("Glute bridge", 40, "Glute bridge: feet flat, lift the hips, squeeze, lower slowly"),
    ("Plank", 45, "Plank: on the forearms, straight line, squeeze the glutes"),
)

# Single-leg hops: the last plyometric step, for runners past the circuit.
_PLYO_SINGLE_LEG = (
    ("Pogo hops", 30, "Pogo hops: 2 sets of 10, small and quick, stiff ankles"),
    ("Bounds", 30, "Bounds: 2 sets of 8 long springy strides, hold each landing"),
    ("Single-leg hops left", 30, "Hops on the left foot: 10, land softly, knee over toes"),
    ("Single-leg hops right", 30, "Hops on the right foot: 10"),
    ("Single-leg calf raises left", 30, "Calf raises on the left foot: all the way up, slow down"),
    ("Single-leg calf raises right", 30, "Calf raises on the right foot"),
    ("Side plank left", 30, "Side plank left: on the left forearm, hips high"),
    ("Side plank right", 30, "Side plank right: on the right forearm, hips high"),
)


def _strength() -> Workout:
    return workout(
        "strength-basics",
        "Runner's strength",
        "beginner",
        "2 rounds of split squats, single-leg calf raises, glute bridge, dead bug, "
        "side planks, push-ups and rows; no jumps (0 foot contacts)",
        (
            warmup(300, "Brisk walk or easy jog to warm up"),
            Repeat(2, _strength_round(_STRENGTH)),
            cooldown(300, "Walk, then stretch"),
        ),
        tags=("strength", "core"),
    )


def _plyo_low() -> Workout:
    return workout(
        "plyo-low",
        "Low plyometrics and core",
        "beginner",
        "2 rounds of pogo hops and skips (40 foot contacts a round), single-leg calf "
        "raises, glute bridge and plank; small hops, low and quick",
        (warmup(600), Repeat(2, _strength_round(_PLYO_LOW)), cooldown(300, "Walk, then stretch")),
        tags=("strength", "plyometrics", "core"),
    )


def _plyo_single_leg() -> Workout:
    return workout(
        "plyo-single-leg",
        "Single-leg plyometrics",
        "advanced",
        "2 rounds of pogo hops, bounds and single-leg hops (56 foot contacts a round), "
        "single-leg calf raises and side planks; after the circuit, never before",
        (
            warmup(600),
            Repeat(2, _strength_round(_PLYO_SINGLE_LEG)),
            cooldown(300, "Walk, then stretch"),
        ),
        tags=("strength", "plyometrics", "core"),
    )


_CIRCUIT = (
    ("Jump squats", 30, "Jump squats: sink, explode up, land softly"),
    ("Skipping", 30, "Skipping: A-skips, knees up, quick contacts"),
    ("Bounds", 30, "Bounds: long springy strides, hold each landing"),
    ("Plank", 45, "Plank: on the forearms, straight line, squeeze the glutes"),
    ("Side plank left", 30, "Side plank left: on the left forearm, hips high"),
    ("Side plank right", 30, "Side plank right: on the right forearm, hips high"),
    ("Mountain climbers", 30, "Mountain climbers: knees to chest, hips low"),
)


def _circuit() -> Workout:
    # No pace targets: standing still is part of the exercise. Heart rate is only
    # a ceiling (85 % of max) so the circuit stays strength work, not a sprint.
    steps: list[Step | Repeat] = []
    for name, seconds, cue in _CIRCUIT:
        steps.append(step(Intensity.ACTIVE, seconds, hr(None, 85), name, cue))
        steps.append(step(Intensity.REST, 20, Target(), "Rest", "Rest, next exercise coming"))
    return workout(
        "plyo-core-circuit",
        "Plyometric and core circuit",
        "intermediate",
        "2 rounds of jump squats, skips, bounds, planks and mountain climbers, HR-capped",
        (warmup(600), Repeat(2, tuple(steps)), cooldown(300, "Walk, then stretch")),
        tags=("strength", "plyometrics", "core"),
    )


def builtin_workouts() -> tuple[Workout, ...]:
    """Every built-in workout, easiest first."""
    return (
        _run_walk(),
        strides_session(),
        _hill_sprints(),
        _ten_twenty_thirty(),
        _pyramid(),
        _norwegian(),
        _billat(),
        _eight_by_400(),
        _gibala(),
        _strength(),
        _plyo_low(),
        _circuit(),
        _plyo_single_leg(),
        _tabata(),
    )


def title(w: Workout) -> str:
    """The display title of a workout (its ``title:`` tag, else its name)."""
    for tag in w.tags:
        if tag.startswith(TITLE_TAG):
            return tag.removeprefix(TITLE_TAG)
    return w.name


def _slug(text: str) -> str:
    return "-".join(text.strip().lower().replace("_", " ").replace("/", " ").split())


def get_builtin(name: str) -> Workout:
    """The built-in named ``name``: its slug or title, any case (``Norwegian 4x4`` works)."""
    wanted = _slug(name)
    for w in builtin_workouts():
        if wanted in {w.name, _slug(title(w))}:
            return w
    names = ", ".join(w.name for w in builtin_workouts())
    raise WorkoutError(f"no built-in workout {name!r}; the built-ins are: {names}")
