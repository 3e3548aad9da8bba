"""``hiitd plan simulate``: a simulated runner following the planner, as a user runs it.

Kept to one plan week per simulation (a week of sessions through the real
coach takes a second or two); the 12-week figures are in docs/simulate.md.
"""

from __future__ import annotations

import contextlib
import io
import json
from pathlib import Path
from typing import Any

import pytest

from hiitd.cli.cli_support import EX_CONFIG, EX_OK
from hiitd.cli.main import main
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.profile import profile_from_settings
from hiitd.coach.resolve import resolve_workout
from hiitd.errors import ConfigError
from hiitd.plan.ladders import plan_workout
from hiitd.plansim.persona import load_persona, persona_from_data
from hiitd.plansim.plan_run import simulate_plan, work_compliance
from hiitd.plansim.session_run import run_session
from hiitd_drivers.sim_athlete import SimulatedAthlete
from hiitd_drivers.sim_fitness import TrainingState

PERSONAS = Path(__file__).resolve().parents[2] / "config" / "personas"
RUNNER = """\
[athlete]
id = "t"
age = 40
max_hr = 180
resting_hr = 60
threshold_pace = "5:00"

[plan]
experience = "intermediate"
weekly_running_min = 60

[behaviour]
effort = 1.0
adherence = 0.4
"""
WEEK_KEYS = {
    "week",
    "run_minutes",
    "hiit_sessions",
    "strength_sessions",
    "rest_days",
    "max_acwr",
    "rung",
    "flags",
    "sessions",
}
SESSION_KEYS = {"day", "workout", "kind", "minutes", "rpe", "work_compliance"}


def persona_file(tmp_path: Path, text: str, name: str = "p.toml") -> Path:
    path = tmp_path / name
    path.write_text(text, encoding="utf-8")
    return path


@pytest.fixture(scope="module")
def cli_week(tmp_path_factory: pytest.TempPathFactory) -> tuple[int, dict[str, Any], str]:
    """One week of the test runner through the command line, seed 7 (exit code, JSON, stderr)."""
    path = persona_file(tmp_path_factory.mktemp("persona"), RUNNER)
    # A module-scoped fixture cannot take capsys.
    out, err = io.StringIO(), io.StringIO()
    with contextlib.redirect_stdout(out), contextlib.redirect_stderr(err):
        code = main(
            ["plan", "simulate", "--weeks", "1", "--persona", str(path), "--seed", "7", "--json"]
        )
    return code, json.loads(out.getvalue()), err.getvalue()


def test_json_has_the_documented_shape(cli_week: tuple[int, dict[str, Any], str]) -> None:
    """One JSON document: weeks with the documented keys, sessions with theirs."""
    code, doc, err = cli_week
    assert code == EX_OK
    assert err == ""
    assert set(doc) == {"weeks"}
    (week,) = doc["weeks"]
    assert set(week) == WEEK_KEYS
    assert week["week"] == 1
    assert week["sessions"]
    for s in week["sessions"]:
        assert set(s) == SESSION_KEYS
        assert 1 <= s["day"] <= 7
        assert isinstance(s["rpe"], int)
        assert 0 <= s["rpe"] <= 10
        assert s["minutes"] > 0
        assert s["work_compliance"] is None or 0 <= s["work_compliance"] <= 100
    days = {s["day"] for s in week["sessions"]}
    assert week["rest_days"] == 7 - len(days)
    assert week["run_minutes"] == pytest.approx(
        sum(s["minutes"] for s in week["sessions"] if s["kind"] != "circuit"), abs=0.2
    )
    assert isinstance(week["rung"], dict)
    assert isinstance(week["flags"], list)


def test_the_same_seed_gives_the_same_run(
    cli_week: tuple[int, dict[str, Any], str], tmp_path: Path
) -> None:
    """--seed 7 again gives the same document; another seed skips other sessions (adherence 0.4)."""
    persona = load_persona(persona_file(tmp_path, RUNNER))
    assert simulate_plan(persona, 1, seed=7).to_payload() == cli_week[1]
    assert simulate_plan(persona, 1, seed=8).to_payload() != cli_week[1]


def test_a_break_gives_rest_weeks(tmp_path: Path) -> None:
    """A break in week 1: nothing done, seven rest days (the plan runs, the runner does not)."""
    text = RUNNER.replace("adherence = 0.4", "breaks = [{ week = 1, weeks = 1 }]")
    (week,) = simulate_plan(load_persona(persona_file(tmp_path, text)), 1).to_payload()["weeks"]
    assert week["sessions"] == []
    assert week["rest_days"] == 7
    assert week["run_minutes"] == 0
    assert week["hiit_sessions"] == 0


def test_illness_is_reported_so_the_plan_says_no_running_then_easy_days(tmp_path: Path) -> None:
    """Ill on days 1-2: reported ill (no session), then ok on day 3: easy runs, no HIIT,
    for plan.easy_days_after_break (3) days (plan/eligibility.py; after them the load
    guard rails decide, as for anyone)."""
    text = RUNNER.replace("adherence = 0.4", "ill = [{ week = 1, days = 2 }]")
    (week,) = simulate_plan(load_persona(persona_file(tmp_path, text)), 1).to_payload()["weeks"]
    by_day = {s["day"]: s["kind"] for s in week["sessions"]}
    assert not {1, 2} & set(by_day)
    assert {by_day[d] for d in (3, 4, 5) if d in by_day} == {"easy"}
    assert by_day.get(3) == "easy", (
        "back to running the day reported ok (rest days follow the week)"
    )


