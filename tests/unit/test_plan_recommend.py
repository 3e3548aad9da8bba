"""recommend_next on synthetic histories: each rule of the weekly plan (issue 17)."""

from __future__ import annotations

import dataclasses
import itertools
from datetime import timedelta

import pytest
from plan_rig import CFG, MON1, checkins, easy, follow, hiit, routine, wall, weekly_minutes

from hiitd.plan import Kind, PlanConfig, recommend_next
from hiitd.plan.ladders import LADDERS, easy_minutes, entry_step, rung_workout
from hiitd.plan.recommend import training_weekdays
from hiitd.plan.week_plan import planned_minutes, week_budget
from hiitd.workouts.library import foot_contacts

WEEK5 = MON1 + timedelta(days=28)  # the Monday after four weeks of routine
MID = PlanConfig(experience="intermediate", weekly_running_min=120.0)


def _easy_minutes(workout: str | None) -> int:
    assert workout is not None
    assert workout.startswith("plan-easy-")
    return int(workout.rsplit("-", 1)[1])


# ---------------------------------------------------------------------- rungs


def test_two_compliant_sessions_move_up_one_rung() -> None:
    """Intervals at step 1 twice in target with RPE 6: Monday's HIIT is intervals step 2."""
    rec = recommend_next(routine(4), [], CFG, WEEK5)
    assert (rec.kind, rec.workout, rec.step) == (Kind.INTERVALS, "plan-intervals-2", 2)
    assert any("up one step" in w for w in rec.why)
    assert rec.flags == []


def test_rpe_8_holds_and_unrated_sessions_hold_and_say_so() -> None:
    """RPE above 7 does not progress; without a rating the plan asks for one."""
    history = routine(4)
    last = max(i for i, e in enumerate(history) if e.protocol == "intervals")
    history[last] = dataclasses.replace(history[last], rpe=8)
    assert recommend_next(history, [], CFG, WEEK5).step == 1
    rec = recommend_next(routine(4, rpe=None), [], CFG, WEEK5)
    assert rec.step == 1
    assert any("rate your sessions" in w for w in rec.why)


def test_one_too_hard_session_holds_two_step_back() -> None:
    """RPE 9 once at step 3: hold, saying so; twice: one step back."""
    history = routine(4, step=3)
    intervals = [i for i, e in enumerate(history) if e.protocol == "intervals"]
    once = list(history)
    once[intervals[-1]] = dataclasses.replace(once[intervals[-1]], rpe=9)
    rec = recommend_next(once, [], CFG, WEEK5)
    assert rec.step == 3
    assert any("too hard" in w for w in rec.why)
    twice = list(once)
    twice[intervals[-2]] = dataclasses.replace(twice[intervals[-2]], rpe=9)
    rec = recommend_next(twice, [], CFG, WEEK5)
    assert rec.step == 2
    assert any("one step back" in w for w in rec.why)


def test_missed_targets_twice_step_back() -> None:
    """Two intervals sessions under 60 % in target at step 3 give step 2."""
    rec = recommend_next(routine(4, step=3, pct=40.0), [], CFG, WEEK5)
    assert (rec.kind, rec.step) == (Kind.INTERVALS, 2)
    assert "failing_targets" in {f.code for f in rec.flags}


def test_a_deload_week_keeps_the_rung_and_cuts_the_volume() -> None:
    """Week 4 is a deload: the same rung, 75 % of the week's running time; week 5 goes on."""
    week4 = MON1 + timedelta(days=21)
    rec = recommend_next(routine(3, step=2), [], CFG, week4)
    assert rec.deload
    assert rec.step == 2  # hills: one session at step 2, no deload step down
    assert rec.week is not None
    # 100 min the week before: + 10 % = 110, x 0.75
    assert rec.week["target_min"] == pytest.approx(82.5)
    assert not recommend_next(routine(4, step=2), [], CFG, WEEK5).deload
    after = recommend_next(routine(4, step=2), [], CFG, WEEK5)
    assert after.step == 3  # the deload week's sessions count; nothing was lost
    assert after.week is not None
    assert after.week["target_min"] == pytest.approx(110.0)  # growth from before the deload


# ----------------------------------------------------------- intensity steps


