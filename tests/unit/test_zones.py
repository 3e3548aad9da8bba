"""Zones and Daniels' VDOT: the published numbers, the Friel/Karvonen edges, the report."""

from __future__ import annotations

import itertools
import json
from dataclasses import replace
from typing import Any

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiitd.coach import daniels, zones
from hiitd.coach.profile import AthleteProfile

BASE = AthleteProfile(190, False, None, None, None, None)


def profile(**kw: Any) -> AthleteProfile:
    return replace(BASE, **kw)


def test_5k_in_25_minutes_is_vdot_38_3() -> None:
    """A 5 km in 25:00 gives VDOT 38.3 (Daniels' tables: 38.3)."""
    assert daniels.vdot_from_race(5000, 25 * 60) == pytest.approx(38.3, abs=0.2)


def test_5k_in_25_minutes_gives_threshold_pace_5_16() -> None:
    """That VDOT's threshold (T) pace is 5:16 /km within 3 s."""
    vdot = daniels.vdot_from_race(5000, 25 * 60)
    assert 1000 / daniels.threshold_speed(vdot) == pytest.approx(316, abs=3)


def test_vdot_50_matches_daniels_table() -> None:
    """VDOT 50 gives Daniels' table paces: M 4:31, T 4:15, I 3:55 per km (within 3 s)."""
    paces = {p.code: 1000 / p.pace_mps for p in daniels.training_paces(50.0)}
    assert paces["M"] == pytest.approx(271, abs=3)
    assert paces["T"] == pytest.approx(255, abs=3)
    assert paces["I"] == pytest.approx(235, abs=3)


def test_training_paces_get_faster_from_e_to_r() -> None:
    """E, M, T, I, R are in order of speed and each single pace lies in its range."""
    paces = daniels.training_paces(45.0)
    assert [p.code for p in paces] == ["E", "M", "T", "I", "R"]
    speeds = [p.pace_mps for p in paces]
    assert speeds == sorted(speeds)
    for p in paces:
        assert p.low_mps <= p.pace_mps <= p.high_mps


def test_race_prediction_reproduces_the_race() -> None:
    """Predicting the race a VDOT came from gives back its time."""
    vdot = daniels.vdot_from_race(10000, 50 * 60)
    assert daniels.race_time(vdot, 10000) == pytest.approx(3000, abs=0.5)


def test_race_predictions_for_vdot_38_3() -> None:
    """5 km 25:00 predicts a 10 km near 51:50 and a marathon near 3:58 (Daniels' table)."""
    vdot = daniels.vdot_from_race(5000, 1500)
    assert daniels.race_time(vdot, 10000) == pytest.approx(51 * 60 + 50, abs=30)
    assert daniels.race_time(vdot, 42195) == pytest.approx(3 * 3600 + 58 * 60, abs=120)


@given(st.floats(min_value=50, max_value=600))
def test_speed_for_vo2_inverts_the_oxygen_cost(v_m_per_min: float) -> None:
    """speed_for_vo2 is the inverse of vo2_cost over running speeds."""
    vo2 = daniels.vo2_cost(v_m_per_min)
    assert daniels.speed_for_vo2(vo2) * 60 == pytest.approx(v_m_per_min, rel=1e-9)


@given(st.floats(min_value=25, max_value=85))
def test_threshold_speed_and_its_inverse_agree(vdot: float) -> None:
    """vdot_from_threshold_speed undoes threshold_speed."""
    assert daniels.vdot_from_threshold_speed(daniels.threshold_speed(vdot)) == pytest.approx(vdot)


def test_friel_running_zones_for_lthr_170() -> None:
    """LTHR 170: Z1 to 144, Z2 145-152, Z3 153-161, Z4 162-169, 5a 170-175, 5b 176-180, 5c 181+."""
    got = {z.label: (z.low_bpm, z.high_bpm) for z in zones.hr_zones_lthr(170, 195)}
    assert got == {
        "1": (None, 144),
        "2": (145, 152),
        "3": (153, 161),
        "4": (162, 169),
        "5a": (170, 175),
        "5b": (176, 180),
        "5c": (181, 195),
    }


