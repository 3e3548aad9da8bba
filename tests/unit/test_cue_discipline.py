"""How much the coach says across a set (issue "A coach that speaks like one").

Exact cue sequences from the engine rig: 1 Hz samples, a tick a second, the
default coach settings (corrections 30 s apart, doubling while the runner stays
out of target; 12 s pace grace; 5 s hold).
"""

from __future__ import annotations

import dataclasses

from engine_rig import Rig, speed, timed

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.cues import halfway_phrase, step_label
from hiitd.coach.events import CueDropped
from hiitd.coach.workout_model import Intensity, Repeat, Workout

A, R, W = Intensity.ACTIVE, Intensity.RECOVERY, Intensity.WARMUP
TOO_FAST = "The target looks too fast today: run by feel, stay smooth."
AHEAD = "Faster than the target rep after rep: hold back, keep some for the last ones."


def _set(reps: int = 8) -> Workout:
    """A 60 s warm-up, then ``reps`` x (60 s at 4.0-4.2 m/s, 60 s recovery)."""
    return Workout(
        "set", (timed(W, 60), Repeat(reps, (timed(A, 60, speed(4.0, 4.2)), timed(R, 60))))
    )


def _drops(rig: Rig) -> list[tuple[float, CueDropped]]:
    return [(t, e) for t, e in rig.events if isinstance(e, CueDropped)]


def _pace_cues(rig: Rig) -> list[tuple[float, str, str]]:
    return [
        (t, c.kind.value, c.text)
        for t, c in rig.cue_objs()
        if c.kind.value in {"speed_up", "slow_down"}
    ]


def test_the_back_off_carries_across_the_reps_and_too_fast_today_is_said_once() -> None:
    """Every rep at 3.5 m/s: rep 1 says "pick it up" at 17 s; its repeat 30 s later would
    pass the minute's speech budget (the rep's announcement, the first correction) and is
    dropped, counted in the rep's summary; rep 2 says it once, 90 s after (the back-off
    carried into rep 2, where it reset at every rep before); rep 3 says once that the
    target looks too fast today; reps 3-8 are quiet about it."""
    rig = Rig(_set())
    rig.start()
    rig.run(60, mps=3.0)
    for _ in range(8):
        rig.run(60, mps=3.5)
        rig.run(60, mps=2.5)
    cues = _pace_cues(rig)
    assert [(t, k) for t, k, _ in cues] == [
        (77.0, "speed_up"),
        (197.0, "speed_up"),
        (317.0, "speed_up"),
    ]
    assert [(t, d.cue.kind.value) for t, d in _drops(rig)] == [(107.0, "speed_up")]
    assert [e.summary.dropped for _, e in rig.step_ends()][:3] == [0, 1, 0]
    assert [text for *_, text in cues][:2] == ["Pick it up: 4:46 per km, target 3:58 to 4:10."] * 2
    assert cues[2][2] == TOO_FAST
    (by_feel,) = [c for _, c in rig.cue_objs() if c.text == TOO_FAST]
    assert by_feel.value == 3.5  # the pace it was said at, like any correction


def test_ahead_of_the_target_every_rep_is_said_once_too() -> None:
    rig = Rig(_set(4))
    rig.start()
    rig.run(60, mps=3.0)
    for _ in range(4):
        rig.run(60, mps=4.8)
        rig.run(60, mps=2.5)
    texts = [text for *_, text in _pace_cues(rig)]
    assert texts.count(AHEAD) == 1
    assert texts[-1] == AHEAD
    assert all(t.startswith("Ease back") for t in texts[:-1])


def test_back_in_target_starts_the_back_off_over_and_nothing_is_hushed() -> None:
    """Rep 1 slow, rep 2 on target, rep 3 slow: no "too fast today" (two reps in a row
    were not missed), and rep 3's first correction comes at the 30 s spacing again (the
    speech budget off, to see the back-off alone)."""
    rig = Rig(_set(3), CoachConfig(countdown_s=0, speech_share=1.0))
    rig.start()
    rig.run(60, mps=3.0)
    for mps in (3.5, 4.1, 3.5):
        rig.run(60, mps=mps)
        rig.run(60, mps=2.5)
    cues = _pace_cues(rig)
    assert TOO_FAST not in [text for *_, text in cues]
    assert [t for t, *_ in cues] == [77.0, 107.0, 317.0, 347.0]


