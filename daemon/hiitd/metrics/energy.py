"""Energy expenditure estimated from heart rate (Keytel et al. 2005). Pure; an ESTIMATE.

Keytel LR, Goedecke JH, Noakes TD, Hiiloskorpi H, Laukkanen R, van der Merwe L,
Lambert EV. "Prediction of energy expenditure from heart rate monitoring during
submaximal exercise." J Sports Sci 2005; 23(3): 289-297. doi:10.1080/02640410470001730089

The paper's mixed model gives kJ/min from heart rate (bpm), body mass (kg) and
age (years), with gender = 1 for men and 0 for women:

- without VO2max (its equation for when no fitness measure is known):
  EE = gender x (-55.0969 + 0.6309 HR + 0.1988 kg + 0.2017 age)
     + (1 - gender) x (-20.4022 + 0.4472 HR - 0.1263 kg + 0.074 age)
- with VO2max (ml/kg/min), the model with the highest likelihood (r = 0.913):
  EE = -59.3954 + gender x (-36.3781 + 0.271 age + 0.394 kg + 0.404 VO2max + 0.634 HR)
     + (1 - gender) x (0.274 age + 0.103 kg + 0.380 VO2max + 0.450 HR)
  so for men the intercept is -59.3954 - 36.3781 = -95.7735.

Checked against the abstract and the equations as restated by Hexoskin's
"Calculation of the energy expenditure" (which uses the VO2max form verbatim)
and by online calculators quoting the no-VO2max form; the full text was not at
hand, so these are the coefficients as widely reproduced from it.

The model was fitted on 115 regularly exercising adults aged 18-45 in steady
state at 57-90 % of max heart rate; outside that (rest, sprints, heart-rate lag
in short intervals) it is rougher still. An interval whose prediction is
negative (very low heart rate) counts as zero, not as energy gained back.
1 kcal = 4.184 kJ (the thermochemical calorie).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

if TYPE_CHECKING:
    from collections.abc import Iterable

    from hiitd.metrics.series import Segment
    from hiitd.record.session_record import AthleteSnapshot

KJ_PER_KCAL = 4.184
METHOD = "keytel2005"
METHOD_VO2MAX = "keytel2005_vo2max"


def normalise_sex(sex: str | None) -> str | None:
    """``"male"``/``"female"`` from the profile's spelling; ``None`` when unknown."""
    if sex is None:
        return None
    s = sex.strip().lower()
    if s in {"male", "m", "man"}:
        return "male"
    if s in {"female", "f", "woman"}:
        return "female"
    return None


def keytel_kj_per_min(
    hr: float, sex: str, weight_kg: float, age: float, vo2max: float | None = None
) -> float:
    """Keytel et al. 2005 energy expenditure in kJ/min (may be negative at a low heart rate)."""
    male = normalise_sex(sex) == "male"
    if vo2max is not None:
        if male:
            return -95.7735 + 0.634 * hr + 0.404 * vo2max + 0.394 * weight_kg + 0.271 * age
        return -59.3954 + 0.450 * hr + 0.380 * vo2max + 0.103 * weight_kg + 0.274 * age
    if male:
        return -55.0969 + 0.6309 * hr + 0.1988 * weight_kg + 0.2017 * age
    return -20.4022 + 0.4472 * hr - 0.1263 * weight_kg + 0.0740 * age


@dataclass(frozen=True, slots=True)
class EnergyEstimate:
    """Calories from heart rate. ``kcal`` is ``None`` when ``missing`` names a needed input."""

    kcal: float | None
    kj: float | None
    method: str | None  # keytel2005 or keytel2005_vo2max
    covered_s: float  # the heart-rate time integrated (gaps and pauses add nothing)
    missing: tuple[str, ...] = ()  # profile fields needed but absent: weight_kg, age, sex
    estimate: bool = True  # always: a population equation, not a measurement


def energy(hr: Iterable[Segment], athlete: AthleteSnapshot) -> EnergyEstimate:
    """Integrate Keytel over the heart-rate segments, each interval clamped at zero."""
    segs = tuple(hr)
    covered = sum(s.dt for s in segs)
    sex = normalise_sex(athlete.sex)
    missing = tuple(
        name
        for name, value in (
            ("weight_kg", athlete.weight_kg),
            ("age", athlete.age),
            ("sex", sex),
        )
        if value is None
    )
    if missing or athlete.weight_kg is None or athlete.age is None or sex is None:
        return EnergyEstimate(None, None, None, covered, missing)
    vo2 = athlete.vo2max if athlete.vo2max is not None and athlete.vo2max > 0 else None
    kj = 0.0
    for s in segs:
        rate = keytel_kj_per_min(s.value, sex, athlete.weight_kg, athlete.age, vo2)
        kj += max(rate, 0.0) * s.dt / 60.0
    return EnergyEstimate(
        kcal=kj / KJ_PER_KCAL,
        kj=kj,
        method=METHOD if vo2 is None else METHOD_VO2MAX,
        covered_s=covered,
    )