def test_plyometric_volume_grows_gradually_along_the_strength_ladder() -> None:
    """Strength without jumps first; then foot contacts grow by one round (<= 60) a rung, and
    start lower again when the exercises get harder (jumps and bounds, then one leg)."""
    ladder = LADDERS[Kind.CIRCUIT]
    contacts = [foot_contacts(rung_workout(Kind.CIRCUIT, n)) for n in range(1, len(ladder) + 1)]
    assert contacts[:2] == [0, 0]
    assert contacts == [0, 0, 40, 80, 120, 56, 112, 56, 112]
    for n, (a, b) in enumerate(itertools.pairwise(contacts)):
        same_workout = ladder[n].workout == ladder[n + 1].workout
        assert b - a <= 60 if same_workout else b <= a or a == 0
    assert not ladder[0].workout.startswith("plyo")


def test_entry_rungs_are_never_maximal_and_older_runners_start_lower() -> None:
    """No ladder's entry is sprints, bounds or Tabata; from 50 the entry is one level lower."""
    maximal = {"hill-sprints", "plyo-core-circuit", "tabata"}
    for kind, ladder in LADDERS.items():
        for exp in ("none", "beginner", "intermediate", "advanced"):
            for older in (False, True):
                r = ladder[entry_step(kind, exp, older=older) - 1]
                assert r.entry
                assert r.workout not in maximal
                assert r.level != "advanced"
    assert entry_step(Kind.INTERVALS, "advanced", older=True) == entry_step(
        Kind.INTERVALS, "intermediate"
    )
    assert entry_step(Kind.INTERVALS, "intermediate", older=True) == 1
    rec = recommend_next([], [], MID, MON1, age=55)
    assert rec.kind is Kind.HILLS
    assert rec.step == 1
    assert any("from age 50" in w for w in rec.why)


def test_a_non_runner_runs_walks_then_runs_continuously_before_strides_and_hiit() -> None:
    """experience none: run/walk (never the day after one), continuous runs, strides, HIIT."""
    cfg = PlanConfig(experience="none", weekly_running_min=0)
    recs, history = follow(cfg, 16)
    kinds = [r.kind for r in recs]
    assert kinds[0] is Kind.BASE
    first = {k: kinds.index(k) for k in set(kinds)}
    assert first[Kind.BASE] < first[Kind.EASY]
    assert Kind.STRIDES in first, "no strides in 16 weeks: the continuous runs never grew"
    assert first[Kind.EASY] < first[Kind.STRIDES]
    long_runs = [
        e for e in history[: first[Kind.STRIDES]] if e.protocol is None and e.minutes >= 20
    ]
    assert len(long_runs) >= 2
    for k in (Kind.INTERVALS, Kind.HILLS):
        if k in first:
            assert first[Kind.STRIDES] < first[k]
    for day, rec in enumerate(recs[1:], 1):
        if recs[day - 1].kind is Kind.BASE:
            assert rec.kind is Kind.REST  # never a run the day after a run/walk
    assert all(k is not Kind.EASY for k in kinds[: first[Kind.EASY]])


def test_a_beginner_does_strides_before_intervals() -> None:
    """A beginner (runs, no intervals yet) starts with strides; HIIT after two of them."""
    rec = recommend_next([], [], CFG, MON1)
    assert rec.kind is Kind.STRIDES
    assert any("strides before intervals" in w for w in rec.why)


# ----------------------------------------------------------------- HIIT caps


def test_one_hiit_a_week_in_the_first_four_weeks_of_hiit() -> None:
    """Monday HIIT, Wednesday easy: Friday's quality slot is strides, not a second HIIT."""
    history = [hiit(MON1, Kind.HILLS, 1), easy(MON1 + timedelta(days=2), 40)]
    rec = recommend_next(history, [], MID, MON1 + timedelta(days=4))
    assert rec.kind is Kind.STRIDES
    assert "at most 1 this week" in rec.why[0]


def test_an_advanced_runner_has_had_the_first_weeks_of_hiit_already() -> None:
    """experience advanced (regular interval training): Friday's slot is a second HIIT."""
    history = [hiit(MON1, Kind.HILLS, 1), easy(MON1 + timedelta(days=2), 40)]
    advanced = MID.model_copy(update={"experience": "advanced"})
    rec = recommend_next(history, [], advanced, MON1 + timedelta(days=4))
    assert rec.kind in {Kind.HILLS, Kind.INTERVALS}


