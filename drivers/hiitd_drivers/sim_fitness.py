"""The simulated runner's fitness from day to day: a pure fitness-fatigue model.

``sim_athlete`` is the runner within a session; this module is what training
does to that runner over weeks. Pure and deterministic: a day's training load
goes in, the next morning's state comes out, and ``Fitness.athlete_model()``
builds the session model from it.

The model (docs/simulate.md, "The simulated runner"):

- **Load** is Banister's TRIMP from the session's heart rate
  (``SimulatedAthlete.trimp``): the *internal* load the body responds to, not
  the runner's rating, which is what the planner sees.
- **Fitness and fatigue** are exponentially weighted daily loads with time
  constants of 42 and 7 days, Banister's impulse-response model in its
  moving-average form (Banister EW, Calvert TW, Savage MV & Bach T, Aust J Sports
  Med 1975; 7: 57-61; Morton RH, Fitz-Clarke JR & Banister EW, J Appl Physiol
  1990; 69: 1171-7, time constants of ~45 and ~11-15 days). Before the plan the
  runner is in a steady state at the questionnaire's weekly minutes of easy
  running.
- **Conditioning** (0 untrained, 1 highly trained) saturates with fitness:
  1 - exp(-fitness / 40 TRIMP a day). Gains come with diminishing returns: a
  beginner going from nothing to ~3 runs a week gains several per cent of
  threshold speed in 12 weeks, a runner already at 5 hours a week almost none
  (VO2max gains of ~10-20 % in 8-12 weeks in the untrained, little in the
  trained). Threshold speed moves by up to 25 % across the whole range,
  resting heart rate by 10 bpm, resting vagal tone by 60 %.
- **Detraining** is the same model with no load: fitness decays with its
  42-day time constant, so 4 weeks off lose about half the chronic load, a
  few per cent of threshold speed in a trained runner (Mujika I & Padilla S,
  Sports Med 2000; 30: 79-87 and 145-54: VO2max down 4-14 % within 4 weeks).
- **Fatigue** shows when the 7-day load runs ahead of the 42-day one: resting
  heart rate a few bpm up, vagal tone (lnRMSSD) down, threshold a little
  down; it is what a morning check-in sees after a hard block (Plews DJ et
  al., Sports Med 2013; 43: 773-81).
- **Illness**: resting heart rate up ~10 bpm and vagal tone halved while ill,
  fading over a few days after; no training meanwhile, and fitness lost a
  little faster than by rest alone.
- **Age** lowers resting vagal tone (lnRMSSD falls by roughly 0.1 a decade in
  adults); max heart rate is fixed.

The constants are hiitd's calibration to the ranges above, not a fit to data.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, replace

from hiitd_drivers.sim_athlete import AthleteModel, banister_trimp_per_min

__all__ = ["Baseline", "Fitness", "TrainingState"]

CHRONIC_DAYS = 42.0
ACUTE_DAYS = 7.0
# What a minute of the questionnaire's easy running is worth (62 % of HR reserve).
TRIMP_PER_EASY_MIN = banister_trimp_per_min(0.62)
CONDITIONING_SCALE = 40.0  # TRIMP a day: conditioning 0.63 (~4 h of easy running a week)
THRESHOLD_GAIN = 0.25
RESTING_HR_GAIN_BPM = 10.0
TONE_GAIN = 0.6
# Fatigue is the acute load over the chronic one, less 1; small chronic loads
# count as this much, so a beginner's first run is not read as a tenfold spike.
FATIGUE_FLOOR = 10.0
FATIGUE_MAX = 1.5
# Illness: its effects at full strength, how much of it is left the day after.
ILL_RESTING_HR_BPM = 10.0
ILL_TONE = 0.5
ILL_THRESHOLD = 0.05
ILL_FADE = 0.6
ILL_DETRAINING = 0.01  # a day in bed costs 1 % of fitness beyond the missed load
# A runner told to run jogs at any pace above a brisk walk, however slow (the
# AthleteModel default of 2.2 m/s is the preferred walk-run transition on a
# treadmill): slower targets are walked.
JOG_FROM_MPS = 1.6


@dataclass(frozen=True, slots=True)
class Baseline:
    """The runner before the plan: what the persona says, which training then moves."""

    threshold_speed_mps: float
    resting_hr: float
    max_hr: int
    weekly_minutes: float  # habitual easy running before the plan
    age: int | None = None
    heat: float = 1.0  # drift multiplier: 1 temperate, 2 hot

    def __post_init__(self) -> None:
        """Reject a baseline no runner has."""
        if not 0 < self.threshold_speed_mps < 8:
            raise ValueError(f"threshold speed {self.threshold_speed_mps} m/s is not a runner's")
        if not 25 <= self.resting_hr < self.max_hr - 20:
            raise ValueError("need 25 <= resting_hr < max_hr - 20")
        if self.weekly_minutes < 0 or self.heat < 0:
            raise ValueError("weekly_minutes and heat must be >= 0")

    @property
    def habitual_trimp(self) -> float:
        """The daily load before the plan."""
        return self.weekly_minutes / 7.0 * TRIMP_PER_EASY_MIN

    @property
    def vagal_tone(self) -> float:
        """Resting vagal tone at the start: higher when trained, lower with age."""
        age_factor = 1.0 if self.age is None else max(0.5, 1.0 - 0.012 * max(0, self.age - 30))
        return (0.6 + 0.5 * conditioning(self.habitual_trimp)) * age_factor


def conditioning(chronic_trimp: float) -> float:
    """0 (untrained) to 1 (highly trained), saturating with the chronic daily load."""
    return 1.0 - math.exp(-max(0.0, chronic_trimp) / CONDITIONING_SCALE)


@dataclass(frozen=True, slots=True)
class Fitness:
    """The runner on one morning: what a session's physiology is built from."""

    threshold_speed_mps: float
    resting_hr: float
    max_hr: int
    vagal_tone: float  # 1 = the default AthleteModel's resting HRV
    conditioning: float  # 0 untrained .. 1 highly trained
    fatigue: float = 0.0  # acute over chronic load, less 1 (0 when fresh)
    sick: float = 0.0  # 1 ill, fading after
    heat: float = 1.0

    def athlete_model(self, effort: float = 1.0) -> AthleteModel:
        """The session model of this runner this morning, running at ``effort``.

        A fitter runner's heart rate rises and recovers faster (on-kinetics
        65 s untrained to 35 s trained, fast recovery 45 to 25 s, slow 15 to 8
        min), holds less of it in the slow phase, drifts less, and has its
        threshold nearer vVO2max (75 % to 88 %). Targets slower than a brisk
        walk (``JOG_FROM_MPS``) are walked, faster ones jogged.
        """
        k = self.conditioning
        threshold = self.threshold_speed_mps
        resting = min(self.max_hr - 21, max(30, round(self.resting_hr)))
        return AthleteModel(
            resting_hr=resting,
            max_hr=self.max_hr,
            easy_speed_mps=0.75 * threshold,
            threshold_speed_mps=threshold,
            effort=effort,
            hr_time_constant_s=65.0 - 30.0 * k,
            hr_fast_recovery_s=45.0 - 20.0 * k,
            hr_slow_recovery_s=900.0 - 400.0 * k,
            slow_share_easy=0.4 - 0.1 * k,
            slow_share_max=0.9 - 0.1 * k,
            drift_bpm_per_10min=4.5 - 2.5 * k,
            heat=self.heat,
            vagal_tone=self.vagal_tone,
            threshold_fraction_of_vvo2max=0.75 + 0.13 * k,
            walk_run_speed_mps=JOG_FROM_MPS,
        )


