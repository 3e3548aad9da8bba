"""The speech budget (coach/budget.py): what the runner hears, on exact timelines.

The built-in Tabata and 10-20-30 run through the real coach with the simulated
runner of ``hiitd plan simulate`` (plansim.session_run, seeded); the small cases
run on the engine rig (1 Hz samples, a tick a second).
"""

from __future__ import annotations

import dataclasses
import json
from typing import TYPE_CHECKING

import pytest
from engine_rig import PROFILE, Rig, hr, speed, timed, workout
from structlog.testing import capture_logs

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import CueDropped, CueEvent, Event, StepEnded, StepSummary
from hiitd.coach.profile import profile_from_settings
from hiitd.coach.resolve import resolve_workout
from hiitd.coach.speech import spoken_s, words
from hiitd.coach.workout_model import Intensity, Repeat, TextCue, Workout
from hiitd.mqtt.topics import Topics
from hiitd.plansim.persona import persona_from_data
from hiitd.plansim.session_run import run_session
from hiitd.runtime.coach_service import Coach
from hiitd.store.workout_catalog import WorkoutCatalog
from hiitd.workouts.library import builtin_workouts
from hiitd_drivers.sim_athlete import SimulatedAthlete
from hiitd_drivers.sim_fitness import TrainingState

if TYPE_CHECKING:
    from pathlib import Path

A, R, W = Intensity.ACTIVE, Intensity.RECOVERY, Intensity.WARMUP
WPM = CoachConfig().speech_wpm
RUNNER: dict[str, object] = {
    "athlete": {"id": "b", "age": 40, "max_hr": 185, "resting_hr": 55, "threshold_pace": "4:30"},
    "plan": {"experience": "intermediate", "weekly_running_min": 120},
}


def test_spoken_length_counts_numbers_as_they_are_said() -> None:
    """ "4:05" is "four oh five", 150 "one hundred fifty", "%" a word: the estimate a
    speaker would take, at 175 words a minute plus a 0.3 s pause."""
    assert words("Rest.") == 1
    assert words("4:05") == 3
    assert words("4:30") == 2
    assert words("heart rate 150") == 5
    assert words("85 % in target.") == 5
    assert words("Interval 3 of 8. 4 minutes at 4:05 to 4:20 per km.") == 15
    assert spoken_s("Rest.", 175) == pytest.approx(60 / 175 + 0.3)
    assert spoken_s("Rest.", 350) < spoken_s("Rest.", 175)


def _builtin_run(name: str, effort: float) -> tuple[list[tuple[float, Event]], list[StepSummary]]:
    persona = persona_from_data(RUNNER, "t")
    profile = profile_from_settings(persona.athlete)
    w = next(x for x in builtin_workouts() if x.name == name)
    athlete = SimulatedAthlete(
        TrainingState.start(persona.baseline()).fitness().athlete_model(effort), seed=7
    )
    events: list[tuple[float, Event]] = []
    run_session(
        resolve_workout(w, profile),
        profile,
        CoachConfig(),
        athlete,
        start_wall=1.7e9,
        session_prefix="t",
        observe=lambda e, t: events.append((t, e)),
    )
    return events, [e.summary for _, e in events if isinstance(e, StepEnded)]


def _said(events: list[tuple[float, Event]]) -> list[tuple[float, float, str]]:
    return [
        (t, spoken_s(e.cue.text, WPM), e.cue.text) for t, e in events if isinstance(e, CueEvent)
    ]


