"""Heart-rate and pace zones, and the ``hiitd zones --json`` report. Pure.

Three heart-rate models, best first when the profile allows it:

- ``lthr``: Friel's *running* zones, % of lactate-threshold HR (J. Friel, "Quick
  guide to setting zones", joefrielsblog.com 2009; *The Triathlete's Training
  Bible*): Z1 < 85, Z2 85-89, Z3 90-94, Z4 95-99, Z5a 100-102, Z5b 103-106,
  Z5c > 106. Not his cycling table, whose edges are lower.
- ``hrr``: Karvonen, % of heart-rate reserve plus resting HR (Karvonen, Kentala &
  Mustala, Ann Med Exp Biol Fenn 1957; 35:307-15): 50-60-70-80-90-100 %.
- ``max_hr``: the same five bands as % of max HR.

Pace zones are Friel's running pace zones, % of functional threshold *pace*
(time per km, same sources): Z1 > 129 %, Z2 114-129, Z3 106-113, Z4 101-105,
Z5a 97-100, Z5b 90-96, Z5c < 90; here turned into % of threshold *speed*
(100 / pace %), since targets are speeds.

Integer tables are made continuous by one rule: a zone runs from its own table
edge up to the next zone's, so every value belongs to exactly one zone. In bpm
a zone holds the whole beats from ``ceil(edge)`` to the next zone's start - 1.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any, Literal

from hiitd.coach import daniels

if TYPE_CHECKING:
    from hiitd.coach.profile import AthleteProfile

HrModel = Literal["lthr", "hrr", "max_hr"]

_PCT_BANDS = (50.0, 60.0, 70.0, 80.0, 90.0)  # lower edges; the top is 100 %
_BAND_NAMES = ("recovery", "endurance", "tempo", "threshold", "maximum")
# Friel's running LTHR zones: (label, name, lower edge % of LTHR). Z5c is "> 106",
# so its lower edge is exclusive (handled below).
_FRIEL_HR = (
    ("1", "recovery", None),
    ("2", "aerobic", 85.0),
    ("3", "tempo", 90.0),
    ("4", "sub-threshold", 95.0),
    ("5a", "super-threshold", 100.0),
    ("5b", "aerobic capacity", 103.0),
    ("5c", "anaerobic capacity", 106.0),
)
# Friel's running pace zones: (label, name, slow edge as % of threshold pace time).
_FRIEL_PACE = (
    ("1", "recovery", None),
    ("2", "aerobic", 129.0),
    ("3", "tempo", 113.0),
    ("4", "sub-threshold", 105.0),
    ("5a", "super-threshold", 100.0),
    ("5b", "aerobic capacity", 96.0),
    ("5c", "anaerobic capacity", 90.0),
)
# The coarse zone numbers used by targets (``hr_zone = 5``): 5 spans 5a-5c.
_COARSE = {"1": 1, "2": 2, "3": 3, "4": 4, "5": 5, "5a": 5, "5b": 5, "5c": 5}
_EPS = 1e-9


@dataclass(frozen=True, slots=True)
class HrZone:
    """A heart-rate zone; bpm bounds inclusive, ``None`` for an open end."""

    label: str  # "1".."5", or Friel's "5a".."5c"
    name: str
    low_pct: float | None
    high_pct: float | None
    low_bpm: int | None
    high_bpm: int | None

    @property
    def number(self) -> int:
        """The coarse zone number 1..5 (Friel's 5a-5c are all 5)."""
        return _COARSE[self.label]


@dataclass(frozen=True, slots=True)
class PaceZone:
    """A pace zone as speeds (m/s); ``None`` for an open end."""

    label: str
    name: str
    low_pct: float | None  # % of threshold speed
    high_pct: float | None
    low_mps: float | None
    high_mps: float | None

    @property
    def number(self) -> int:
        """The coarse zone number 1..5 (5a-5c are all 5)."""
        return _COARSE[self.label]


def _ceil_bpm(x: float) -> int:
    return math.ceil(x - _EPS)


def _pct_zones(base: float, span: float, top: int) -> tuple[HrZone, ...]:
    starts = [_ceil_bpm(base + span * p / 100.0) for p in _PCT_BANDS]
    zones = []
    for i, (p, name) in enumerate(zip(_PCT_BANDS, _BAND_NAMES, strict=True)):
        last = i == len(_PCT_BANDS) - 1
        high = top if last else starts[i + 1] - 1
        zones.append(HrZone(str(i + 1), name, p, p + 10.0, starts[i], high))
    return tuple(zones)


def hr_zones_max(max_hr: int) -> tuple[HrZone, ...]:
    """Five zones at 50-60-70-80-90-100 % of max HR."""
    return _pct_zones(0.0, float(max_hr), max_hr)


def hr_zones_hrr(max_hr: int, resting_hr: int) -> tuple[HrZone, ...]:
    """Karvonen (1957): the same percentages of heart-rate reserve, plus resting HR."""
    if resting_hr >= max_hr:
        raise ValueError(f"resting HR {resting_hr} must be below max HR {max_hr}")
    return _pct_zones(float(resting_hr), float(max_hr - resting_hr), max_hr)


def hr_zones_lthr(lthr: int, max_hr: int | None = None) -> tuple[HrZone, ...]:
    """Friel's seven running zones from LTHR; Z5c is capped at ``max_hr`` when given."""
    starts: list[int | None] = []
    for label, _, edge in _FRIEL_HR:
        if edge is None:
            starts.append(None)
        elif label == "5c":  # "more than 106 %": the first whole beat above it
            starts.append(math.floor(lthr * edge / 100.0 + _EPS) + 1)
        else:
            starts.append(_ceil_bpm(lthr * edge / 100.0))
    zones = []
    for i, (label, name, edge) in enumerate(_FRIEL_HR):
        nxt = starts[i + 1] if i + 1 < len(starts) else None
        high_pct = _FRIEL_HR[i + 1][2] if i + 1 < len(_FRIEL_HR) else None
        if nxt is not None:
            high: int | None = nxt - 1
        else:
            low = starts[i]
            high = max_hr if max_hr is not None and low is not None and max_hr >= low else None
        zones.append(HrZone(label, name, edge, high_pct, starts[i], high))
    return tuple(zones)


def pace_zones(threshold_mps: float) -> tuple[PaceZone, ...]:
    """Friel's seven running pace zones as speed ranges around the threshold speed."""
    if threshold_mps <= 0:
        raise ValueError(f"threshold speed must be positive, got {threshold_mps}")
    # Speed % = 100 / (pace %); the slow edge of each zone is its low speed.
    lows = [None if e is None else 10000.0 / e for _, _, e in _FRIEL_PACE]
    zones = []
    for i, (label, name, _) in enumerate(_FRIEL_PACE):
        low_pct = lows[i]
        high_pct = lows[i + 1] if i + 1 < len(lows) else None
        zones.append(
            PaceZone(
                label,
                name,
                None if low_pct is None else round(low_pct, 2),
                None if high_pct is None else round(high_pct, 2),
                None if low_pct is None else threshold_mps * low_pct / 100.0,
                None if high_pct is None else threshold_mps * high_pct / 100.0,
            )
        )
    return tuple(zones)


def best_hr_model(profile: AthleteProfile) -> HrModel:
    """The model ``hr_zone`` targets use: LTHR if known, else HRR if resting HR is, else %max."""
    if profile.lthr is not None:
        return "lthr"
    if profile.resting_hr is not None and profile.resting_hr < profile.max_hr:
        return "hrr"
    return "max_hr"


def hr_zones(profile: AthleteProfile, model: HrModel | None = None) -> tuple[HrZone, ...]:
    """The profile's heart-rate zones in ``model`` (default: the best one it allows)."""
    model = model or best_hr_model(profile)
    if model == "lthr":
        if profile.lthr is None:
            raise ValueError("LTHR zones need athlete.lthr")
        return hr_zones_lthr(profile.lthr, profile.max_hr)
    if model == "hrr":
        if profile.resting_hr is None:
            raise ValueError("heart-rate reserve zones need athlete.resting_hr")
        return hr_zones_hrr(profile.max_hr, profile.resting_hr)
    return hr_zones_max(profile.max_hr)


def zone_span(zones: tuple[HrZone, ...], low: int, high: int) -> tuple[int | None, int | None]:
    """The bpm range from coarse zone ``low`` to coarse zone ``high`` (inclusive)."""
    picked = [z for z in zones if low <= z.number <= high]
    if not picked:
        raise ValueError(f"no heart-rate zone {low}-{high} (zones are 1-5)")
    return picked[0].low_bpm, picked[-1].high_bpm


def pace_zone_span(
    zones: tuple[PaceZone, ...], low: int, high: int
) -> tuple[float | None, float | None]:
    """The speed range (m/s) from coarse pace zone ``low`` to ``high`` (inclusive)."""
    picked = [z for z in zones if low <= z.number <= high]
    if not picked:
        raise ValueError(f"no pace zone {low}-{high} (zones are 1-5)")
    return picked[0].low_mps, picked[-1].high_mps


def format_pace(speed_mps: float) -> str:
    """``"4:05"``: minutes:seconds per km for a speed, rounded to the second."""
    total = round(1000.0 / speed_mps)
    return f"{total // 60}:{total % 60:02d}"


def format_time(seconds: float) -> str:
    """``"25:00"`` or ``"1:35:20"``, rounded to the second."""
    total = round(seconds)
    h, rest = divmod(total, 3600)
    m, s = divmod(rest, 60)
    return f"{h}:{m:02d}:{s:02d}" if h else f"{m}:{s:02d}"


def _s_per_km(speed: float | None) -> float | None:
    return None if speed is None else round(1000.0 / speed, 1)


def _mps(speed: float | None) -> float | None:
    return None if speed is None else round(speed, 4)


def _hr_zone_json(z: HrZone) -> dict[str, Any]:
    return {
        "zone": z.label,
        "number": z.number,
        "name": z.name,
        "low_pct": z.low_pct,
        "high_pct": z.high_pct,
        "low_bpm": z.low_bpm,
        "high_bpm": z.high_bpm,
    }


def _pace_zone_json(z: PaceZone) -> dict[str, Any]:
    return {
        "zone": z.label,
        "number": z.number,
        "name": z.name,
        "low_pct": z.low_pct,
        "high_pct": z.high_pct,
        "low_mps": _mps(z.low_mps),
        "high_mps": _mps(z.high_mps),
        # A slower pace is the low speed: slow_s_per_km goes with low_mps.
        "slow_s_per_km": _s_per_km(z.low_mps),
        "fast_s_per_km": _s_per_km(z.high_mps),
    }


def _training_paces_json(vdot: float) -> list[dict[str, Any]]:
    return [
        {
            "code": p.code,
            "name": p.name,
            "low_pct_vo2max": p.low_pct,
            "high_pct_vo2max": p.high_pct,
            "low_mps": _mps(p.low_mps),
            "high_mps": _mps(p.high_mps),
            "pace_mps": _mps(p.pace_mps),
            "pace_s_per_km": _s_per_km(p.pace_mps),
            "pace": format_pace(p.pace_mps),
        }
        for p in daniels.training_paces(vdot)
    ]


def _race_predictions_json(vdot: float) -> list[dict[str, Any]]:
    predictions = []
    for name, dist in daniels.RACE_DISTANCES:
        t = daniels.race_time(vdot, dist)
        predictions.append(
            {
                "race": name,
                "distance_m": dist,
                "time_s": round(t, 1),
                "time": format_time(t),
                "pace_s_per_km": round(t * 1000.0 / dist, 1),
                "speed_mps": round(dist / t, 4),
            }
        )
    return predictions


def zones_report(profile: AthleteProfile) -> dict[str, Any]:
    """Everything ``hiitd zones --json`` prints: zones of each model, paces, predictions."""
    models: dict[str, Any] = {"max_hr": [_hr_zone_json(z) for z in hr_zones_max(profile.max_hr)]}
    for model in ("hrr", "lthr"):
        try:
            models[model] = [_hr_zone_json(z) for z in hr_zones(profile, model)]
        except ValueError:
            models[model] = None
    threshold, vdot = profile.threshold_speed_mps, profile.vdot
    return {
        "max_hr": profile.max_hr,
        "max_hr_estimated": profile.max_hr_estimated,
        "resting_hr": profile.resting_hr,
        "lthr": profile.lthr,
        "hr_zone_model": best_hr_model(profile),
        "hr_zones": models,
        "threshold_speed_mps": _mps(threshold),
        "threshold_pace_s_per_km": _s_per_km(threshold),
        "threshold_pace": None if threshold is None else format_pace(threshold),
        "pace_zones": None
        if threshold is None
        else [_pace_zone_json(z) for z in pace_zones(threshold)],
        "vdot": None if vdot is None else round(vdot, 1),
        "training_paces": None if vdot is None else _training_paces_json(vdot),
        "race_predictions": None if vdot is None else _race_predictions_json(vdot),
        "notes": list(profile.notes),
    }
