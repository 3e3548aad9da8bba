"""The athlete profile: the numbers zones and targets are computed from. Pure, frozen.

Built once from ``AthleteSettings``; what the settings leave out is estimated,
and every estimate is said in ``notes`` so reports can show it.
"""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Protocol

from hiitd.coach import daniels
from hiitd.coach.runner_text import parse_pace

# With neither a measured max HR nor an age there is nothing to estimate from; 190
# is Tanaka's formula at age 25, a middle value that keeps zones usable while the
# note asks for the real number.
FALLBACK_MAX_HR = 190
# An observed value outside this range is an artefact (strap noise, a double
# count), never a new maximum.
_PLAUSIBLE_MAX_HR = (120, 240)


@dataclass(frozen=True, slots=True)
class AthleteProfile:
    """Who is running, as numbers. Speeds in m/s, heart rates in bpm."""

    max_hr: int
    max_hr_estimated: bool
    resting_hr: int | None
    lthr: int | None
    threshold_speed_mps: float | None
    vdot: float | None
    age: int | None = None
    sex: str | None = None
    weight_kg: float | None = None
    ftp_w: float | None = None
    notes: tuple[str, ...] = ()
    # max_hr is a learned value the runner confirmed (not entered, not estimated).
    max_hr_learned: bool = False
    # Heart rate blunted by beta blockers: not used for coaching (compliance.BETA_BLOCKERS).
    beta_blockers: bool = False


class RaceFacts(Protocol):
    """A race result as the settings give it."""

    @property
    def distance_m(self) -> float:
        """Metres."""
        ...

    @property
    def time_s(self) -> float:
        """Finishing time in seconds."""
        ...


class AthleteFacts(Protocol):
    """What the runner told us (``[athlete]`` in the settings: ``AthleteSettings``)."""

    @property
    def max_hr(self) -> int | None: ...
    @property
    def age(self) -> int | None: ...
    @property
    def sex(self) -> str | None: ...
    @property
    def weight_kg(self) -> float | None: ...
    @property
    def resting_hr(self) -> int | None: ...
    @property
    def lthr(self) -> int | None: ...
    @property
    def threshold_pace(self) -> str | None: ...
    @property
    def ftp_w(self) -> float | None: ...
    @property
    def race(self) -> RaceFacts | None: ...
    @property
    def beta_blockers(self) -> bool: ...


def tanaka_max_hr(age: float) -> int:
    """Predicted max HR, 208 - 0.7 x age (Tanaka, Monahan & Seals, JACC 2001; 37:153-6)."""
    return round(208.0 - 0.7 * age)


def profile_from_settings(a: AthleteFacts) -> AthleteProfile:
    """The profile for these settings, estimating what they leave out (see ``notes``)."""
    notes: list[str] = []
    if a.max_hr is not None:
        max_hr, estimated = a.max_hr, False
    elif a.age is not None:
        max_hr, estimated = tanaka_max_hr(a.age), True
        notes.append(
            f"max HR {max_hr} estimated from age (Tanaka: 208 - 0.7 x {a.age}); "
            "set athlete.max_hr to a measured value"
        )
    else:
        max_hr, estimated = FALLBACK_MAX_HR, True
        notes.append(
            f"max HR unknown: {FALLBACK_MAX_HR} assumed; set athlete.max_hr (or athlete.age)"
        )

    vdot: float | None = None
    if a.race is not None:
        vdot = daniels.vdot_from_race(a.race.distance_m, a.race.time_s)

    threshold: float | None = None
    if a.threshold_pace is not None:
        threshold = 1000.0 / parse_pace(a.threshold_pace)
        if vdot is None:
            vdot = daniels.vdot_from_threshold_speed(threshold)
            notes.append(
                "VDOT and race predictions estimated from threshold pace; "
                "set athlete.race for better ones"
            )
    elif vdot is not None:
        threshold = daniels.threshold_speed(vdot)
        notes.append("threshold pace derived from the race result (Daniels' T pace)")
    else:
        notes.append("no pace zones: set athlete.threshold_pace or athlete.race for pace targets")

    if a.beta_blockers:
        notes.append(
            "beta blockers: heart rate not used for coaching (zones, the HR ceiling and HRR60); "
            "coached by pace and RPE"
        )
    if a.lthr is not None and a.lthr >= max_hr:
        notes.append(f"lthr {a.lthr} is not below max HR {max_hr}: check athlete.max_hr")
    return AthleteProfile(
        max_hr=max_hr,
        max_hr_estimated=estimated,
        resting_hr=a.resting_hr,
        lthr=a.lthr,
        threshold_speed_mps=threshold,
        vdot=vdot,
        age=a.age,
        sex=a.sex,
        weight_kg=a.weight_kg,
        ftp_w=a.ftp_w,
        notes=tuple(notes),
        beta_blockers=a.beta_blockers,
    )


def with_learned_max_hr(profile: AthleteProfile, bpm: int) -> AthleteProfile:
    """The profile with a confirmed learned max HR, unless the runner entered one.

    Precedence (coach/ceiling.py): a max HR the runner entered is theirs to
    change; a confirmed learned one replaces only an estimate.
    """
    lo, hi = _PLAUSIBLE_MAX_HR
    if not lo <= bpm <= hi:
        raise ValueError(f"{bpm} bpm is not a plausible max heart rate ({lo}-{hi})")
    if not profile.max_hr_estimated and not profile.max_hr_learned:
        return profile
    notes = tuple(n for n in profile.notes if not n.startswith("max HR"))
    notes += (f"max HR {bpm} learned in a session and confirmed",)
    return replace(profile, max_hr=bpm, max_hr_estimated=False, max_hr_learned=True, notes=notes)


def raise_max_hr(profile: AthleteProfile, observed_bpm: int) -> AthleteProfile:
    """A profile whose max HR is ``observed_bpm`` when that is higher; now a measured value.

    The engine calls this when it recorded a clean, sustained value above the
    profile's max. A lower or equal value leaves the profile as it is: a hard
    session that stays under an estimate proves nothing about the maximum.
    """
    lo, hi = _PLAUSIBLE_MAX_HR
    if not lo <= observed_bpm <= hi:
        raise ValueError(f"{observed_bpm} bpm is not a plausible max heart rate ({lo}-{hi})")
    if observed_bpm <= profile.max_hr:
        return profile
    notes = tuple(n for n in profile.notes if not n.startswith("max HR"))
    notes += (f"max HR {observed_bpm} recorded in a session (was {profile.max_hr})",)
    return replace(profile, max_hr=observed_bpm, max_hr_estimated=False, notes=notes)
