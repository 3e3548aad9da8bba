"""``athlete.beta_blockers``: heart rate neither steers, scores, warns nor measures recovery.

Beta blockers blunt the heart rate's rise with effort, so a heart-rate target
would always read "too low" and the ceiling and HRR60 mean little: a heart-rate
step is run by feel (unscored, the reason said), the safety ceiling cue is not
given (said once at the start), and HRR60 is withheld with the reason.
"""

from __future__ import annotations

from dataclasses import replace

from engine_rig import PROFILE, Rig, hr, speed, timed, workout
from metrics_rig import ATHLETE, hr_points, record, step

from hiitd.coach.compliance import BETA_BLOCKERS
from hiitd.coach.profile import profile_from_settings
from hiitd.coach.workout_model import Intensity
from hiitd.metrics import hr_recovery as rc
from hiitd.metrics import time_in_zone as tz
from hiitd.settings import AthleteSettings

A = Intensity.ACTIVE
BLOCKED = replace(PROFILE, beta_blockers=True)
REASON = "beta blockers: heart rate not used for coaching"


def test_the_profile_carries_it_and_says_why() -> None:
    p = profile_from_settings(AthleteSettings(beta_blockers=True, max_hr=180))
    assert p.beta_blockers
    assert any(n.startswith("beta blockers: heart rate not used for coaching") for n in p.notes)
    assert not profile_from_settings(AthleteSettings()).beta_blockers
    assert BETA_BLOCKERS == REASON


def test_a_heart_rate_step_is_not_steered_nor_scored_and_says_why() -> None:
    """HR 120 against a 150-160 target: no 'push' cue, no score, the reason on the step."""
    rig = Rig(workout(timed(A, 300, hr(150, 160))), profile=BLOCKED)
    rig.start()
    rig.run(300, bpm=120, mps=3.0)
    assert rig.cues("hr_low", "hr_high") == []
    [(_, end)] = rig.step_ends()
    summary = end.summary
    assert summary.unscored == REASON
    assert summary.pct_in is None
    start = [c for _, c in rig.cue_objs() if c.kind == "step_start"]
    assert "150" not in start[0].text, "the heart-rate target is not said"
    assert any("Heart rate is not used for coaching today" in c.text for c in start)
    assert [c.reason for c in start].count(REASON) == 1, "said once, at the start"


def test_without_beta_blockers_the_same_step_is_steered_by_heart_rate() -> None:
    rig = Rig(workout(timed(A, 300, hr(150, 160))))
    rig.start()
    rig.run(300, bpm=120, mps=3.0)
    assert rig.cues("hr_low")
    [(_, end)] = rig.step_ends()
    assert end.summary.unscored is None


def test_a_pace_step_is_still_steered_by_pace() -> None:
    rig = Rig(workout(timed(A, 300, speed(4.0, 4.2))), profile=BLOCKED)
    rig.start()
    rig.run(300, bpm=150, mps=3.0)
    assert rig.cues("speed_up")
    [(_, end)] = rig.step_ends()
    assert end.summary.unscored is None


def test_no_heart_rate_ceiling_cue() -> None:
    """195 bpm held over a 190 ceiling: the cue without beta blockers, none with them."""
    blocked = Rig(workout(timed(A, 600)), profile=BLOCKED)
    blocked.start()
    blocked.run(60, bpm=195)
    assert blocked.cues("safety_hr_ceiling") == []
    assert blocked.e.snapshot(blocked.now).to_payload()["ceiling_bpm"] is None  # none shown
    plain = Rig(workout(timed(A, 600)))
    plain.start()
    plain.run(60, bpm=195)
    assert plain.cues("safety_hr_ceiling")
    assert plain.e.snapshot(plain.now).to_payload()["ceiling_bpm"] == 190


def _decay(t: int) -> int:
    return 170 if t < 300 else 172 - (t - 300)


def test_hrr60_is_withheld_with_the_reason() -> None:
    steps = [step(0, 0.0, 300.0), step(1, 300.0, 500.0, intensity="recovery")]
    plain = record(end_t=500.0, hr=hr_points(0, 500, _decay), steps=steps)
    (measured,) = rc.step_recoveries(plain)
    assert measured.drop_bpm is not None
    blocked = replace(plain, athlete=replace(ATHLETE, beta_blockers=True))
    (withheld,) = rc.step_recoveries(blocked)
    assert (withheld.drop_bpm, withheld.reason) == (None, REASON)
    session = rc.session_recovery(blocked)
    assert session is not None
    assert (session.drop_bpm, session.reason) == (None, REASON)


def test_the_analysis_does_not_rescore_heart_rate_either() -> None:
    """A stored step without the coach's score (an import) is not scored from heart rate."""
    steps = [step(0, 0.0, 300.0, target="hr", low=150.0, high=160.0)]
    plain = record(end_t=300.0, hr=hr_points(0, 300, lambda _t: 155), steps=steps)
    (scored,) = tz.step_compliance(plain)
    assert scored.unscored is None
    blocked = replace(plain, athlete=replace(ATHLETE, beta_blockers=True))
    (unscored,) = tz.step_compliance(blocked)
    assert unscored.unscored == REASON