@pytest.mark.parametrize("name", ["tabata", "10-20-30"])
@pytest.mark.parametrize("effort", [0.85, 1.0, 1.15])
def test_no_minute_and_no_short_step_is_more_than_a_quarter_speech(
    name: str, effort: float
) -> None:
    """Tabata's and 10-20-30's every 60 s window and every step under 60 s: at most 25 %
    spoken (they were 51-59 % in the busiest minute, and every short step over)."""
    events, steps = _builtin_run(name, effort)
    said = _said(events)
    for t0, _, _ in said:
        window = sum(d for t, d, _ in said if t0 <= t < t0 + 60)
        assert window <= 15.0 + 1e-9, f"{window:.1f} s spoken in the minute from {t0:.0f} s"
    clock = {e.summary.index: t for t, e in events if isinstance(e, StepEnded)}
    short = [s for s in steps if s.duration_s < 60]
    assert short
    for s in short:
        end = clock[s.index]
        inside = sum(d for t, d, _ in said if end - s.duration_s <= t < end)
        assert inside <= 0.25 * s.duration_s + 1e-9, f"step {s.index}: {inside:.1f} s spoken"


def test_tabata_rests_say_rest_then_two_one() -> None:
    """Each 10 s rest: "Rest.", then "2", "1" before the next 20 s rep ("3" would pass the
    rest's 2.5 s: dropped, counted in the rest's summary)."""
    events, steps = _builtin_run("tabata", 1.0)
    said = [(t, text) for t, _, text in _said(events)]
    rests = [s for s in steps if s.intensity == "rest"]
    assert len(rests) == 8
    end = {e.summary.index: t for t, e in events if isinstance(e, StepEnded)}

    def inside(rest: StepSummary) -> list[str]:
        start = end[rest.index] - rest.duration_s
        return [x for t, x in said if start <= t < end[rest.index]]

    for rest in rests[:-1]:
        assert inside(rest) == ["Rest.", "2", "1"]
        assert rest.dropped == 1
    assert inside(rests[-1]) == ["Rest."]  # the cool-down follows: no countdown
    dropped = [e.cue.text for _, e in events if isinstance(e, CueDropped)]
    assert dropped == ["3"] * 7


def test_nothing_but_the_countdown_in_the_last_seconds_before_a_step_change() -> None:
    """A workout text due 2 s before the end of a 2-minute step is not said; one due 20 s
    before is (each checked against the 3 s of quiet and its own length)."""
    late = dataclasses.replace(
        timed(W, 120), text_cues=(TextCue(100, "Get ready."), TextCue(118, "Nearly there now."))
    )
    rig = Rig(workout(late, timed(A, 120, speed(3.8, 4.2))))
    rig.start()
    rig.run(125, mps=3.0)
    texts = [(t, c.text) for t, c in rig.cue_objs()]
    assert (100.0, "Get ready.") in texts
    assert "Nearly there now." not in [x for _, x in texts]
    [(t, drop)] = [(t, e) for t, e in rig.events if isinstance(e, CueDropped)]
    assert (t, drop.cue.text) == (118.0, "Nearly there now.")
    assert "3 s before the step change" in drop.reason
    assert [x for tt, x in texts if 117.0 <= tt < 120.0] == ["3", "2", "1"]


def test_an_announcement_that_does_not_fit_is_said_in_brief() -> None:
    """With a tenth of each minute for speech (6 s), rep 1 is announced in full (5.4 s);
    rep 2, after the 3-2-1 used 1.9 s of its minute, as "Interval 2 of 2." (1.7 s):
    shortened, never dropped."""
    w = Workout("t", (Repeat(2, (timed(A, 60, speed(3.8, 4.2)), timed(R, 60))),))
    rig = Rig(w, CoachConfig(countdown_s=0, speech_share=0.1))
    rig.start()
    rig.run(170, mps=4.0, bpm=150)
    assert [(t, c.text) for t, c in rig.cue_objs() if c.kind == "step_start"] == [
        (0.0, "Interval 1 of 2. 1 minute at 3:58 to 4:23 per km."),
        (60.0, "Recovery 1 of 2. 1 minute."),
        (120.0, "Interval 2 of 2."),
    ]
    assert not [
        e for _, e in rig.events if isinstance(e, CueDropped) and e.cue.kind == "step_start"
    ]


