"""The weekly plan's rules, shown on the example personas with the simulator (issue 17).

One module-scoped run per persona, kept short (a simulated week costs a second
or two) and run in parallel: the returning runner for 6 weeks with its two-week
break moved from weeks 6-7 to weeks 3-4, the others for 4 (the beginner 3), and
an over-reaching runner (effort 0.85, RPE 9) for 4.
"""

from __future__ import annotations

import itertools
from concurrent.futures import ProcessPoolExecutor
from pathlib import Path

import pytest

from hiitd.plan.plan_values import Kind
from hiitd.plan.recommend import HIIT_KINDS
from hiitd.plansim.persona import Persona, load_persona, persona_from_data
from hiitd.plansim.plan_run import SimResult, simulate_plan

PERSONAS = Path(__file__).resolve().parents[2] / "config" / "personas"
WEEKS = {
    "returning-runner": 6,
    "sedentary-beginner": 3,
    "older-runner-62": 4,
    "trained-runner": 4,
}
BREAK_WEEK = 3
OVERREACHER = {
    "athlete": {"id": "o", "age": 35, "max_hr": 185, "resting_hr": 58, "threshold_pace": "5:00"},
    "plan": {"experience": "intermediate", "weekly_running_min": 120},
    "behaviour": {"effort": 0.85, "rpe": 9},
}
# Moving time differs a little from the planned minutes the budget counts
# (a step ends on the second, a warm-up is a touch longer): this much is slack.
SLACK = 1.05


def _simulate(job: tuple[Persona, int]) -> SimResult:
    persona, weeks = job
    return simulate_plan(persona, weeks, seed=1)


@pytest.fixture(scope="module")
def runs() -> dict[str, tuple[Persona, SimResult]]:
    """Each persona's simulation, in parallel processes (each is independent and CPU-bound)."""
    jobs = {name: (load_persona(PERSONAS / f"{name}.toml"), w) for name, w in WEEKS.items()}
    returning = jobs["returning-runner"][0]
    (brk,) = returning.behaviour.breaks
    moved = returning.behaviour.model_copy(
        update={"breaks": [brk.model_copy(update={"week": BREAK_WEEK})]}
    )
    jobs["returning-runner"] = (returning.model_copy(update={"behaviour": moved}), 6)
    jobs["overreacher"] = (persona_from_data(OVERREACHER, "overreacher"), 4)
    with ProcessPoolExecutor(max_workers=len(jobs)) as pool:
        results = dict(zip(jobs, pool.map(_simulate, jobs.values()), strict=True))
    return {name: (jobs[name][0], results[name]) for name in jobs}


def _deload(week: int, persona: Persona) -> bool:
    n = persona.plan.deload_every_weeks
    return week % n == 0


@pytest.mark.parametrize("name", [*WEEKS, "overreacher"])
def test_weekly_running_time_grows_at_most_10_percent_or_10_minutes(
    runs: dict[str, tuple[Persona, SimResult]], name: str
) -> None:
    """Each week <= the week before + max(10 %, 10 min) and <= 1.3 x the four weeks' mean
    (the questionnaire's minutes before the first week; after a lowered week, a deload or
    one with fewer training days than planned, growth counts from the week before it;
    never under the starting volume; a break's restart aside)."""
    persona, result = runs[name]
    cfg = persona.plan
    minutes = [w.run_minutes for w in result.weeks]
    days = [len({s.day for s in w.sessions}) for w in result.weeks]
    before = [cfg.weekly_running_min] * 4
    restart_weeks: set[int] = set()
    for b in persona.behaviour.breaks:
        restart_weeks |= set(range(b.week + b.weeks, b.week + b.weeks + 4))
    for week, m in enumerate(minutes, 1):
        prev = before[-1]
        short = week > 1 and days[week - 2] < cfg.days_per_week
        if _deload(week - 1, persona) or short:
            prev = max(prev, before[-2])
        growth = prev + max(cfg.max_weekly_increase * prev, cfg.max_weekly_increase_min)
        mean4 = sum(before[-4:]) / 4
        limit = max(min(growth, cfg.max_four_week_ratio * mean4), cfg.min_weekly_run_min)
        if week not in restart_weeks:
            assert m <= limit * SLACK + 1, (name, week, minutes)
        before.append(m)


