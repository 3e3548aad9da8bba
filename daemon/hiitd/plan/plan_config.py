"""The plan's guard rails and the new user's questionnaire: ``[plan]`` in the settings file.

Every number the planner decides with lives here with the reason for its
default, so a coach can loosen or tighten a
rail without touching code. The sources of the defaults are in the module that
uses each one (``load``, ``readiness``, ``recommend``).
"""

from __future__ import annotations

from typing import Annotated, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, model_validator

Experience = Literal["none", "beginner", "intermediate", "advanced"]


def _yes_no(value: object) -> object:
    # A health answer is a TOML boolean; "true"/"false" only because the environment
    # (HIITD_PLAN__CLEARED=true) has no other kind. "no", "0", 1 are errors, never a guess.
    if isinstance(value, str) and value.strip().lower() in {"true", "false"}:
        return value.strip().lower() == "true"
    if not isinstance(value, bool):
        raise ValueError(f"must be true or false, got {value!r:.40}")  # noqa: TRY004 - pydantic
    return value


Answer = Annotated[bool, BeforeValidator(_yes_no)]
"""A yes/no health answer: a boolean, or the text true/false from the environment."""


class Screening(BaseModel):
    """The health questionnaire (PAR-Q+ style): ``[plan.screening]``, every answer yes or no.

    Booleans only: ``"no"`` or ``0`` is an error naming the key, never read as an answer.
    What each answer does is in plan/eligibility.py (docs/training.md, Screening and health).
    """

    model_config = ConfigDict(frozen=True, extra="forbid")

    chest_pain: Answer = Field(
        False, description="Chest pain at rest, in daily activities or when exercising."
    )
    fainting: Answer = Field(
        False, description="Fainting, or dizziness with loss of balance, in the last 12 months."
    )
    heart_condition: Answer = Field(False, description="A heart condition a doctor has diagnosed.")
    blood_pressure_medication: Answer = Field(
        False, description="Medication for blood pressure or a heart condition."
    )
    bone_joint_problem: Answer = Field(
        False, description="A bone, joint or soft-tissue problem that exercise makes worse."
    )
    pregnant: Answer = Field(False, description="Pregnant now.")
    doctor_advised_against: Answer = Field(
        False, description="A doctor has advised against vigorous exercise."
    )


