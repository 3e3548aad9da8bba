"""Screening, age, beta blockers and reported health: the planner's gate (plan/eligibility.py)."""

from __future__ import annotations

from datetime import timedelta
from typing import TYPE_CHECKING

import pytest
from plan_rig import CFG, MON1, steady, wall

from hiitd.errors import ConfigError
from hiitd.plan import Kind, PlanConfig, recommend_next
from hiitd.plan.eligibility import (
    BETA_BLOCKER_REASON,
    HealthState,
    HealthStatus,
    evaluate,
)
from hiitd.settings import load_settings

if TYPE_CHECKING:
    from pathlib import Path

STOP = ("chest_pain", "fainting", "heart_condition")
HOLD = ("blood_pressure_medication", "bone_joint_problem", "pregnant", "doctor_advised_against")
NOW = wall(MON1 + timedelta(days=28), 7.0)
TODAY = MON1 + timedelta(days=28)
HISTORY = steady(4)  # two HIIT a week: the next pick is a HIIT session


def _gate(cfg: PlanConfig = CFG, *, age: int | None = 35, beta: bool = False, health=None):  # type: ignore[no-untyped-def]
    return evaluate(cfg, age=age, beta_blockers=beta, health=health or HealthState(), now_wall=NOW)


def _screened(**answers: bool) -> PlanConfig:
    return CFG.model_copy(update={"screening": CFG.screening.model_copy(update=answers)})


def _next(gate):  # type: ignore[no-untyped-def]
    return recommend_next(HISTORY, [], CFG, TODAY, NOW, gate=gate)


def test_nothing_said_nothing_held() -> None:
    gate = _gate()
    assert (gate.plan_allowed, gate.hiit_allowed, gate.reasons, gate.notes) == (
        True,
        True,
        (),
        (),
    )
    assert gate.min_hours_between_hiit == 48
    assert _next(gate) == recommend_next(HISTORY, [], CFG, TODAY, NOW)
    assert _next(gate).kind in {Kind.INTERVALS, Kind.HILLS, Kind.STRIDES, Kind.CIRCUIT}


@pytest.mark.parametrize("answer", STOP)
def test_a_stop_answer_means_no_plan_at_all(answer: str) -> None:
    gate = _gate(_screened(**{answer: True}))
    assert not gate.plan_allowed
    rec = _next(gate)
    assert (rec.workout, rec.kind) == (None, Kind.NO_PLAN)  # not "rest": nothing is planned
    assert rec.why[0].startswith("no training plan until a doctor clears you")
    assert "plan.cleared" in rec.why[0]
    assert rec.description is not None
    assert rec.description.startswith("no training plan")


@pytest.mark.parametrize("answer", HOLD)
def test_another_yes_means_no_hiit(answer: str) -> None:
    gate = _gate(_screened(**{answer: True}))
    assert gate.plan_allowed
    assert not gate.hiit_allowed
    rec = _next(gate)
    assert rec.kind is Kind.EASY
    assert rec.workout is not None
    # An easy run of about the HIIT session's length, within the week's time left.
    minutes = int(rec.workout.removeprefix("plan-easy-"))
    assert rec.week is not None
    assert 10 <= minutes <= min(35, rec.week["left_min"])
    assert rec.why[0].startswith("easy run instead: no high-intensity sessions until a doctor")


@pytest.mark.parametrize("answer", STOP + HOLD)
def test_cleared_lifts_every_answer_and_says_so(answer: str) -> None:
    cfg = _screened(**{answer: True}).model_copy(update={"cleared": True})
    gate = _gate(cfg)
    assert gate.plan_allowed
    assert gate.hiit_allowed
    assert not gate.reasons
    assert any("cleared by a doctor" in n for n in gate.notes)
    assert any("cleared by a doctor" in w for w in _next(gate).why)


def test_age_unknown_under_18_and_from_50() -> None:
    unknown = _gate(age=None)
    assert unknown.age_unknown
    assert unknown.hiit_allowed
    assert unknown.min_hours_between_hiit == 72
    assert any("age unknown: conservative defaults" in w for w in _next(unknown).why)
    young = _gate(age=16)
    assert young.plan_allowed
    assert not young.hiit_allowed
    rec = _next(young)
    assert rec.kind is Kind.EASY
    assert "under 18" in rec.why[0]
    older = _gate(age=50)
    assert older.hiit_allowed
    assert older.min_hours_between_hiit == 72
    assert _gate(age=49).min_hours_between_hiit == 48
    assert not _gate(age=18).age_unknown
    assert _gate(age=18).hiit_allowed


