"""The load model against numbers worked out by hand."""

from __future__ import annotations

import math
from datetime import date, timedelta

import pytest

from hiitd.plan import PlanConfig, SessionEntry, load_days
from hiitd.plan.daily_load import monotony, session_load

NO_SEED = PlanConfig(weekly_running_min=0.0)
D = date(2024, 3, 4)


def run(day: date, rpe: int | None, minutes: float, hrss: float | None = None) -> SessionEntry:
    return SessionEntry(day=day, start_wall=0.0, minutes=minutes, rpe=rpe, hrss=hrss)


def test_session_load_is_rpe_times_minutes_else_converted_hrss() -> None:
    """Session-RPE x minutes when rated; HRSS x 4.2 AU otherwise; None with neither."""
    assert session_load(run(D, 5, 60), NO_SEED) == 300
    assert session_load(run(D, None, 60, hrss=50), NO_SEED) == pytest.approx(210)
    assert session_load(run(D, None, 60), NO_SEED) is None


def test_ctl_atl_and_ratio_after_one_session_from_zero() -> None:
    """300 AU from zero: CTL 300/42, ATL 300/7, ratio 6; a rest day on, 6 x (6/7)/(41/42)."""
    days = load_days([run(D, 5, 60)], NO_SEED, D + timedelta(days=1))
    today, after = days[-2], days[-1]
    assert today.ctl == pytest.approx(300 / 42)
    assert today.atl == pytest.approx(300 / 7)
    assert today.acwr == pytest.approx(6.0)
    assert after.ctl == pytest.approx(300 / 42 * 41 / 42)
    assert after.atl == pytest.approx(300 / 7 * 6 / 7)
    assert after.acwr == pytest.approx(6 * 36 / 41)  # 5.268


def test_seed_from_the_questionnaire_stands_in_before_the_first_session() -> None:
    """70 min a week at RPE 3 seeds 30 AU a day: CTL = ATL = 30 until today, which is empty."""
    days = load_days([], PlanConfig(weekly_running_min=70.0), D)
    before, today = days[-2], days[-1]
    assert before.seeded
    assert (before.ctl, before.atl, before.acwr) == pytest.approx((30.0, 30.0, 1.0))
    assert before.week_load == pytest.approx(210.0)
    assert not today.seeded
    assert today.ctl == pytest.approx(30 * 41 / 42)
    assert today.atl == pytest.approx(30 * 6 / 7)
    assert today.acwr == pytest.approx(36 / 41)


def test_monotony_and_strain_of_three_sessions_in_a_week() -> None:
    """Loads 100,0,100,0,100,0,0: mean 300/7, sample SD sqrt(17142.86/6) = 53.45, monotony 0.802."""
    week = [100.0, 0, 100, 0, 100, 0, 0]
    mean = 300 / 7
    sd = math.sqrt((3 * (100 - mean) ** 2 + 4 * mean**2) / 6)
    assert monotony(week) == pytest.approx(mean / sd)
    assert monotony(week) == pytest.approx(0.8018, abs=1e-4)
    history = [run(D + timedelta(days=i), 5, 20) for i in (0, 2, 4)]
    last = load_days(history, NO_SEED, D + timedelta(days=6))[-1]
    assert last.week_load == 300
    assert last.monotony == pytest.approx(0.8018, abs=1e-4)
    assert last.strain == pytest.approx(300 * 0.8018, abs=0.05)


def test_monotony_of_a_flat_week_is_none() -> None:
    """The same load every day has no SD: monotony is not a number (None), not infinity."""
    assert monotony([50.0] * 7) is None


def test_week_and_two_week_change() -> None:
    """200 AU a week, then 300: +50 % on the week and on two weeks ago."""
    history = [run(D + timedelta(days=7 * w), 5, 40) for w in range(2)]
    history.append(run(D + timedelta(days=14), 5, 60))
    last = load_days(history, NO_SEED, D + timedelta(days=14))[-1]
    assert last.week_load == 300
    assert last.week_change == pytest.approx(0.5)
    assert last.two_week_change == pytest.approx(0.5)
