"""The load model against numbers worked out by hand."""

from __future__ import annotations

import dataclasses
import math
from datetime import date, timedelta

import pytest

from hiitd.plan import Kind, PlanConfig, SessionEntry, load_days, recommend_next
from hiitd.plan.daily_load import LEAD_IN_DAYS, monotony, session_load
from hiitd.plan.intensity import FREE_RUN_RPE

NO_SEED = PlanConfig(weekly_running_min=0.0)
D = date(2024, 3, 4)


def run(day: date, rpe: int | None, minutes: float, hrss: float | None = None) -> SessionEntry:
    return SessionEntry(day=day, start_wall=0.0, minutes=minutes, rpe=rpe, hrss=hrss)


def test_session_load_is_rpe_times_minutes_else_converted_hrss_else_estimated() -> None:
    """Session-RPE x minutes when rated; HRSS x 4.2 AU otherwise; else an estimated RPE x minutes.

    RPE wins over HRSS, which wins over the estimate; with neither, a session with no
    known workout counts as an easy run (RPE 3), never as 0.
    """
    rated = dataclasses.replace(run(D, 5, 60, hrss=50), rpe_estimate=8.0)
    assert session_load(rated, NO_SEED) == 300
    assert rated.load_source == "rpe"
    measured = dataclasses.replace(run(D, None, 60, hrss=50), rpe_estimate=8.0)
    assert session_load(measured, NO_SEED) == pytest.approx(210)
    assert measured.load_source == "hrss"
    planned = dataclasses.replace(run(D, None, 60), rpe_estimate=4.5)
    assert session_load(planned, NO_SEED) == pytest.approx(270)
    assert planned.load_source == "estimated"
    free = run(D, None, 60)
    assert FREE_RUN_RPE == 3.0
    assert session_load(free, NO_SEED) == pytest.approx(180)
    assert free.load_source == "estimated"
    assert session_load(free, PlanConfig(easy_rpe=4.0)) == pytest.approx(240)  # the same knob


def test_a_day_says_how_much_of_its_load_was_estimated() -> None:
    """A rated 40 min at RPE 5 and an unrated 30 min estimated at RPE 4: 320 AU, 120 estimated."""
    history = [run(D, 5, 40), dataclasses.replace(run(D, None, 30), rpe_estimate=4.0)]
    before, day = load_days(history, PlanConfig(), D)[-2:]
    assert (day.load, day.estimated_load) == pytest.approx((320.0, 120.0))
    assert day.to_payload()["estimated_load"] == 120.0
    assert before.seeded
    assert before.estimated_load == 0  # the seed is said by "seeded", not counted here


def test_ctl_atl_and_ratio_after_one_session_from_zero() -> None:
    """300 AU from zero: CTL 300/42, ATL 300/7 (1/N); Williams: acute 300/4, chronic 300 x 2/29.

    The ratio is 0.25 / (2/29) = 3.625 that day; a rest day on, the acute EWMA
    keeps 3/4 and the chronic 27/29: 3.625 x 0.75 x 29/27 = 2.920.
    """
    days = load_days([run(D, 5, 60)], NO_SEED, D + timedelta(days=1))
    today, after = days[-2], days[-1]
    assert today.ctl == pytest.approx(300 / 42)
    assert today.atl == pytest.approx(300 / 7)
    assert today.acute_ewma == pytest.approx(300 * 2 / 8)
    assert today.chronic_ewma == pytest.approx(300 * 2 / 29)
    assert today.acwr == pytest.approx(3.625)
    assert after.ctl == pytest.approx(300 / 42 * 41 / 42)
    assert after.atl == pytest.approx(300 / 7 * 6 / 7)
    assert after.acute_ewma == pytest.approx(75 * 0.75)
    assert after.chronic_ewma == pytest.approx(300 * 2 / 29 * 27 / 29)
    assert after.acwr == pytest.approx(3.625 * 0.75 * 29 / 27)  # 2.920