def test_screening_a_stop_answer_gives_no_sessions_a_hold_answer_no_hard_ones(
    tmp_path: Path,
) -> None:
    """[plan.screening] through the simulator: chest pain, nothing at all for a week (no
    plan until cleared); a joint problem made worse by exercise, easy runs only (no HIIT,
    strides or circuit until cleared); cleared, the plan's own sessions again."""
    every = RUNNER.replace("adherence = 0.4", "adherence = 1.0")
    stop = every.replace(
        "weekly_running_min = 60", "weekly_running_min = 60\nscreening = { chest_pain = true }"
    )
    (week,) = simulate_plan(load_persona(persona_file(tmp_path, stop)), 1).to_payload()["weeks"]
    assert week["sessions"] == []
    assert week["rest_days"] == 7
    hold = every.replace(
        "weekly_running_min = 60",
        "weekly_running_min = 60\nscreening = { bone_joint_problem = true }",
    )
    (week,) = simulate_plan(load_persona(persona_file(tmp_path, hold)), 1).to_payload()["weeks"]
    assert week["sessions"]
    assert {s["kind"] for s in week["sessions"]} == {"easy"}
    cleared = hold.replace("screening = {", "cleared = true\nscreening = {")
    (week,) = simulate_plan(load_persona(persona_file(tmp_path, cleared)), 1).to_payload()["weeks"]
    assert {s["kind"] for s in week["sessions"]} - {"easy"}, "cleared: quality sessions again"


def test_effort_below_the_target_lowers_work_compliance(tmp_path: Path) -> None:
    """The same interval session through the real coach: 85 % effort scores far less in target."""
    persona = load_persona(persona_file(tmp_path, RUNNER))
    profile = profile_from_settings(persona.athlete)
    workout = resolve_workout(plan_workout("plan-intervals-4"), profile)
    morning = TrainingState.start(persona.baseline()).fitness()

    def compliance(effort: float) -> float | None:
        athlete = SimulatedAthlete(morning.athlete_model(effort), seed=3)
        run = run_session(
            workout, profile, CoachConfig(), athlete, start_wall=1.7e9, session_prefix="t"
        )
        assert run.summary is not None
        assert run.summary.completed
        return work_compliance(run.summary)

    slow, on = compliance(0.85), compliance(1.0)
    assert slow is not None
    assert on is not None
    assert on >= 70
    assert slow < on - 30


def test_the_example_personas_are_valid() -> None:
    """The four shipped personas parse and describe a runner the simulation can start from."""
    names = sorted(p.stem for p in PERSONAS.glob("*.toml"))
    assert names == [
        "older-runner-62",
        "returning-runner",
        "sedentary-beginner",
        "trained-runner",
    ]
    for name in names:
        persona = load_persona(PERSONAS / f"{name}.toml")
        assert TrainingState.start(persona.baseline()).fitness().threshold_speed_mps > 1.5


@pytest.mark.parametrize(
    ("text", "named"),
    [
        (RUNNER + "effrot = 0.9\n", "behaviour.effrot: unknown key"),
        (RUNNER.replace("effort = 1.0", "effort = 3"), "behaviour.effort"),
        (RUNNER.replace("adherence = 0.4", "adherence = 1.5"), "behaviour.adherence"),
        (RUNNER + "ill = [{ week = 2 }]\n", "behaviour.ill.0.days"),
        (
            RUNNER.replace('threshold_pace = "5:00"', 'threshold_pace = "fast"'),
            "athlete.threshold_pace",
        ),
        (RUNNER.replace("[plan]", "[plan]\nmax_hiit_per_week = -1"), "plan.max_hiit_per_week"),
        (RUNNER + "[weather]\nhot = true\n", "weather: unknown key"),
    ],
)
def test_a_bad_persona_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str], text: str, named: str
) -> None:
    """A bad key or value: exit 78 and a message naming it, no traceback."""
    path = persona_file(tmp_path, text)
    code = main(["plan", "simulate", "--weeks", "1", "--persona", str(path)])
    captured = capsys.readouterr()
    assert code == EX_CONFIG
    assert captured.out == ""
    assert named in captured.err
    assert str(path) in captured.err
    assert "Traceback" not in captured.err


def test_a_persona_needs_a_pace_and_a_max_hr_or_age() -> None:
    with pytest.raises(ConfigError, match=r"threshold_pace or athlete\.race"):
        persona_from_data({"athlete": {"age": 40}}, "persona x")
    with pytest.raises(ConfigError, match=r"max_hr or athlete\.age"):
        persona_from_data({"athlete": {"threshold_pace": "5:00"}}, "persona x")


def test_an_unreadable_persona_is_one_clear_error(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    for path in (tmp_path / "missing.toml", persona_file(tmp_path, "[athlete\n", "bad.toml")):
        code = main(["plan", "simulate", "--weeks", "1", "--persona", str(path)])
        err = capsys.readouterr().err
        assert code == EX_CONFIG
        assert f"cannot read persona {path}" in err