def test_two_hiit_a_week_after_four_weeks_strides_and_circuit_not_counted() -> None:
    """After four weeks of HIIT, Monday HIIT and Wednesday strides leave Friday's HIIT."""
    history = routine(4, step=2)
    history += [
        hiit(WEEK5, Kind.INTERVALS, 3),
        hiit(WEEK5 + timedelta(days=2), Kind.STRIDES, 1),
    ]
    rec = recommend_next(history, [], MID, WEEK5 + timedelta(days=4))
    assert rec.kind in {Kind.HILLS, Kind.INTERVALS}
    third = [*history, hiit(WEEK5 + timedelta(days=4), Kind.HILLS, 2)]
    cfg = MID.model_copy(update={"days_per_week": 6})  # a sixth day: still no third HIIT
    rec = recommend_next(third, [], cfg, WEEK5 + timedelta(days=6))
    assert rec.kind not in {Kind.HILLS, Kind.INTERVALS}


def test_hiit_48_hours_apart_and_72_from_age_50() -> None:
    """A HIIT on Saturday evening: Monday's quality slot is HIIT at 40, not at 55."""
    history = [*routine(4, step=2), hiit(MON1 + timedelta(days=33), Kind.HILLS, 2)]
    monday = MON1 + timedelta(days=35)
    now = wall(monday, 19.0)
    young = recommend_next(history, [], MID, monday, now, age=40)
    assert young.kind in {Kind.HILLS, Kind.INTERVALS}
    old = recommend_next(history, [], MID, monday, now, age=55)
    assert old.kind not in {Kind.HILLS, Kind.INTERVALS}
    assert any("at least 72 h apart" in w for w in old.why)
    assert old.hiit_not_before == wall(MON1 + timedelta(days=33)) + 70 * 3600  # 2 h grace


def test_hiit_spacing_counts_days_not_minutes() -> None:
    """Monday's HIIT started at 18:05; Wednesday at 18:00 is 48 h apart (two days), not 47.9."""
    history = [*routine(5, step=2)]
    last = hiit(MON1 + timedelta(days=35), Kind.HILLS, 2)
    history.append(dataclasses.replace(last, start_wall=last.start_wall + 300))
    wednesday = MON1 + timedelta(days=37)
    rec = recommend_next(history, [], MID, wednesday, wall(wednesday), age=40)
    assert not any("h apart" in w for w in rec.why), rec.why


# --------------------------------------------------------------- the week


def test_a_60_minute_beginner_is_never_given_more_than_the_week_allows() -> None:
    """The issue's beginner (60 min a week): weeks of 66-120 min, not 216, 180, 182, 181."""
    cfg = PlanConfig(weekly_running_min=60)
    recs, history = follow(cfg, 8)
    weeks = weekly_minutes(history, 8)
    assert weeks[0] <= 70.5  # 60 + 10
    before = [60.0] * 4
    for w in weeks:
        prev = before[-1]
        deload_base = before[-2] if len(before) >= 2 else prev
        assert w <= max(prev, deload_base) + max(0.1 * max(prev, deload_base), 10) + 0.5
        assert w <= max(1.3 * sum(before[-4:]) / 4, cfg.min_weekly_run_min) + 0.5
        before.append(w)
    easy_runs = [_easy_minutes(r.workout) for r in recs if r.kind is Kind.EASY]
    assert easy_runs
    assert max(easy_runs) <= 45


def test_days_per_week_sets_the_training_days_and_rest_follows_a_run() -> None:
    """3 days: three sessions a calendar week, never two runs on consecutive days."""
    _, history = follow(MID, 4)
    days = sorted({e.day for e in history})
    for w in range(4):
        monday = MON1 + timedelta(days=7 * w)
        assert sum(1 for d in days if monday <= d < monday + timedelta(days=7)) <= 3
    assert all((b - a).days >= 2 for a, b in itertools.pairwise(days))


def test_the_same_training_days_every_week_and_a_non_runners_volume_grows() -> None:
    """3 days are Monday, Wednesday and Friday every week (the rolling 7 days then hold
    what the calendar week holds), and a non-runner's weekly running time keeps growing:
    it once stalled at 20-35 min for 16 weeks."""
    cfg = PlanConfig(experience="none", weekly_running_min=0)
    _, history = follow(cfg, 16)
    assert training_weekdays(3) == (0, 2, 4)
    full = 0
    for w in range(16):
        monday = MON1 + timedelta(days=7 * w)
        days = {e.day.weekday() for e in history if monday <= e.day < monday + timedelta(7)}
        assert days <= {0, 2, 4}, (w + 1, sorted(days))
        full += days == {0, 2, 4}
    assert full >= 14  # a deload week may leave a day out (its time spent)
    weeks = weekly_minutes(history, 16)
    assert weeks[14] >= 1.5 * weeks[4], weeks  # weeks 15 and 5 (neither a deload week)