def test_ctl_and_atl_stay_the_performance_manager_figures() -> None:
    """CTL and ATL are x + (load - x) / N with N = 42 and 7 from the seed, worked by hand."""
    cfg = PlanConfig(weekly_running_min=140.0)  # seed 140 x 3 / 7 = 60 AU a day
    minutes = [45, 0, 30, 0, 0, 90, 20, 0, 60, 60, 0, 25]
    history = [run(D + timedelta(days=i), 6, m) for i, m in enumerate(minutes) if m]
    days = load_days(history, cfg, D + timedelta(days=len(minutes) - 1))
    ctl = atl = 60.0
    for m, day in zip(minutes, days[-len(minutes) :], strict=True):
        ctl += (6 * m - ctl) / 42
        atl += (6 * m - atl) / 7
        assert (day.ctl, day.atl) == pytest.approx((ctl, atl))
    # ATL / CTL is not the ratio: acwr is Williams' EWMA ratio, a different number.
    assert days[-1].acwr != pytest.approx(days[-1].atl / days[-1].ctl, rel=1e-3)


def test_seed_from_the_questionnaire_stands_in_before_the_first_session() -> None:
    """70 min a week at RPE 3 seeds 30 AU a day: every average is 30 until today, which is empty."""
    days = load_days([], PlanConfig(weekly_running_min=70.0), D)
    before, today = days[-2], days[-1]
    assert before.seeded
    seeded = (before.ctl, before.atl, before.acute_ewma, before.chronic_ewma, before.acwr)
    assert seeded == pytest.approx((30.0, 30.0, 30.0, 30.0, 1.0))
    assert before.week_load == pytest.approx(210.0)
    assert not today.seeded
    assert today.ctl == pytest.approx(30 * 41 / 42)
    assert today.atl == pytest.approx(30 * 6 / 7)
    assert today.acute_ewma == pytest.approx(30 * 0.75)
    assert today.chronic_ewma == pytest.approx(30 * 27 / 29)
    assert today.acwr == pytest.approx(0.75 * 29 / 27)


def test_the_averages_start_at_the_seed_so_the_lead_in_length_changes_nothing() -> None:
    """Every seeded day holds the seed exactly: the 28-day EWMA needs no warm-up days."""
    days = load_days([run(D, 5, 40)], PlanConfig(weekly_running_min=70.0), D)
    assert len(days) == LEAD_IN_DAYS + 1
    for d in days[:-1]:
        assert (d.ctl, d.atl, d.acute_ewma, d.chronic_ewma) == (30.0, 30.0, 30.0, 30.0)


# ----------------------------------------------------------- the test vector
# A runner in a steady routine for 12 weeks, three weeks off (21 days of zero
# load after the last routine week), then the same routine week again.

LAMBDA_A, LAMBDA_C = 2 / (7 + 1), 2 / (28 + 1)  # Williams et al. 2017, from N = 7 and 28


def _williams_by_hand(loads: list[float], start: float) -> list[float]:
    """The ratio straight from the definition: EWMA = load x lambda + (1 - lambda) x EWMA."""
    acute = chronic = start
    out = []
    for x in loads:
        acute = x * LAMBDA_A + (1 - LAMBDA_A) * acute
        chronic = x * LAMBDA_C + (1 - LAMBDA_C) * chronic
        out.append(acute / chronic)
    return out


def _atl_ctl_by_hand(loads: list[float], start: float) -> list[float]:
    """The old figure, ATL / CTL with the Performance Manager's 1/N steps."""
    atl = ctl = start
    out = []
    for x in loads:
        atl += (x - atl) / 7
        ctl += (x - ctl) / 42
        out.append(atl / ctl)
    return out


def _break_and_back(week: list[float]) -> tuple[list[SessionEntry], list[float], PlanConfig]:
    """12 routine weeks from Monday D, 21 days off, the routine week again; all at RPE 5."""
    loads = week * 12 + [0.0] * 21 + week
    history = [
        SessionEntry(day=D + timedelta(days=i), start_wall=0.0, minutes=x / 5, rpe=5)
        for i, x in enumerate(loads)
        if x
    ]
    # The questionnaire's weekly volume is that routine: 40 min x 4 at RPE 5, or an hour
    # a day at RPE 5 / 3 (the seed is weekly_running_min x easy_rpe / 7).
    cfg = PlanConfig(weekly_running_min=sum(week) / 5, easy_rpe=5.0)
    return history, loads, cfg


