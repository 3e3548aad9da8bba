"""recommend_next on synthetic histories: the issue's "Shown by" cases."""

from __future__ import annotations

import dataclasses
from datetime import timedelta

from plan_rig import CFG, MON1, checkins, easy, hiit, steady, wall

from hiitd.plan import Kind, PlanConfig, recommend_next
from hiitd.plan.ladders import LADDERS

WEEK5 = MON1 + timedelta(days=28)  # the Monday after four steady weeks


def test_steady_beginner_progresses_one_step_after_two_compliant_sessions() -> None:
    """Two compliant intervals sessions at step 1 with RPE 6 give intervals step 2."""
    rec = recommend_next(steady(4), [], CFG, WEEK5)
    assert rec.kind is Kind.INTERVALS
    assert (rec.workout, rec.step, rec.level) == ("plan-intervals-2", 2, "beginner")
    assert any("up one step" in w for w in rec.why)
    assert rec.flags == []


def test_no_progression_when_one_of_the_two_sessions_was_too_hard() -> None:
    """RPE 8 in the last intervals session keeps the runner on step 1."""
    history = steady(4)
    last_intervals = max(i for i, e in enumerate(history) if e.protocol == "intervals")
    history[last_intervals] = dataclasses.replace(history[last_intervals], rpe=8)
    rec = recommend_next(history, [], CFG, WEEK5)
    assert (rec.kind, rec.step) == (Kind.INTERVALS, 1)
    assert any("staying at step 1" in w for w in rec.why)


def test_unrated_sessions_do_not_progress_and_say_so() -> None:
    """Without an RPE the plan cannot tell the session was not too hard: it asks for one."""
    rec = recommend_next(steady(4, rpe=None, minutes=30), [], CFG, WEEK5)
    assert rec.step == 1
    assert any("rate your sessions" in w for w in rec.why)


def test_missed_targets_twice_steps_back() -> None:
    """Two intervals sessions under 60 % in target at step 3 give step 2, with the flag."""
    rec = recommend_next(steady(4, step=3, pct=40.0), [], CFG, WEEK5)
    assert (rec.kind, rec.step) == (Kind.INTERVALS, 2)
    assert any("one step back" in w for w in rec.why)
    assert "failing_targets" in {f.code for f in rec.flags}


def test_jump_in_load_turns_the_next_hiit_into_an_easy_run_with_the_reason() -> None:
    """Two long runs on top of a steady week: load up >30 % over two weeks -> easy run.

    Williams' ratio (acute/chronic EWMA) caught the spike as it happened: 2.17 on
    the Saturday of the second 450 AU run, red. By Monday two rest days have
    taken the acute EWMA down to 0.75^2 of its peak's excess: 1.40, amber. The
    two-week jump is what turns Monday's HIIT into an easy run.
    """
    history = steady(4)
    history += [easy(MON1 + timedelta(days=25), 90, rpe=5), easy(MON1 + timedelta(days=26), 90, 5)]
    saturday = recommend_next(history, [], CFG, MON1 + timedelta(days=26))
    assert saturday.kind is Kind.EASY
    assert saturday.why[0] == (
        "easy run instead: acute:chronic load ratio 2.17 is above 1.5: load spike"
    )
    rec = recommend_next(history, [], CFG, WEEK5)
    assert rec.kind is Kind.EASY
    assert rec.workout == "plan-easy-30"
    assert {"load_jump", "acwr_high"} <= {f.code for f in rec.flags}
    assert rec.why[0] == "easy run instead: load up 200 % over two weeks (hard stop above 30 %)"
    assert "acute:chronic load ratio 1.40 is above 1.3: hold the level" in rec.why
    # Step 2 was earned, but a flag holds it: the next intervals session stays on step 1.
    assert any("next intervals session: plan-intervals-1" in w for w in rec.why)
    assert any("held at step 1" in w for w in rec.why)


def test_red_hrv_flag_downgrades_the_next_session() -> None:
    """7-day lnRMSSD 3.7 against a 4.0 +- 0.1 baseline: red flag, easy run, reason first."""
    ins = checkins(40, WEEK5, last_n=7, last_ln=3.7)
    rec = recommend_next(steady(4), ins, CFG, WEEK5)
    assert rec.kind is Kind.EASY
    assert [f.code for f in rec.flags] == ["hrv_low"]
    assert "lnRMSSD" in rec.why[0]


def test_raised_resting_hr_two_days_and_low_hrv_give_rest() -> None:
    """Resting HR 6 bpm up two mornings plus low HRV looks like illness: a rest day."""
    ins = checkins(40, WEEK5, last_n=2, last_rhr=57.0)
    only_hr = recommend_next(steady(4), ins, CFG, WEEK5)
    assert only_hr.kind is Kind.EASY
    assert [f.code for f in only_hr.flags] == ["resting_hr_high"]
    both = checkins(40, WEEK5, last_n=7, last_rhr=57.0, last_ln=3.7)
    rec = recommend_next(steady(4), both, CFG, WEEK5)
    assert rec.kind is Kind.REST
    assert rec.workout is None
    assert rec.why[0].startswith("rest day")