def test_a_first_session_is_today_whatever_the_weekday() -> None:
    thursday = MON1 + timedelta(days=3)
    assert recommend_next([], [], MID, thursday).workout is not None


def test_a_day_left_out_is_not_made_up_and_the_pattern_holds() -> None:
    """Monday run, Wednesday missed: not Thursday, nor the weekend (a make-up day moved the
    pattern on, week after week), Friday as planned, and Monday next."""
    history = [easy(MON1, 30)]
    for offset in (3, 5, 6):
        held = recommend_next(history, [], MID, MON1 + timedelta(days=offset))
        assert held.kind is Kind.REST
        assert "a day left out is not made up" in held.why[0]
    assert recommend_next(history, [], MID, MON1 + timedelta(days=4)).workout is not None
    assert recommend_next(history, [], MID, MON1 + timedelta(days=7)).workout is not None
    assert training_weekdays(2) == (0, 3)


def test_the_first_session_after_a_pause_is_today_then_a_rest_day() -> None:
    """Eight days without a run: Tuesday is a training day, and Wednesday (a planned day)
    rests after it."""
    history = [easy(MON1 - timedelta(days=7), 30)]
    tuesday = MON1 + timedelta(days=1)
    rec = recommend_next(history, [], MID, tuesday)
    assert rec.workout is not None
    history.append(easy(tuesday, 30))
    after = recommend_next(history, [], MID, tuesday + timedelta(days=1))
    assert after.kind is Kind.REST
    assert "the first after a pause" in after.why[0]


def test_the_last_training_day_keeps_no_time_for_a_day_that_will_not_come() -> None:
    """Monday HIIT, Wednesday left out: Friday is the week's last training day, so its easy
    run is not cut to 10 minutes to keep 35 for a quality slot after it (there is none)."""
    week6 = MON1 + timedelta(days=35)
    history = [*routine(5, easy_min=10), hiit(week6, Kind.HILLS, 1)]
    friday = recommend_next(history, [], MID, week6 + timedelta(days=4))
    assert friday.kind is Kind.EASY
    assert _easy_minutes(friday.workout) >= 25, friday.why


def test_easy_runs_are_whole_minutes_under_30_and_5_minute_steps_above() -> None:
    """A new runner's 12 minutes are 20 % more than 10: rounding them to 5 stalled growth."""
    assert [easy_minutes(m) for m in (10.0, 12.7, 29.99, 33.0, 61.0)] == [10, 12, 29, 30, 60]


# -------------------------------------------------------------- red flags


def test_red_hrv_flag_gives_a_shorter_easy_run_never_more() -> None:
    """7-day lnRMSSD 3.7 against 4.0 +- 0.1: not Monday's HIIT but a shorter easy run."""
    ins = checkins(40, WEEK5, last_n=7, last_ln=3.7)
    planned = recommend_next(routine(4), [], CFG, WEEK5)
    rec = recommend_next(routine(4), ins, CFG, WEEK5)
    assert rec.kind is Kind.EASY
    assert [f.code for f in rec.flags] == ["hrv_low"]
    assert "shorter" in rec.why[0]
    assert planned.step is not None
    assert _easy_minutes(rec.workout) < planned_minutes(Kind.INTERVALS, planned.step)


def test_raised_resting_hr_and_low_hrv_give_rest() -> None:
    """Resting HR 7 bpm up two mornings plus low HRV looks like illness: a rest day."""
    both = checkins(40, WEEK5, last_n=7, last_rhr=57.0, last_ln=3.7)
    rec = recommend_next(routine(4), both, CFG, WEEK5)
    assert rec.kind is Kind.REST
    assert rec.workout is None
    assert rec.why[0].startswith("rest day")


def test_a_load_spike_never_adds_load() -> None:
    """Two extra 90-minute runs on the weekend: Monday is rest or a short easy run."""
    history = [
        *routine(4),
        easy(MON1 + timedelta(days=26), 90, rpe=5),
        easy(MON1 + timedelta(days=27), 90, rpe=5),
    ]
    rec = recommend_next(history, [], CFG, WEEK5)
    assert "acwr_red" in {f.code for f in rec.flags}
    assert rec.kind in {Kind.EASY, Kind.REST}
    if rec.kind is Kind.EASY:
        assert _easy_minutes(rec.workout) <= 30


# ------------------------------------------------------------ after breaks