FOUR_A_WEEK = [
    # Monday and Friday to Sunday, 40 min at RPE 5 (200 AU) each: Williams' ratio
    # peaks at 1.949 on the Sunday back (ATL / CTL: 1.128).
    pytest.param([200.0, 0, 0, 0, 200, 200, 200], 6, 1.9489, 1.1282, id="mon-fri-sat-sun"),
    # Monday, Tuesday, Thursday, Friday: 1.925 on the Friday back (ATL / CTL 1.132).
    pytest.param([200.0, 200, 0, 200, 200, 0, 0], 4, 1.9246, 1.1317, id="mon-tue-thu-fri"),
]


@pytest.mark.parametrize(("week", "peak_day", "williams", "old"), FOUR_A_WEEK)
def test_three_weeks_off_then_a_normal_week_is_a_spike(
    week: list[float], peak_day: int, williams: float, old: float
) -> None:
    """Williams' ratio passes 1.9 in the week back and the plan turns red; ATL / CTL stays ~1.13."""
    history, loads, cfg = _break_and_back(week)
    start = sum(week) / 7  # the seed: the routine's daily mean
    back = D + timedelta(days=len(loads) - 7)  # the Monday back
    days = load_days(history, cfg, back + timedelta(days=6))[-7:]
    by_hand = _williams_by_hand(loads, start)[-7:]
    assert [d.acwr for d in days] == pytest.approx(by_hand, rel=1e-12)
    assert max(by_hand) == pytest.approx(williams, abs=1e-4)
    assert by_hand.index(max(by_hand)) == peak_day
    old_by_hand = _atl_ctl_by_hand(loads, start)[-7:]
    assert [d.atl / d.ctl for d in days] == pytest.approx(old_by_hand, rel=1e-12)
    assert max(old_by_hand) == pytest.approx(old, abs=1e-4)
    # The old figure never reached the amber band that week, let alone the red one.
    assert max(old_by_hand) < cfg.acwr_high < cfg.acwr_red < williams
    peak = days[peak_day]
    rec = recommend_next(history, [], cfg, peak.day)
    [flag] = [f for f in rec.flags if f.code == "acwr_red"]
    assert flag.value == pytest.approx(williams, abs=1e-4)
    assert rec.kind is Kind.REST  # that day's session is done; no more load on top


def test_three_weeks_off_with_equal_daily_loads_against_the_closed_form() -> None:
    """An hour a day at RPE 5 (300 AU): k days back, (1 - a^k + a^(21+k)) / (1 - c^k + c^(21+k)).

    a = 1 - 2/8 and c = 1 - 2/29 are the EWMAs' carry-overs. The peak is 1.672 on
    the fifth day back (ATL / CTL that day: 0.857); red from the third day on.
    """
    history, loads, cfg = _break_and_back([300.0] * 7)
    back = D + timedelta(days=len(loads) - 7)
    days = load_days(history, cfg, back + timedelta(days=6))[-7:]
    a, c = 1 - LAMBDA_A, 1 - LAMBDA_C
    closed = [(1 - a**k + a ** (21 + k)) / (1 - c**k + c ** (21 + k)) for k in range(1, 8)]
    assert [d.acwr for d in days] == pytest.approx(closed, rel=1e-9)
    assert max(closed) == closed[4] == pytest.approx(1.6722, abs=1e-4)
    assert days[4].atl / days[4].ctl == pytest.approx(0.8573, abs=1e-4)
    assert [d.acwr is not None and d.acwr > cfg.acwr_red for d in days] == [
        False,
        False,
        True,
        True,
        True,
        True,
        True,
    ]
    assert max(d.atl / d.ctl for d in days) < cfg.acwr_high


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
