"""A simulated runner, from a persona file: who they are, the plan's settings, how they behave.

A persona file is TOML with the settings file's ``[athlete]`` and ``[plan]``
sections, validated by the same models (``AthleteSettings``, ``PlanConfig``),
and a ``[behaviour]`` section (``Behaviour``). A bad file is one
``ConfigError`` naming the file and each bad field.
"""

from __future__ import annotations

import tomllib
from typing import TYPE_CHECKING, Annotated

from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from hiitd.coach.profile import profile_from_settings, tanaka_max_hr
from hiitd.errors import ConfigError
from hiitd.plan.plan_config import PlanConfig
from hiitd.settings import AthleteSettings, describe_validation_error
from hiitd_drivers.sim_fitness import Baseline

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.settings import Settings

# Resting HR when the persona does not say: a sedentary adult's ~70 bpm, a
# runner's lower with the training they report (questionnaire minutes).
_UNTRAINED_RESTING_HR = 72.0
_RESTING_HR_PER_WEEKLY_HOUR = 3.0
_MIN_ASSUMED_RESTING_HR = 48.0


class _Part(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class Break(_Part):
    """No training for ``weeks`` weeks from the start of plan week ``week`` (holiday, injury)."""

    week: Annotated[int, Field(ge=1, le=520)]
    weeks: Annotated[int, Field(ge=1, le=52)]


class Illness(_Part):
    """Ill for ``days`` days from the first day of plan week ``week``: no training, and it shows
    in the morning check-ins (resting HR up, HRV down)."""

    week: Annotated[int, Field(ge=1, le=520)]
    days: Annotated[int, Field(ge=1, le=28)]


class Behaviour(_Part):
    """How the simulated runner follows the plan (``[behaviour]`` in a persona file)."""

    effort: Annotated[float, Field(ge=0.5, le=1.5)] = Field(
        1.0, description="fraction of the coach's target speed the runner reaches (0.85: slower)"
    )
    rpe: Annotated[int, Field(ge=0, le=10)] | None = Field(
        None,
        description=(
            "the RPE (CR-10) this runner gives a hard (HIIT) session; without it every "
            "rating comes from the simulated physiology (effort, heart rate, duration)"
        ),
    )
    adherence: Annotated[float, Field(ge=0, le=1)] = Field(
        1.0, description="fraction of the planned sessions done (which ones: from --seed)"
    )
    breaks: list[Break] = Field(default_factory=list)
    ill: list[Illness] = Field(default_factory=list)
    heat: Annotated[float, Field(ge=0.5, le=3)] = Field(
        1.0, description="cardiovascular drift multiplier: 1 temperate, 2 hot and humid"
    )


class Persona(_Part):
    """A whole persona file."""

    athlete: AthleteSettings = Field(default_factory=AthleteSettings)
    plan: PlanConfig = Field(default_factory=PlanConfig)
    behaviour: Behaviour = Field(default_factory=Behaviour)

    @model_validator(mode="after")
    def _runnable(self) -> Persona:
        a = self.athlete
        if a.threshold_pace is None and a.race is None:
            raise ValueError(
                "athlete.threshold_pace or athlete.race is needed: the simulated runner's "
                "fitness and the plan's pace targets start from it"
            )
        if a.max_hr is None and a.age is None:
            raise ValueError("athlete.max_hr or athlete.age is needed for the simulated runner")
        return self

    def baseline(self) -> Baseline:
        """The simulated runner at the start, from the athlete's profile and questionnaire."""
        a = self.athlete
        profile = profile_from_settings(a)
        threshold = profile.threshold_speed_mps
        assert threshold is not None  # checked by _runnable: a pace or a race is set
        max_hr = a.max_hr if a.max_hr is not None else tanaka_max_hr(a.age or 40)
        weekly_h = self.plan.weekly_running_min / 60.0
        resting = (
            float(a.resting_hr)
            if a.resting_hr is not None
            else max(
                _MIN_ASSUMED_RESTING_HR,
                _UNTRAINED_RESTING_HR - _RESTING_HR_PER_WEEKLY_HOUR * weekly_h,
            )
        )
        return Baseline(
            threshold_speed_mps=threshold,
            resting_hr=resting,
            max_hr=max_hr,
            weekly_minutes=self.plan.weekly_running_min,
            age=a.age,
            heat=self.behaviour.heat,
        )


def persona_from_data(data: dict[str, object], source: str) -> Persona:
    """Validate a persona's sections; ``ConfigError`` naming ``source`` and each bad field."""
    try:
        return Persona.model_validate(data)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, source)) from exc


def persona_from_settings(settings: Settings) -> Persona:
    """The settings' athlete and plan, with the default behaviour (effort 1, every session)."""
    try:
        return Persona(athlete=settings.athlete, plan=settings.plan)
    except ValidationError as exc:
        raise ConfigError(describe_validation_error(exc, "settings [athlete]")) from exc


def load_persona(path: Path) -> Persona:
    """Read and validate a persona file."""
    try:
        data = tomllib.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, tomllib.TOMLDecodeError) as exc:
        raise ConfigError(f"cannot read persona {path}: {exc}") from exc
    return persona_from_data(data, f"persona {path}")