def test_ten_days_off_one_rung_back_and_75_percent() -> None:
    """16 days without running after weeks at step 3: intervals step 2, 75 min (of 100)."""
    history = routine(5, step=3)
    monday = MON1 + timedelta(days=49)
    rec = recommend_next(history, [], MID, monday)
    assert (rec.kind, rec.step) == (Kind.HILLS, 2)  # week 5's Monday was intervals
    assert any("days without running" in w for w in rec.why)
    assert rec.week is not None
    assert rec.week["restart_min"] == pytest.approx(75.0)
    assert rec.week["target_min"] == pytest.approx(75.0)


def test_four_weeks_off_two_rungs_back_and_half() -> None:
    """30 days without running: two rungs back, 50 min (half of 100)."""
    history = routine(5, step=3)
    monday = MON1 + timedelta(days=63)
    rec = recommend_next(history, [], MID, monday)
    assert rec.week is not None
    assert rec.week["restart_min"] == pytest.approx(50.0)
    assert (rec.kind, rec.step) == (Kind.HILLS, 1)


def test_the_restart_counts_the_four_weeks_before_a_quiet_last_week() -> None:
    """A quiet last week (its Monday and Friday missed) before 18 days off after 100-minute
    weeks: the restart is 75 % of the four weeks' mean (92.5 min), not of the last 7 days'
    70; the weeks back grow by the weekly rule towards it, though the four weeks' mean
    holds the break's empty days."""
    missed = {MON1 + timedelta(days=28), MON1 + timedelta(days=32)}
    history = [e for e in routine(5, step=3) if e.day not in missed]
    monday = MON1 + timedelta(days=49)
    rec = recommend_next(history, [], MID, monday)
    assert rec.week is not None
    assert rec.week["restart_min"] == pytest.approx(0.75 * 92.5, abs=0.1)
    back = [*history, easy(monday, 30), easy(monday + timedelta(days=2), 30)]
    back.append(easy(monday + timedelta(days=4), 20))  # 80 min in the first week back
    later = recommend_next(back, [], MID, monday + timedelta(days=7))
    assert later.week is not None
    assert later.week["target_min"] == pytest.approx(90.0, abs=0.1)  # 80 + 10, under 92.5
    assert any("back from 18 days off" in w for w in later.why), later.why


def test_one_hiit_a_week_in_the_first_two_weeks_back_from_a_break() -> None:
    """Five weeks of two HIIT a week, 16 days off, back on Monday with HIIT: Friday's
    quality slot is not a second one (it is again from the third week back)."""
    back = MON1 + timedelta(days=49)
    history = [*routine(5, step=3), hiit(back, Kind.HILLS, 2), easy(back + timedelta(2), 20)]
    friday = recommend_next(history, [], MID, back + timedelta(days=4))
    assert friday.kind not in {Kind.HILLS, Kind.INTERVALS}
    assert any("at most 1 this week" in w for w in friday.why), friday.why


def test_a_new_user_trips_no_guard_rail_in_the_first_weeks() -> None:
    """The questionnaire seed and the first weeks agree: no red flag in four weeks."""
    for cfg in (CFG, MID, PlanConfig(experience="none", weekly_running_min=0)):
        recs, _ = follow(cfg, 4)
        assert not [f.code for r in recs for f in r.flags if f.severity == "red"], cfg


def test_a_deload_never_cuts_below_the_starting_volume() -> None:
    """A new runner's deload week keeps the always-allowed 30 min; a bigger week is cut."""
    new = PlanConfig(experience="none", weekly_running_min=0.0)
    small = [easy(MON1 + timedelta(days=d), 5) for d in (0, 2, 4)]
    monday = MON1 + timedelta(days=7)
    plain = week_budget(small, new, monday, deload=False)
    cut = week_budget(small, new, monday, deload=True)
    assert plain.target == pytest.approx(new.min_weekly_run_min)
    assert cut.target == pytest.approx(new.min_weekly_run_min)
    big = [easy(MON1 + timedelta(days=d), 40) for d in (0, 2, 4)]
    full = week_budget(big, CFG, monday, deload=False)
    lighter = week_budget(big, CFG, monday, deload=True)
    assert full.target * CFG.deload_volume > CFG.min_weekly_run_min
    assert lighter.target == pytest.approx(full.target * CFG.deload_volume)


def test_a_new_runners_first_strides_session_is_short() -> None:
    """The first strides rungs start after 10 min of easy running (about 21 min in all)."""
    first = rung_workout(Kind.STRIDES, 1)
    timed = sum(p.step.duration.value or 0.0 for p in first.expand()) / 60.0
    assert 20 <= timed <= 22
    assert LADDERS[Kind.STRIDES][0].level == "beginner"
