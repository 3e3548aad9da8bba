"""The athlete profile: measured values win, estimates are marked and explained."""

from __future__ import annotations

import pytest

from hiitd.coach.profile import profile_from_settings, raise_max_hr, tanaka_max_hr
from hiitd.settings import AthleteSettings, RaceResult

RACE_5K_25 = RaceResult(distance_m=5000, time="25:00")


def test_tanaka_formula() -> None:
    """Tanaka (2001): 208 - 0.7 x age, so 40 years gives 180 and 25 gives 190."""
    assert tanaka_max_hr(40) == 180
    assert tanaka_max_hr(25) == 190
    assert tanaka_max_hr(63) == 164  # 163.9


def test_measured_max_hr_wins_and_is_not_estimated() -> None:
    """A configured max_hr is used as is, even with an age."""
    p = profile_from_settings(AthleteSettings(max_hr=186, age=40))
    assert (p.max_hr, p.max_hr_estimated) == (186, False)
    assert not any("max HR" in n for n in p.notes)


def test_age_only_estimates_max_hr_with_tanaka() -> None:
    """Without max_hr the age gives Tanaka's estimate, marked and explained in notes."""
    p = profile_from_settings(AthleteSettings(age=40))
    assert (p.max_hr, p.max_hr_estimated) == (180, True)
    assert any("Tanaka" in n and "athlete.max_hr" in n for n in p.notes)


def test_no_age_no_max_hr_assumes_190_and_says_so() -> None:
    """With neither, max HR is 190, estimated, and a note asks for athlete.max_hr."""
    p = profile_from_settings(AthleteSettings())
    assert (p.max_hr, p.max_hr_estimated) == (190, True)
    assert any("190 assumed" in n and "athlete.max_hr" in n for n in p.notes)


def test_threshold_speed_from_threshold_pace() -> None:
    """threshold_pace 4:30 /km is 1000/270 m/s; VDOT is then estimated from it."""
    p = profile_from_settings(AthleteSettings(threshold_pace="4:30"))
    assert p.threshold_speed_mps == pytest.approx(1000 / 270)
    assert p.vdot is not None
    assert any("estimated from threshold pace" in n for n in p.notes)


def test_threshold_speed_from_race_via_vdot() -> None:
    """A 25:00 5 km gives VDOT 38.3 and a threshold pace of 5:16 /km."""
    p = profile_from_settings(AthleteSettings(race=RACE_5K_25))
    assert p.vdot == pytest.approx(38.3, abs=0.2)
    assert p.threshold_speed_mps is not None
    assert 1000 / p.threshold_speed_mps == pytest.approx(316, abs=3)


def test_threshold_pace_beats_race_but_vdot_comes_from_the_race() -> None:
    """With both, the configured threshold pace is used and VDOT is the race's."""
    p = profile_from_settings(AthleteSettings(threshold_pace="5:00", race=RACE_5K_25))
    assert p.threshold_speed_mps == pytest.approx(1000 / 300)
    assert p.vdot == pytest.approx(38.3, abs=0.2)


def test_no_pace_information_leaves_pace_unknown_with_a_note() -> None:
    """Without threshold_pace or race there is no threshold speed and no VDOT."""
    p = profile_from_settings(AthleteSettings(age=30, resting_hr=50, lthr=165))
    assert p.threshold_speed_mps is None
    assert p.vdot is None
    assert (p.resting_hr, p.lthr) == (50, 165)
    assert any("athlete.threshold_pace or athlete.race" in n for n in p.notes)


def test_raise_max_hr_returns_a_measured_profile() -> None:
    """A higher observed value becomes max HR, no longer estimated; the original is unchanged."""
    p = profile_from_settings(AthleteSettings(age=40))
    q = raise_max_hr(p, 187)
    assert (q.max_hr, q.max_hr_estimated) == (187, False)
    assert (p.max_hr, p.max_hr_estimated) == (180, True)
    assert not any("Tanaka" in n for n in q.notes)
    assert any("187 recorded" in n for n in q.notes)


def test_raise_max_hr_ignores_a_lower_value() -> None:
    """A value at or below max HR changes nothing (not even the estimated flag)."""
    p = profile_from_settings(AthleteSettings(age=40))
    assert raise_max_hr(p, 175) is p
    assert raise_max_hr(p, 180) is p


def test_raise_max_hr_rejects_an_artefact() -> None:
    """A value no heart reaches is refused, not adopted."""
    p = profile_from_settings(AthleteSettings(age=40))
    with pytest.raises(ValueError, match="plausible"):
        raise_max_hr(p, 260)