@dataclass(frozen=True, slots=True)
class TrainingState:
    """Fitness (42-day) and fatigue (7-day) loads in TRIMP a day, and illness."""

    baseline: Baseline
    chronic: float
    acute: float
    sick: float = 0.0

    @classmethod
    def start(cls, baseline: Baseline) -> TrainingState:
        """The steady state of the runner's habitual training."""
        load = baseline.habitual_trimp
        return cls(baseline, load, load)

    def after_day(self, trimp: float, *, ill: bool = False) -> TrainingState:
        """The next morning, after a day with ``trimp`` of training (0 resting), ill or not."""
        if trimp < 0 or not math.isfinite(trimp):
            raise ValueError(f"a day's load is a finite TRIMP >= 0, got {trimp!r}")
        chronic = self.chronic + (trimp - self.chronic) / CHRONIC_DAYS
        acute = self.acute + (trimp - self.acute) / ACUTE_DAYS
        if ill:
            chronic *= 1.0 - ILL_DETRAINING
        sick = 1.0 if ill else self.sick * ILL_FADE
        return replace(self, chronic=chronic, acute=acute, sick=sick if sick > 0.01 else 0.0)

    @property
    def fatigue(self) -> float:
        """How far the week's load runs ahead of the fitness (0 when it does not)."""
        ratio = self.acute / max(self.chronic, FATIGUE_FLOOR)
        return min(FATIGUE_MAX, max(0.0, ratio - 1.0))

    def fitness(self) -> Fitness:
        """This morning's runner."""
        b = self.baseline
        gain = conditioning(self.chronic) - conditioning(b.habitual_trimp)
        tired, sick = self.fatigue, self.sick
        threshold = (
            b.threshold_speed_mps
            * (1.0 + THRESHOLD_GAIN * gain)
            * (1.0 - 0.02 * tired)
            * (1.0 - ILL_THRESHOLD * sick)
        )
        resting = (
            b.resting_hr - RESTING_HR_GAIN_BPM * gain + 3.0 * tired + ILL_RESTING_HR_BPM * sick
        )
        tone = (
            b.vagal_tone
            * (1.0 + TONE_GAIN * gain)
            * math.exp(-0.5 * tired)
            * (1.0 - ILL_TONE * sick)
        )
        return Fitness(
            threshold_speed_mps=threshold,
            resting_hr=resting,
            max_hr=b.max_hr,
            vagal_tone=max(0.05, tone),
            conditioning=conditioning(self.chronic),
            fatigue=tired,
            sick=sick,
            heat=b.heat,
        )