@pytest.mark.parametrize("name", [*WEEKS, "overreacher"])
def test_hiit_caps_and_spacing(runs: dict[str, tuple[Persona, SimResult]], name: str) -> None:
    """One HIIT a week in the first four weeks of HIIT, two after; 48 h apart, 72 h from 50."""
    persona, result = runs[name]
    sessions = [s for w in result.weeks for s in w.sessions if s.kind in HIIT_KINDS]
    if not sessions:
        return
    first = sessions[0].day
    for s in sessions:
        window = [x for x in sessions if s.day - 7 < x.day <= s.day]
        advanced = persona.plan.experience == "advanced"  # has had the first weeks of HIIT
        cap = 1 if s.day - first < 28 and not advanced else persona.plan.max_hiit_per_week
        assert len(window) <= cap, (name, s.day, [x.day for x in window])
    older = (persona.athlete.age or 0) >= persona.plan.older_age
    least_days = 3 if older else 2  # sessions all start at 07:00
    for a, b in itertools.pairwise(sessions):
        assert b.day - a.day >= least_days, (name, a.day, b.day)
    for w in result.weeks:
        assert w.hiit_sessions <= persona.plan.max_hiit_per_week


def test_strides_and_circuit_are_not_counted_as_hiit(
    runs: dict[str, tuple[Persona, SimResult]],
) -> None:
    """The week's HIIT count is its interval and hill sessions only."""
    for _, result in runs.values():
        for w in result.weeks:
            assert w.hiit_sessions == sum(
                1 for s in w.sessions if s.kind in {Kind.INTERVALS, Kind.HILLS}
            )


def test_the_non_runner_runs_walks_first(runs: dict[str, tuple[Persona, SimResult]]) -> None:
    """Sam (experience none): run/walk only at first, no HIIT, never a run the day after."""
    _, result = runs["sedentary-beginner"]
    sessions = [s for w in result.weeks for s in w.sessions]
    assert sessions[0].kind is Kind.BASE
    assert all(s.kind not in HIIT_KINDS for s in sessions)
    for a, b in itertools.pairwise(sessions):
        if a.kind is Kind.BASE:
            assert b.day - a.day >= 2


def test_after_the_break_a_rung_back_and_a_lighter_week(
    runs: dict[str, tuple[Persona, SimResult]],
) -> None:
    """Alex's two weeks off (here weeks 3-4): the week back is at most 80 % of the weeks
    before, and the first interval session after it one rung below the last one before."""
    _, result = runs["returning-runner"]
    minutes = [w.run_minutes for w in result.weeks]
    assert minutes[2] == minutes[3] == 0
    assert 0 < minutes[4] <= 0.8 * max(minutes[0], minutes[1]) + 1
    before = [
        s.entry.step
        for w in result.weeks[:2]
        for s in w.sessions
        if s.entry is not None and s.entry.protocol == "intervals"
    ]
    after = [
        s.entry.step
        for w in result.weeks[4:]
        for s in w.sessions
        if s.entry is not None and s.entry.protocol == "intervals"
    ]
    assert before
    assert after
    assert after[0] == max(1, (before[-1] or 1) - 1)


def test_an_over_reaching_runner_never_climbs_a_rung(
    runs: dict[str, tuple[Persona, SimResult]],
) -> None:
    """Effort 0.85 and RPE 9 after every hard session: no ladder goes up."""
    _, result = runs["overreacher"]
    steps: dict[str, list[int]] = {}
    for w in result.weeks:
        for s in w.sessions:
            e = s.entry
            if e is not None and e.protocol is not None and e.step is not None and e.hiit:
                steps.setdefault(e.protocol, []).append(e.step)
    assert steps
    for ladder in steps.values():
        assert all(b <= a for a, b in itertools.pairwise(ladder)), steps


def test_the_weeks_after_a_break_still_hold_a_hiit_session() -> None:
    """Alex back from his two weeks off (weeks 6-7): the restart weeks are smaller, and
    the HIIT session due is one that fits them (the other kind, or the rung below),
    not a 10-minute easy run in its place; one a week in the first two weeks back."""
    persona = load_persona(PERSONAS / "returning-runner.toml")
    result = simulate_plan(persona, 11, seed=1)
    assert [w.run_minutes for w in result.weeks[5:7]] == [0, 0]
    hiit = [w.hiit_sessions for w in result.weeks[7:11]]
    assert hiit[:2] == [1, 1], hiit  # weeks 8-9: the first two weeks back
    assert all(1 <= n <= persona.plan.max_hiit_per_week for n in hiit[2:]), hiit