def test_the_safety_cue_bypasses_the_budget() -> None:
    """Even with 5 % of a minute for speech, a held breach of the ceiling is said."""
    rig = Rig(workout(timed(A, 300, hr(150, 170))), CoachConfig(countdown_s=0, speech_share=0.05))
    rig.start()
    rig.run(60, bpm=199)
    assert [t for t, _ in rig.cues("safety_hr_ceiling")] == [11.0, 31.0]


def test_the_daemon_logs_each_dropped_cue_with_its_reason_and_publishes_the_count(
    tmp_path: Path,
) -> None:
    """What the engine drops reaches no consumer, but the journal says what and why, and
    the step's ``session/step`` payload counts it."""
    rest = timed(Intensity.REST, 10)
    go = dataclasses.replace(timed(A, 20), name="All out")
    rig = Rig(Workout("t", (timed(W, 60), Repeat(2, (go, rest)), timed(R, 60))))
    topics = Topics("hiitd", "athlete")
    coach = Coach(rig.e, WorkoutCatalog(tmp_path, PROFILE), topics, lambda: 1.7e9)
    out = coach.on_command("start", b"", rig.now)
    with capture_logs() as logs:
        for _ in range(130):
            rig.now += 1.0
            out += coach.on_tick(rig.now)
    dropped = [e for e in logs if e["event"] == "cue_dropped"]
    assert [(d["kind"], d["text"]) for d in dropped] == [("countdown", "3")]
    assert "10 s step" in dropped[0]["reason"]
    cues = [json.loads(m.payload) for m in out if m.topic == topics.session_cue]
    assert "3" not in [c["text"] for c in cues[4:]]  # the first 3 is before the first rep
    steps = [json.loads(m.payload) for m in out if m.topic == topics.session_step]
    assert [s["dropped"] for s in steps] == [0, 0, 1, 0, 0]


def test_circuit_stations_by_name_and_place_and_the_how_to_once() -> None:
    """plyo-core-circuit: "Jump squats, 1 of 7." with its how-to in the first round only,
    each rest names what comes, the second round says so; never "Rest 1 of 2"."""
    events, _ = _builtin_run("plyo-core-circuit", 1.0)
    said = [text for _, _, text in _said(events)]
    first = said.index("Jump squats, 1 of 7.")
    assert said[first + 1] == "Jump squats: sink, explode up, land softly"
    assert said[first + 2] == "Rest. Next: Skipping."
    assert "Plank, 4 of 7." in said
    assert "Rest. Next: Plank." in said
    assert said.count("Round 2. Jump squats, 1 of 7.") == 1
    second = said.index("Round 2. Jump squats, 1 of 7.")
    assert not any(t.startswith("Jump squats:") for t in said[second:])
    assert not any(t.startswith("Rest 1 of") for t in said)


def test_a_workout_step_cue_is_said_at_the_first_rep_of_a_set_only() -> None:
    """ "Easy jog, recover" once in a set of 4 (it was said in every recovery)."""
    rec = dataclasses.replace(timed(R, 90), cue="Easy jog, recover")
    rig = Rig(Workout("t", (Repeat(4, (timed(A, 90), rec)),)))
    rig.start()
    rig.run(720, mps=3.5)
    assert [c.text for _, c in rig.cue_objs()].count("Easy jog, recover") == 1


def test_a_step_too_short_for_its_quarter_still_gets_its_one_word() -> None:
    """2 s steps: "Go." (0.6 s) is more than a quarter of one, but a step change is always
    announced (in brief); only the minute's budget could hold it back."""
    w = Workout("t", (Repeat(4, (timed(A, 2), timed(Intensity.REST, 2))),))
    rig = Rig(w)
    rig.start()
    rig.run(16, mps=3.0)
    assert [(t, c.text) for t, c in rig.cue_objs() if c.kind == "step_start"] == [
        (float(t), "Go." if t % 4 == 0 else "Rest.") for t in range(0, 16, 2)
    ]