class PlanConfig(BaseModel):
    """How the planner progresses, holds back and rotates sessions."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # ----------------------------------------------------------- questionnaire
    experience: Experience = Field(
        "beginner",
        description=(
            "Running experience: none (start with run/walk), beginner (runs, no intervals yet), "
            "intermediate (has done interval sessions), advanced (regular interval training)."
        ),
    )
    weekly_running_min: float = Field(
        60.0,
        ge=0,
        le=2000,
        description=(
            "Minutes of running a week before hiitd: seeds the load averages (acute and chronic "
            "EWMA, CTL, ATL) so a new user's first sessions do not read as a load spike. Under 60 "
            "means run/walk first."
        ),
    )

    # ------------------------------------------------------------------ health
    screening: Screening = Field(default_factory=Screening)
    cleared: Answer = Field(
        False,
        description=(
            "A doctor has cleared you for vigorous exercise: lifts what a yes in "
            "[plan.screening] holds back."
        ),
    )
    easy_days_after_break: int = Field(
        3,
        ge=0,
        le=28,
        description=(
            "Days of easy running after you report ok from illness or injury (hiitd health ok) "
            "before any HIIT."
        ),
    )

    # -------------------------------------------------------------- the week
    days_per_week: int = Field(
        3, ge=2, le=7, description="Training days a week (runs and the strength circuit)."
    )
    max_weekly_increase: float = Field(
        0.10,
        ge=0,
        le=1,
        description="Weekly running time (rolling 7 days) grows at most this fraction, or "
        "max_weekly_increase_min, whichever is larger, over the 7 days before.",
    )
    max_weekly_increase_min: float = Field(
        10.0, ge=0, le=60, description="...or at most this many minutes, whichever is larger."
    )
    max_four_week_ratio: float = Field(
        1.3,
        ge=1,
        le=2,
        description="Weekly running time never above this x the mean of the four weeks before.",
    )
    min_weekly_run_min: float = Field(
        30.0,
        ge=0,
        le=120,
        description="Weekly running time always allowed (a non-runner's first weeks start here).",
    )
    deload_volume: float = Field(
        0.75, ge=0.5, le=0.9, description="A deload week's running time, fraction of its budget."
    )
    easy_run_min: int = Field(
        60, ge=10, le=120, description="The longest easy run; shorter when the budget is smaller."
    )
    continuous_run_min: float = Field(
        20.0,
        ge=10,
        le=40,
        description="A new runner runs this long continuously, twice, before strides and HIIT.",
    )

    # ------------------------------------------------------------------- HIIT
    max_hiit_per_week: int = Field(2, ge=0, le=7, description="HIIT sessions in any 7 days.")
    first_hiit_weeks: int = Field(
        4, ge=0, le=12, description="Weeks from the first HIIT session with at most one a week."
    )
    min_hours_between_hiit: float = Field(48.0, ge=0, le=168)
    older_age: int = Field(
        50, ge=18, le=100, description="From this age: more hours between HIIT, lower entry."
    )
    min_hours_between_hiit_older: float = Field(72.0, ge=0, le=168)
    max_two_week_increase: float = Field(
        0.30, ge=0, le=3, description="Red flag: load (AU) up more than this over two weeks."
    )
    acwr_low: float = Field(
        0.8, gt=0, le=2, description="Below this the ratio reads as detraining (no flag)."
    )
    acwr_high: float = Field(1.3, gt=0, le=3, description="Above this: hold, do not progress.")
    acwr_red: float = Field(1.5, gt=0, le=5, description="Above this: red flag, easy or rest.")
    monotony_red: float = Field(2.0, gt=0, le=10, description="Foster's monotony red flag.")
    deload_every_weeks: int = Field(4, ge=3, le=4, description="Every 3rd or 4th week is lighter.")

    # ------------------------------------------------------------- progression
    compliant_pct: float = Field(
        60.0, gt=50, le=100, description="'Most of the time in target': this % of scored time."
    )
    max_rpe_to_progress: int = Field(7, ge=0, le=10)
    too_hard_rpe: int = Field(
        9, ge=1, le=10, description="A session rated this or higher was too hard: hold."
    )
    sessions_to_progress: int = Field(2, ge=1, le=5)

    # --------------------------------------------------------- after a break
    break_days: int = Field(
        10, ge=5, le=27, description="This many days without running: one rung back."
    )
    break_restart: float = Field(
        0.75, ge=0.5, le=1, description="...and restart at this fraction of the weekly volume."
    )
    long_break_days: int = Field(
        28, ge=14, le=120, description="This many days without running: two rungs back..."
    )
    long_break_restart: float = Field(
        0.5, ge=0.3, le=1, description="...and restart at this fraction of the weekly volume."
    )

    # --------------------------------------------------------------- readiness
    baseline_days: int = Field(60, ge=14, le=365, description="Readiness baseline window.")
    min_baseline_checkins: int = Field(
        10, ge=3, le=100, description="No readiness flag before this many check-ins."
    )
    lnrmssd_sd_factor: float = Field(
        0.5, gt=0, le=3, description="7-day lnRMSSD below baseline minus this many SDs: flag."
    )
    resting_hr_rise_bpm: float = Field(5.0, gt=0, le=30)
    resting_hr_days: int = Field(2, ge=2, le=3, description="Consecutive days of raised HR.")

    # ------------------------------------------------------------------- load
    srpe_per_hrss: float = Field(
        4.2,
        gt=0,
        le=20,
        description=(
            "Session-RPE units per HRSS point, for sessions without an RPE: one hour at "
            "threshold is 100 HRSS and about RPE 7 x 60 min = 420 AU."
        ),
    )
    easy_rpe: float = Field(
        3.0,
        ge=0,
        le=10,
        description="RPE assumed for the seed's easy runs, and for an unrated run without HRSS "
        "or a known workout.",
    )

    @model_validator(mode="after")
    def _check_order(self) -> PlanConfig:
        if not self.acwr_low < self.acwr_high <= self.acwr_red:
            raise ValueError("need acwr_low < acwr_high <= acwr_red")
        if not self.break_days < self.long_break_days:
            raise ValueError("need break_days < long_break_days")
        return self
