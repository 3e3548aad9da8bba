"""Engine zone checking: grace, hysteresis, rate limits, quiet time, easy steps, safety."""

from __future__ import annotations

from engine_rig import Rig, hr, speed, timed, workout

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.events import CueDropped, EndedBy, Notice, Zone
from hiitd.coach.workout_model import Intensity

A, R = Intensity.ACTIVE, Intensity.RECOVERY
FOUR_MIN = workout(timed(A, 240, speed(3.85, 4.08)))


def test_slow_runner_gets_exact_speed_up_sequence() -> None:
    """10 % slow: nothing in the 12 s grace, speed_up after a 5 s hold, then 30 s, 60 s, 120 s
    apart; the one at 47 s would make the first minute 25.5 % speech (the announcement and
    two corrections): dropped. The last step's summary is not said (the session's is)."""
    rig = Rig(FOUR_MIN)
    rig.start()
    rig.run(240, mps=3.85 * 0.9, bpm=150)
    assert rig.cues() == [
        (0.0, "step_start"),
        (17.0, "speed_up"),
        (107.0, "speed_up"),
        (120.0, "halfway"),
        (227.0, "speed_up"),
        (240.0, "session_end"),
    ]
    assert [(t, ev.cue.kind) for t, ev in rig.events if isinstance(ev, CueDropped)] == [
        (47.0, "speed_up")
    ]


def test_no_correction_during_grace_or_within_30_s() -> None:
    """No correction in the first 12 s, exactly one in the next 30 s."""
    rig = Rig(FOUR_MIN)
    rig.start()
    rig.run(11, mps=2.0)
    assert rig.cues("speed_up") == []
    assert rig.e.snapshot(rig.now).zone is Zone.NONE
    rig.run(35, mps=2.0)  # to t=46
    assert [t for t, _ in rig.cues("speed_up")] == [17.0]
    assert rig.e.snapshot(rig.now).zone is Zone.BELOW


def test_in_target_and_inside_margin_give_no_correction() -> None:
    """Within 2 % below the target is not out: hysteresis margin."""
    rig = Rig(FOUR_MIN)
    rig.start()
    rig.run(100, mps=3.85 * 0.985)
    assert rig.cues("speed_up", "slow_down") == []


def test_no_correction_in_last_10_s_of_a_step() -> None:
    """Slowing 14 s before the end: the 10 s mean crosses the margin at 49, out at 54, silence."""
    rig = Rig(workout(timed(A, 60, speed(3.85, 4.08)), timed(R, 60)))
    rig.start()
    rig.run(46, mps=4.0)
    rig.run(14, mps=3.0)
    assert rig.cues("speed_up") == []
    # Control: the same slowdown with time to spare is corrected.
    rig2 = Rig(workout(timed(A, 120, speed(3.85, 4.08))))
    rig2.start()
    rig2.run(46, mps=4.0)
    rig2.run(14, mps=3.0)
    assert rig2.cues("speed_up") == [(54.0, "speed_up")]


def test_safety_ceiling_bypasses_rate_limit_and_repeats_at_growing_intervals() -> None:
    """HR above max for 10 s: safety cue, again after 20, 40, 80 s (it was every 20 s for a
    whole session), sooner when heart rate rises further; never held back by a correction."""
    rig = Rig(workout(timed(A, 600, hr(150, 170))))
    rig.start()
    rig.run(160, bpm=195)
    assert rig.cues("safety_hr_ceiling", "hr_high") == [
        (11.0, "safety_hr_ceiling"),
        (31.0, "safety_hr_ceiling"),
        (71.0, "safety_hr_ceiling"),
        # HR grace 75 s + 10 s hold: hr_high at 85 s would pass the minute's speech
        # budget after two safety cues (dropped); again 30 s later, the back-off's.
        (115.0, "hr_high"),
        (151.0, "safety_hr_ceiling"),
    ]
    (drop,) = [ev for _, ev in rig.events if isinstance(ev, CueDropped)]
    assert (drop.cue.kind, "minute" in drop.reason) == ("hr_high", True)
    rig.run(5, bpm=199)  # 4 bpm more than the last cue's: said again at once
    assert rig.cues("safety_hr_ceiling")[-1][0] < 151.0 + 80
    # The clean 195 is above the max HR the runner entered: a notice says so, and
    # nothing changes (an entered max HR is the runner's to change; issue 14).
    notices = [ev for _, ev in rig.events if isinstance(ev, Notice)]
    assert [n.code for n in notices] == ["max_hr_above_setting"]
    assert rig.e.profile.max_hr == 190
    assert rig.e.ceiling == 190


