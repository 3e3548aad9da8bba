"""Cues: how much the coach says, per built-in workout, at 85, 100 and 115 % effort.

Each built-in workout is run through the real coach (``plansim.session_run``,
the simulated runner of ``hiitd plan simulate``, seeded) by a 40-year-old with a
4:30/km threshold. Every cue is counted with the time it was sent, and its spoken
length is estimated as the engine's speech budget does (``coach.speech.spoken_s``:
its words, numbers as said, at espeak-ng's default 175 words a minute, plus a
0.3 s pause). Per session: cues a minute, the share of the session
spoken, the most cues and the highest spoken share in any 60 s, and how many
steps shorter than 60 s had more than 25 % of their time spoken (issue 18's
budget), with the speech budget's two targets: the busiest minute and every short
step under a quarter (docs/performance.md has the before and after).
"""

from __future__ import annotations

from typing import Any

from hiitd.coach import speech
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import CueEvent, Event, StepEnded
from hiitd.coach.profile import profile_from_settings
from hiitd.coach.resolve import resolve_workout
from hiitd.plansim.persona import persona_from_data
from hiitd.plansim.session_run import run_session
from hiitd.workouts.library import builtin_workouts
from hiitd_drivers.sim_athlete import SimulatedAthlete
from hiitd_drivers.sim_fitness import TrainingState

from .common import say, target, write_result

EFFORTS = (0.85, 1.0, 1.15)
WINDOW_S = 60.0
SHORT_STEP_S = 60.0
BUDGET = 0.25  # issue 18: at most a quarter of a short step or of any minute spoken
RUNNER: dict[str, object] = {
    "athlete": {"id": "b", "age": 40, "max_hr": 185, "resting_hr": 55, "threshold_pace": "4:30"},
    "plan": {"experience": "intermediate", "weekly_running_min": 120},
}


def spoken_s(text: str) -> float:
    """The estimated time to say ``text``, seconds (the engine's own estimate)."""
    return speech.spoken_s(text, CoachConfig().speech_wpm)


def _busiest(times: list[tuple[float, float]]) -> tuple[int, float]:
    """The most cues, and the most spoken seconds, in any ``WINDOW_S`` starting at a cue."""
    most, longest = 0, 0.0
    for i, (t0, _) in enumerate(times):
        inside = [s for t, s in times[i:] if t < t0 + WINDOW_S]
        most = max(most, len(inside))
        longest = max(longest, sum(inside))
    return most, longest


def session(name: str, effort: float) -> dict[str, Any]:
    """One session's cue figures."""
    persona = persona_from_data(RUNNER, "bench")
    profile = profile_from_settings(persona.athlete)
    workout = next(w for w in builtin_workouts() if w.name == name)
    morning = TrainingState.start(persona.baseline()).fitness()
    athlete = SimulatedAthlete(morning.athlete_model(effort), seed=7)
    cues: list[tuple[float, float]] = []
    steps: list[tuple[float, float]] = []

    def observe(event: Event, now: float) -> None:
        if isinstance(event, CueEvent):
            cues.append((now, spoken_s(event.cue.text)))
        elif isinstance(event, StepEnded):
            steps.append((now - event.summary.duration_s, now))

    run = run_session(
        resolve_workout(workout, profile),
        profile,
        CoachConfig(),
        athlete,
        start_wall=1.7e9,
        session_prefix="b",
        observe=observe,
    )
    minutes = max(run.record.duration_s, 1.0) / 60.0
    most, longest = _busiest(cues)
    short = [(a, b) for a, b in steps if b - a < SHORT_STEP_S]
    over = sum(
        1 for a, b in short if sum(s for t, s in cues if a <= t < b) > BUDGET * max(b - a, 1e-9)
    )
    return {
        "minutes": round(minutes, 1),
        "cues": len(cues),
        "cues_per_min": round(len(cues) / minutes, 2),
        "spoken_pct": round(100 * sum(s for _, s in cues) / (minutes * 60), 1),
        "max_cues_in_a_minute": most,
        "max_spoken_pct_in_a_minute": round(100 * longest / WINDOW_S, 1),
        "short_steps": len(short),
        "short_steps_over_budget": over,
    }


def main() -> dict[str, Any]:
    """Every built-in workout at each effort; a table and ``bench-results/cues.json``."""
    say("cues: built-in workouts through the real coach, 85/100/115 % effort")
    say(
        f"  {'workout':22} {'effort':>6} {'min':>5} {'cues':>5} {'/min':>5} {'spoken':>7} "
        f"{'max/min':>7} {'max min %':>9} {'short>25%':>9}"
    )
    rows = []
    for w in builtin_workouts():
        for effort in EFFORTS:
            r = {"workout": w.name, "effort": effort, **session(w.name, effort)}
            rows.append(r)
            say(
                f"  {w.name:22} {effort:>6.2f} {r['minutes']:>5.1f} {r['cues']:>5} "
                f"{r['cues_per_min']:>5.1f} {r['spoken_pct']:>6.1f}% "
                f"{r['max_cues_in_a_minute']:>7} {r['max_spoken_pct_in_a_minute']:>8.1f}% "
                f"{r['short_steps_over_budget']:>4}/{r['short_steps']:<4}"
            )
    result = {
        "words_per_min": CoachConfig().speech_wpm,
        "pause_s": speech.PAUSE_S,
        "rows": rows,
        "targets": [
            target(
                "busiest minute spoken (%)",
                max(r["max_spoken_pct_in_a_minute"] for r in rows),
                100 * BUDGET + 0.05,  # a quarter, as rounded in the table
            ),
            target(
                "short steps over 25 % spoken", sum(r["short_steps_over_budget"] for r in rows), 1
            ),
        ],
    }
    write_result("cues", result)
    return result


if __name__ == "__main__":
    main()