def test_one_raised_morning_is_not_a_flag() -> None:
    """A single high resting HR is noise: no flag, the planned session stands."""
    ins = checkins(40, WEEK5, last_n=1, last_rhr=60.0)
    rec = recommend_next(steady(4), ins, CFG, WEEK5)
    assert rec.kind is Kind.INTERVALS
    assert rec.flags == []


def test_two_hiit_sessions_this_week_give_an_easy_run() -> None:
    """Monday and Thursday HIIT, asked on Sunday: the cap of 2 in 7 days -> easy run."""
    sunday = MON1 + timedelta(days=20)
    history = steady(3)
    rec = recommend_next(history, [], CFG, sunday)
    assert rec.kind is Kind.EASY
    assert rec.why[0] == "easy run instead: 2 HIIT sessions in the last 7 days (at most 2)"
    assert rec.hiit_not_before == wall(MON1 + timedelta(days=14)) + 7 * 86400


def test_hiit_48_hours_apart() -> None:
    """A HIIT yesterday evening: easy run today, the next HIIT 48 h after it."""
    history = [hiit(MON1, Kind.INTERVALS, 1)]
    now = wall(MON1 + timedelta(days=1), 9.0)
    rec = recommend_next(history, [], CFG, MON1 + timedelta(days=1), now_wall=now)
    assert rec.kind is Kind.EASY
    assert "15 h ago" in rec.why[0]
    assert rec.hiit_not_before == wall(MON1) + 48 * 3600


def test_deload_arrives_on_schedule() -> None:
    """Week 4 of a plan is a deload (one step down); weeks 3 and 5 are not."""
    week3 = recommend_next(steady(2, step=3), [], CFG, MON1 + timedelta(days=14))
    week4 = recommend_next(steady(3, step=3), [], CFG, MON1 + timedelta(days=27))
    week5 = recommend_next(steady(4, step=3), [], CFG, WEEK5)
    assert not week3.deload
    assert not week5.deload
    assert (week3.step, week5.step) == (3, 4)  # week 5: two compliant at 3, up one
    assert week4.deload
    assert (week4.kind, week4.step) == (Kind.STRIDES, 2)
    assert any(w.startswith("deload week") for w in week4.why)


def test_deload_week_allows_one_hiit() -> None:
    """In the deload week one HIIT in the last 7 days already gives an easy run."""
    history = [*steady(3), hiit(MON1 + timedelta(days=21), Kind.STRIDES, 1)]
    rec = recommend_next(history, [], CFG, MON1 + timedelta(days=24))
    assert rec.deload
    assert rec.kind is Kind.EASY
    assert rec.why[0] == "easy run instead: 1 HIIT sessions in the last 7 days (at most 1)"


def test_deload_every_third_week_when_set() -> None:
    """deload_every_weeks = 3 makes week 3 the deload."""
    cfg = PlanConfig(weekly_running_min=120.0, deload_every_weeks=3)
    assert recommend_next(steady(2), [], cfg, MON1 + timedelta(days=14)).deload


def test_new_user_gets_a_beginner_entry_point_not_tabata() -> None:
    """An empty history: run/walk for a non-runner, the first rung for a beginner, never Tabata."""
    today = MON1
    none = recommend_next([], [], PlanConfig(experience="none"), today)
    assert (none.kind, none.workout, none.level) == (Kind.BASE, "plan-base-1", "beginner")
    beginner = recommend_next([], [], CFG, today)
    assert (beginner.workout, beginner.level) == ("plan-intervals-1", "beginner")
    for level in ("beginner", "intermediate", "advanced"):
        cfg = PlanConfig(experience=level, weekly_running_min=200.0)
        rec = recommend_next([], [], cfg, today)
        assert rec.description is not None
        assert "tabata" not in rec.description
        assert rec.level != "advanced"


def test_variety_rotates_the_kinds() -> None:
    """After intervals and hills, strides come next, then the circuit."""
    history = [hiit(MON1, Kind.INTERVALS, 1), hiit(MON1 + timedelta(days=3), Kind.HILLS, 1)]
    rec = recommend_next(history, [], CFG, MON1 + timedelta(days=7))
    assert rec.kind is Kind.STRIDES
    history.append(hiit(MON1 + timedelta(days=7), Kind.STRIDES, 1))
    rec = recommend_next(history, [], CFG, MON1 + timedelta(days=10))
    assert rec.kind is Kind.CIRCUIT


def test_top_of_the_ladder_stays_there() -> None:
    """Compliant sessions at the last rung do not go past it."""
    top = len(LADDERS[Kind.INTERVALS])
    history = [hiit(MON1 + timedelta(days=3 * i), Kind.INTERVALS, top) for i in range(2)]
    cfg = PlanConfig(experience="advanced", weekly_running_min=200.0)
    rec = recommend_next(history, [], cfg, MON1 + timedelta(days=30))
    assert rec.kind is Kind.HILLS  # rotation moved on
    assert LADDERS[Kind.INTERVALS][top - 1].workout == "tabata"
