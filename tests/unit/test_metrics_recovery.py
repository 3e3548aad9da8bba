"""Heart-rate recovery 60 s after work steps and after the session."""

from __future__ import annotations

import pytest
from metrics_rig import hr_points, record, step

from hiitd.metrics import hr_recovery as rc


def _decay(t: int) -> int:
    """170 during the rep with a 172 peak at 298 s, then -1 bpm/s after it ends at 300 s."""
    if t < 300:
        return 172 if t == 298 else 170
    return 172 - (t - 300)


def test_scripted_decay_gives_hrr60_of_60() -> None:
    """Peak 172 in the last 5 s; mean of 114..110 at +58..+62 s is 112: HRR60 = 60."""
    rec = record(
        end_t=500.0,
        hr=hr_points(0, 500, _decay),
        steps=[step(0, 0.0, 300.0), step(1, 300.0, 500.0, intensity="recovery")],
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.peak_bpm == 172
    assert hrr.later_bpm == pytest.approx(112.0)
    assert hrr.drop_bpm == pytest.approx(60.0)
    assert hrr.step_index == 0
    assert hrr.reason is None


def test_missing_data_around_60_s_gives_none() -> None:
    """A strap dropout from +50 to +70 s leaves HRR60 None with a reason."""
    rec = record(
        end_t=500.0,
        hr=[p for p in hr_points(0, 500, _decay) if not 350 <= p.t < 370],
        steps=[step(0, 0.0, 300.0)],
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm is None
    assert hrr.reason == "no heart rate around 60 s after the effort"


def test_missing_peak_gives_none() -> None:
    """No heart rate in the last 5 s of the rep: no HRR60."""
    rec = record(
        end_t=500.0,
        hr=[p for p in hr_points(0, 500, _decay) if not 290 <= p.t <= 300],
        steps=[step(0, 0.0, 300.0)],
    )
    (hrr,) = rc.step_recoveries(rec)
    assert hrr.drop_bpm is None
    assert hrr.reason is not None


def test_short_recovery_before_the_next_rep_is_not_measured() -> None:
    """The next work step starting 30 s after the rep ends cuts the recovery: None."""
    rec = record(
        end_t=600.0,
        hr=hr_points(0, 600, _decay),
        steps=[
            step(0, 0.0, 300.0),
            step(1, 300.0, 330.0, intensity="rest"),
            step(2, 330.0, 600.0),
        ],
    )
    first, last = rc.step_recoveries(rec)
    assert first.drop_bpm is None
    assert first.reason == "next work step began within 60 s"
    assert last.step_index == 2


def test_only_work_steps_are_measured() -> None:
    """Warm-up, recovery and cool-down steps get no HRR60 of their own."""
    rec = record(
        end_t=500.0,
        hr=hr_points(0, 500, 150),
        steps=[
            step(0, 0.0, 100.0, intensity="warmup"),
            step(1, 100.0, 500.0, intensity="cooldown"),
        ],
    )
    assert rc.step_recoveries(rec) == ()


def test_session_recovery_is_after_the_last_work_step() -> None:
    """The session's HRR60 is the one after the last work step, anchored there."""
    rec = record(
        end_t=500.0,
        hr=hr_points(0, 500, _decay),
        steps=[step(0, 0.0, 300.0), step(1, 300.0, 500.0, intensity="cooldown")],
    )
    hrr = rc.session_recovery(rec)
    assert hrr is not None
    assert hrr.anchor == "work_step"
    assert hrr.t_end == 300.0
    assert hrr.drop_bpm == pytest.approx(60.0)


def test_session_recovery_without_steps_uses_the_session_end() -> None:
    """A free run has no work step: the session end is the anchor, and nothing follows it."""
    rec = record(end_t=300.0, hr=hr_points(0, 300, 160))
    hrr = rc.session_recovery(rec)
    assert hrr is not None
    assert hrr.anchor == "session_end"
    assert hrr.peak_bpm == 160
    assert hrr.drop_bpm is None
    assert hrr.reason == "no heart rate recorded 60 s after the session end"