def test_a_breach_in_a_work_step_ends_it_and_says_why() -> None:
    """195 over a 190 ceiling 60 s into a 4-minute rep: at 10 s held the rep ends (ended_by
    safety), the coach says why, and the recovery starts; the set goes on after it."""
    rig = Rig(
        workout(timed(A, 240, speed(4.0, 4.2)), timed(R, 120), timed(A, 240, speed(4.0, 4.2)))
    )
    rig.start()
    rig.run(60, mps=4.1, bpm=170)
    rig.run(15, mps=4.1, bpm=195)
    [(t, cue)] = [(t, c) for t, c in rig.cue_objs() if c.kind == "safety_hr_ceiling"]
    assert t == 75.0  # the smoothed heart rate crosses 190 a few seconds after the jump
    assert (
        cue.text == "Heart rate 195, above your ceiling of 190: this interval ends here. Easy now."
    )
    [(_, first)] = rig.step_ends()[:1]
    assert first.summary.ended_by is EndedBy.SAFETY
    assert rig.e.snapshot(rig.now).step is not None
    assert rig.e.snapshot(rig.now).step.intensity == "recovery"  # type: ignore[union-attr]


def test_safety_ceiling_config_override() -> None:
    """CoachConfig.safety_ceiling_bpm replaces max HR as the ceiling."""
    rig = Rig(workout(timed(A, 600)), config=CoachConfig(countdown_s=0, safety_ceiling_bpm=175))
    rig.start()
    rig.run(30, bpm=180)
    assert rig.cues("safety_hr_ceiling") == [(11.0, "safety_hr_ceiling")]


def test_hr_high_after_grace_and_hold_then_back_in() -> None:
    """HR above range: no verdict for 75 s, hr_high after a 10 s hold; zone in once inside."""
    rig = Rig(workout(timed(A, 600, hr(150, 160))))
    rig.start()
    rig.run(114, bpm=170)
    assert rig.cues("hr_high", "hr_low") == [(85.0, "hr_high")]
    rig.run(10, bpm=155)
    assert rig.e.snapshot(rig.now).zone is Zone.IN


def test_recovery_never_says_speed_up_or_hr_low() -> None:
    """Recovery steps: a slow or low-HR runner hears nothing; only 'ease off' kinds exist."""
    rig = Rig(workout(timed(R, 300, speed(2.5, 3.0)), timed(R, 300, hr(120, 130)), timed(R, 120)))
    rig.start()
    rig.run(300, mps=1.5, bpm=100)
    rig.run(300, mps=1.5, bpm=100)
    assert rig.cues("speed_up", "hr_low", "cadence_up") == []
    assert rig.cues("paused") == []  # walking in a recovery never auto-pauses
    # Control: too fast / too high in recovery is corrected.
    fast = Rig(workout(timed(R, 300, speed(2.5, 3.0)), timed(R, 300, hr(120, 130))))
    fast.start()
    fast.run(300, mps=3.5, bpm=100)
    fast.run(300, mps=3.5, bpm=150)
    assert {k for _, k in fast.cues("slow_down", "hr_high")} == {"slow_down", "hr_high"}


def test_a_cool_down_ceiling_waits_for_the_heart_rate_grace() -> None:
    """After a hard rep, a cool-down "under 143" with the heart rate still 155: nothing for
    the heart-rate grace (75 s), then one "ease off" once it is held 10 s more (was 22 s
    into the cool-down, and again 30 s later). The same for a warm-up ceiling."""
    cool = Rig(
        workout(timed(A, 120, speed(4.0, 4.4)), timed(Intensity.COOLDOWN, 300, hr(None, 143)))
    )
    cool.start()
    cool.run(120, mps=4.2, bpm=175)
    cool.run(75, mps=2.5, bpm=155)
    assert cool.cues("hr_high") == []
    cool.run(30, mps=2.5, bpm=155)
    [(at, _)] = cool.cues("hr_high")
    assert 120 + 75 <= at <= 120 + 75 + 12
    warm = Rig(workout(timed(Intensity.WARMUP, 300, hr(None, 143))))
    warm.start()
    warm.run(70, mps=2.5, bpm=150)
    assert warm.cues("hr_high") == []


def test_short_hr_only_work_steps_warn_and_treat_hr_as_ceiling() -> None:
    """60 s HR-only reps: a Notice at load; low HR never gives hr_low; above the top, no
    hr_high either: the heart-rate grace (75 s) covers a whole 60 s rep, whose heart
    rate is still the rep before's (the safety ceiling is never held back)."""
    rep = timed(A, 60, hr(160, 175))
    rig = Rig(workout(rep, timed(R, 60), rep, timed(R, 60)))
    notices = [ev for _, ev in rig.events if isinstance(ev, Notice)]
    assert [n.code for n in notices] == ["short_hr_step"]
    assert "1, 3" in notices[0].text
    rig.start()
    rig.run(120, bpm=130)
    rig.run(60, bpm=185)
    assert rig.cues("hr_low") == []
    assert rig.cues("hr_high") == []