def test_beta_blockers_keep_the_plan_and_say_why() -> None:
    gate = _gate(beta=True)
    assert gate.plan_allowed
    assert gate.hiit_allowed
    assert not gate.hr_coaching
    assert any(BETA_BLOCKER_REASON in w for w in _next(gate).why)


def test_ill_or_injured_no_running_then_easy_days_after_ok() -> None:
    day = 86400.0
    ill = HealthState().reported(HealthStatus.ILL, NOW - 2 * day, "flu")
    gate = _gate(health=ill)
    assert not gate.plan_allowed
    rec = _next(gate)
    assert rec.workout is None
    assert "reported ill since" in rec.why[0]
    assert "no running until you report ok" in rec.why[0]
    back = ill.reported(HealthStatus.OK, NOW - 1 * day)
    gate = _gate(health=back)
    assert gate.plan_allowed
    assert not gate.hiit_allowed
    assert gate.hiit_not_before == pytest.approx(NOW + 2 * day)
    rec = _next(gate)
    assert rec.kind is Kind.EASY
    assert "back from being ill" in rec.why[0]
    assert rec.hiit_not_before == pytest.approx(NOW + 2 * day)
    well = ill.reported(HealthStatus.OK, NOW - 3 * day)
    assert _gate(health=well).hiit_allowed
    injured = HealthState().reported(HealthStatus.INJURED, NOW - day)
    assert "reported injured" in _gate(health=injured).reasons[0]
    # "ok" without an illness before it holds nothing back
    assert _gate(health=HealthState().reported(HealthStatus.OK, NOW)).hiit_allowed


def test_health_since_is_the_start_of_the_current_status() -> None:
    s = HealthState().reported(HealthStatus.ILL, 10.0).reported(HealthStatus.ILL, 20.0, "worse")
    assert (s.status, s.since, s.to_payload()["note"]) == (HealthStatus.ILL, 10.0, "worse")
    assert HealthState().since is None
    assert HealthState().status is HealthStatus.OK


@pytest.mark.parametrize(
    ("toml", "key"),
    [
        ('[plan.screening]\nchest_pain = "no"\n', "plan.screening.chest_pain"),
        ("[plan.screening]\npregnant = 1\n", "plan.screening.pregnant"),
        ("[plan.screening]\nchestpain = true\n", "plan.screening.chestpain"),
        ('[plan]\ncleared = "yes"\n', "plan.cleared"),
        ('[athlete]\nbeta_blockers = "yes"\n', "athlete.beta_blockers"),
    ],
)
def test_bad_screening_values_name_the_key(tmp_path: Path, toml: str, key: str) -> None:
    f = tmp_path / "hiitd.toml"
    f.write_text(toml, encoding="utf-8")
    with pytest.raises(ConfigError, match=key.replace(".", r"\.")):
        load_settings(f)


def test_screening_from_a_file(tmp_path: Path) -> None:
    f = tmp_path / "hiitd.toml"
    f.write_text(
        "[athlete]\nbeta_blockers = true\n[plan]\ncleared = true\neasy_days_after_break = 5\n"
        "[plan.screening]\npregnant = true\n",
        encoding="utf-8",
    )
    s = load_settings(f)
    assert s.athlete.beta_blockers
    assert s.plan.cleared
    assert s.plan.screening.pregnant
    assert s.plan.easy_days_after_break == 5


def test_the_age_spacing_is_72_h_from_50_or_with_no_age() -> None:
    """From 50, or with no age, the planner is given 72 h between HIIT sessions (48 h else).

    The planner's own spacing by age is tested in test_plan_recommend; the gate only
    raises the setting (the larger wins), so an unknown age is spaced as an older one.
    """
    assert _gate(age=35).spaced(CFG).min_hours_between_hiit == 48
    assert _gate(age=55).spaced(CFG).min_hours_between_hiit == 72
    assert _gate(age=None).spaced(CFG).min_hours_between_hiit == 72
    wider = CFG.model_copy(update={"min_hours_between_hiit": 96.0})
    assert _gate(age=55).spaced(wider).min_hours_between_hiit == 96