def test_short_steps_get_one_or_two_words_no_summary_and_no_corrections() -> None:
    """Tabata-like: 4 x (20 s "All out", 10 s rest) after a warm-up, run too slowly: each rep
    says its name, each rest "Rest.", 3-2-1 before the first rep, "2, 1" in each 10 s rest
    (its speech budget is 2.5 s: "3, 2, 1" after "Rest." would pass it, so the first
    number is dropped, not the last); no step summaries, no corrections (it was
    "Interval 1 of 4. 20 seconds.", the workout's cue, a summary and "pick it up" into
    10 s of rest)."""
    rep = dataclasses.replace(timed(A, 20, speed(5.0, 6.0)), name="All out", cue="All out, go")
    rest = timed(Intensity.REST, 10)
    rig = Rig(Workout("t", (timed(W, 120), Repeat(4, (rep, rest)))))
    rig.start()
    rig.run(120, mps=3.0)
    for _ in range(4):
        rig.run(20, mps=4.0)
        rig.run(10, mps=0.5)
    said = [(t, c.kind.value, c.text) for t, c in rig.cue_objs() if t > 110]
    first_rep = [x for x in said if x[0] <= 150]
    assert first_rep == [
        (117.0, "countdown", "3"),
        (118.0, "countdown", "2"),
        (119.0, "countdown", "1"),
        (120.0, "step_start", "All out."),
        (140.0, "step_start", "Rest."),
        (148.0, "countdown", "2"),
        (149.0, "countdown", "1"),
        (150.0, "step_start", "All out."),
    ]
    kinds = {k for _, k, _ in said}
    assert not kinds & {"speed_up", "slow_down", "step_end"}
    assert [(t, d.cue.text) for t, d in _drops(rig)] == [(147.0, "3"), (177.0, "3"), (207.0, "3")]
    assert all("this 10 s step's 2.5 s" in d.reason for _, d in _drops(rig))


def test_the_safety_ceiling_still_speaks_in_a_short_step() -> None:
    rig = Rig(Workout("t", (Repeat(3, (timed(A, 40), timed(R, 20))),)))
    rig.start()
    rig.run(40, bpm=196)
    assert rig.cues("safety_hr_ceiling")


def test_halfway_is_said_in_round_figures() -> None:
    """A 4-minute rep: "Halfway, 2 minutes to go." (was "Halfway. 119 seconds to go.")."""
    rig = Rig(Workout("t", (timed(A, 240, speed(4.0, 4.2)),)))
    rig.start()
    rig.run(240, mps=4.1)
    assert [c.text for _, c in rig.cue_objs() if c.kind.value == "halfway"] == [
        "Halfway, 2 minutes to go."
    ]
    assert [halfway_phrase(left_s=s) for s in (119.4, 61.0, 44.0, 4.0)] == [
        "2 minutes",
        "1 minute",
        "40 seconds",
        "10 seconds",
    ]
    assert halfway_phrase(left_m=396.0) == "400 metres"


def test_a_runner_who_stopped_is_told_so_not_standing_per_km() -> None:
    """Auto-pause off, the runner stops in a pace rep: "You have stopped", not "Pick it up:
    standing per km"."""
    rig = Rig(
        Workout("t", (timed(A, 120, speed(4.0, 4.2)),)),
        config=CoachConfig(countdown_s=0, autopause=False),
    )
    rig.start()
    rig.run(120, mps=0.0)
    texts = [c.text for _, c in rig.cue_objs() if c.kind.value == "speed_up"]
    assert texts
    assert all(t == "You have stopped: target 3:58 to 4:10 per km." for t in texts)


def test_work_and_recovery_are_counted_alike_per_set() -> None:
    """Two sets of 3 x (work, recovery): "Interval 1 of 3" beside "Recovery 1 of 3" in both
    sets (the second set said "Interval 4 of 6" beside "Recovery 1 of 3")."""
    one_set = Repeat(3, (timed(A, 60), timed(R, 60)))
    w = Workout("sets", (timed(W, 60), one_set, timed(Intensity.REST, 120), one_set))
    labels = [step_label(ps) for ps in w.expand()]
    assert labels == [
        "Warm-up",
        *("Interval 1 of 3", "Recovery 1 of 3", "Interval 2 of 3", "Recovery 2 of 3"),
        *("Interval 3 of 3", "Recovery 3 of 3", "Rest"),
        *("Interval 1 of 3", "Recovery 1 of 3", "Interval 2 of 3", "Recovery 2 of 3"),
        *("Interval 3 of 3", "Recovery 3 of 3"),
    ]