def test_friel_zones_are_the_running_table_not_cycling() -> None:
    """Z2 starts at 85 % of LTHR (cycling's Z2 starts at 81 %)."""
    assert zones.hr_zones_lthr(200)[1].low_bpm == 170


def test_percent_of_max_zones() -> None:
    """Max 190: 50-60-70-80-90-100 % gives 95-113, 114-132, 133-151, 152-170, 171-190."""
    got = [(z.low_bpm, z.high_bpm) for z in zones.hr_zones_max(190)]
    assert got == [(95, 113), (114, 132), (133, 151), (152, 170), (171, 190)]


def test_karvonen_zones() -> None:
    """Max 190, rest 50: zone n starts at 50 + p x 140 (120, 134, 148, 162, 176)."""
    got = [(z.low_bpm, z.high_bpm) for z in zones.hr_zones_hrr(190, 50)]
    assert got == [(120, 133), (134, 147), (148, 161), (162, 175), (176, 190)]


@given(st.integers(150, 220), st.integers(35, 100))
def test_hr_zones_are_contiguous(max_hr: int, resting: int) -> None:
    """Every bpm from zone 1 to max HR is in exactly one zone, in every model."""
    for zs in (
        zones.hr_zones_max(max_hr),
        zones.hr_zones_hrr(max_hr, resting),
        zones.hr_zones_lthr(max_hr - 15, max_hr),
    ):
        for a, b in itertools.pairwise(zs):
            assert a.high_bpm is not None
            assert b.low_bpm == a.high_bpm + 1
        assert zs[-1].high_bpm == max_hr


def test_pace_zones_around_threshold() -> None:
    """Friel pace zones: 5a starts at threshold, 5c at threshold pace / 0.90, Z1 ends at / 1.29."""
    t = 3.2
    pz = {z.label: z for z in zones.pace_zones(t)}
    assert pz["5a"].low_mps == pytest.approx(t)
    assert pz["5c"].low_mps == pytest.approx(t / 0.90)
    assert pz["1"].high_mps == pytest.approx(t / 1.29)
    assert pz["1"].low_mps is None
    assert pz["5c"].high_mps is None


def test_best_model_prefers_lthr_then_hrr() -> None:
    """LTHR zones when lthr is known, else HRR with a resting HR, else % of max."""
    assert zones.best_hr_model(profile(lthr=170, resting_hr=50)) == "lthr"
    assert zones.best_hr_model(profile(resting_hr=50)) == "hrr"
    assert zones.best_hr_model(profile()) == "max_hr"


def test_zones_report_is_json_with_everything() -> None:
    """The report has each model's zones, pace zones, VDOT, threshold pace and predictions."""
    vdot = daniels.vdot_from_race(5000, 1500)
    p = profile(
        lthr=170, resting_hr=50, vdot=vdot, threshold_speed_mps=daniels.threshold_speed(vdot)
    )
    report = json.loads(json.dumps(zones.zones_report(p)))
    assert report["hr_zone_model"] == "lthr"
    assert set(report["hr_zones"]) == {"max_hr", "hrr", "lthr"}
    assert report["threshold_pace"] == "5:16"
    assert report["vdot"] == pytest.approx(38.3, abs=0.1)
    assert [r["race"] for r in report["race_predictions"]] == [
        "mile",
        "5k",
        "10k",
        "half",
        "marathon",
    ]
    assert report["race_predictions"][1]["time"] == "25:00"
    assert len(report["pace_zones"]) == 7
    assert report["max_hr_estimated"] is False


def test_zones_report_without_pace_says_so() -> None:
    """With only a max HR the report has % max zones and no pace parts."""
    report = zones.zones_report(profile(notes=("max HR unknown",)))
    assert report["hr_zones"]["hrr"] is None
    assert report["hr_zones"]["lthr"] is None
    assert report["pace_zones"] is None
    assert report["race_predictions"] is None
    assert report["notes"] == ["max HR unknown"]


def test_format_pace_and_time() -> None:
    """Paces print as m:ss per km and times as m:ss or h:mm:ss."""
    assert zones.format_pace(1000 / 245) == "4:05"
    assert zones.format_time(1500) == "25:00"
    assert zones.format_time(5720) == "1:35:20"
