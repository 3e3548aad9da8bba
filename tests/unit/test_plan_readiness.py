"""Readiness baselines and the session trend markers, on synthetic values."""

from __future__ import annotations

import statistics
from datetime import timedelta

import pytest
from plan_rig import CFG, MON1, checkins, wall

from hiitd.plan import SessionEntry, readiness
from hiitd.plan.readiness import trend_flags

TODAY = MON1 + timedelta(days=40)


def test_hrv_baseline_is_the_window_mean_and_sd() -> None:
    """40 check-ins of 3.9/4.1: baseline 4.0, sample SD, 7-day mean 4.0, green."""
    r = readiness(checkins(40, TODAY), CFG, TODAY)
    lns = [4.0 + 0.1 * (1 if i % 2 else -1) for i in range(40)]
    assert r.ln_rmssd_baseline == pytest.approx(4.0)
    assert r.ln_rmssd_sd == pytest.approx(statistics.stdev(lns))
    assert r.status == "green"


def test_too_few_checkins_give_no_flag() -> None:
    """Five low check-ins cannot make a baseline: status unknown, no flag."""
    r = readiness(checkins(5, TODAY, ln=3.0), CFG, TODAY)
    assert r.status == "unknown"
    assert r.flags == ()


def run(
    i: int, *, ef: float | None = None, pace: float | None = None, hrr: float | None = None
) -> SessionEntry:
    day = MON1 + timedelta(days=3 * i)
    return SessionEntry(day, wall(day), 40, ef=ef, pace_s_per_km=pace, hrr60_bpm=hrr)


def test_falling_ef_at_similar_pace_is_amber() -> None:
    """EF 1.50 at 5:30/km after 1.70 at 5:25-5:35: down 12 %, an amber ef_falling flag."""
    history = [run(0, ef=1.7, pace=325), run(1, ef=1.7, pace=335), run(2, ef=1.5, pace=330)]
    [flag] = trend_flags(history, CFG, MON1 + timedelta(days=7))
    assert flag.code == "ef_falling"
    assert "down 12 %" in flag.text
    faster = [run(0, ef=1.7, pace=280), run(1, ef=1.7, pace=285), run(2, ef=1.5, pace=330)]
    assert trend_flags(faster, CFG, MON1 + timedelta(days=7)) == []  # not the same pace


def test_slower_hrr60_is_amber() -> None:
    """HRR60 30 bpm after three sessions at 38: a drop of 8 bpm flags hrr60_slower."""
    history = [run(i, hrr=38) for i in range(3)] + [run(3, hrr=30), run(4, hrr=30)]
    assert [f.code for f in trend_flags(history, CFG, MON1 + timedelta(days=14))] == [
        "hrr60_slower"
    ]
