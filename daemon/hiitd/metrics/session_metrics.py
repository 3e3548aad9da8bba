"""``SessionMetrics``: every metric of one session, and its JSON form. Pure.

``to_payload()`` rounds each figure to what the sensors resolve (bpm to 1,
speeds to 3 decimals) and says which figures are estimates.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hiitd.coach.events import WorkCompliance
    from hiitd.metrics import economy as eco
    from hiitd.metrics import energy as en
    from hiitd.metrics import hr_recovery as rc
    from hiitd.metrics import hrv as hv
    from hiitd.metrics import time_in_zone as tz
    from hiitd.metrics import training_load as ld


@dataclass(frozen=True, slots=True)
class SessionMetrics:
    """The metrics of one session. Times in s, speeds in m/s, HR in bpm, distance in m."""

    session_id: str
    duration_s: float
    moving_s: float
    distance_m: float | None
    distance_method: str | None  # footpod_total or speed_integral
    hr_covered_s: float  # moving time with heart-rate data
    avg_hr: float | None  # time-weighted over moving time with data
    max_hr: float | None
    speed_covered_s: float
    avg_speed_mps: float | None  # time-weighted mean of speed
    avg_pace_s_per_km: float | None  # 1000 / avg_speed_mps
    max_speed_mps: float | None
    hr_zone_model: str | None  # lthr, hrr or max_hr (coach.zones)
    hr_zones: tz.ZoneTimes | None
    pace_zones: tz.ZoneTimes | None
    steps: tuple[tz.StepCompliance, ...]
    compliance: WorkCompliance | None  # work steps only (coach/compliance.py)
    energy: en.EnergyEstimate
    load: ld.TrainingLoad
    recovery_steps: tuple[rc.Hrr60, ...]
    recovery_session: rc.Hrr60 | None
    hrv: hv.HrvResult
    economy: eco.Economy
    vo2max: tuple[eco.Vo2maxEstimate, ...]
    notes: tuple[str, ...] = ()

    def to_payload(self) -> dict[str, Any]:
        """A JSON-ready dict, rounded to what the sensors can tell apart."""
        return payload(self)


def _r(x: float | None, digits: int) -> float | None:
    """Rounded, and ``None`` for no value (or a non-finite one: JSON has no NaN)."""
    if x is None or not math.isfinite(x):
        return None
    return round(x, digits)


def _zones(z: tz.ZoneTimes | None, digits: int) -> dict[str, Any] | None:
    if z is None:
        return None
    return {
        "zones": [
            {
                "zone": t.label,
                "name": t.name,
                "low": _r(t.low, digits),
                "high": _r(t.high, digits),
                "seconds": _r(t.seconds, 1),
            }
            for t in z.zones
        ],
        "below_s": _r(z.below_s, 1),
        "above_s": _r(z.above_s, 1),
    }


def _step(s: tz.StepCompliance) -> dict[str, Any]:
    return {
        "index": s.index,
        "name": s.name,
        "label": s.label,
        "intensity": s.intensity,
        "target": {"type": s.target_type, "low": s.target_low, "high": s.target_high},
        "start_t": _r(s.start_t, 1),
        "end_t": _r(s.end_t, 1),
        "moving_s": _r(s.moving_s, 1),
        "scored_s": _r(s.scored_s, 1),
        "in_pct": _r(s.in_pct, 1),
        "below_pct": _r(s.below_pct, 1),
        "above_pct": _r(s.above_pct, 1),
        "avg_hr": _r(s.avg_hr, 1),
        "max_hr": _r(s.max_hr, 0),
        "avg_speed_mps": _r(s.avg_speed_mps, 3),
        "avg_pace_s_per_km": _r(s.avg_pace_s_per_km, 1),
        "avg_cadence_spm": _r(s.avg_cadence_spm, 1),
        "avg_vs_target": s.avg_vs_target,
        "in_s": _r(s.in_s, 1),
        "below_s": _r(s.below_s, 1),
        "above_s": _r(s.above_s, 1),
        "unscored": s.unscored,
        "scored_by": s.scored_by,
    }


def _compliance(c: WorkCompliance | None) -> dict[str, Any] | None:
    return None if c is None else c.to_payload()


def _hrr(h: rc.Hrr60 | None) -> dict[str, Any] | None:
    if h is None:
        return None
    return {
        "anchor": h.anchor,
        "step_index": h.step_index,
        "t_end": _r(h.t_end, 1),
        "peak_bpm": _r(h.peak_bpm, 1),
        "later_bpm": _r(h.later_bpm, 1),
        "hrr60_bpm": _r(h.drop_bpm, 1),
        "reason": h.reason,
    }


def _hrv(h: hv.HrvResult) -> dict[str, Any]:
    return {
        "beats": h.beats,
        "clean_beats": h.clean_beats,
        "artefact_pct": _r(h.artefact_pct, 2),
        "mean_rr_ms": _r(h.mean_rr_ms, 1),
        "sdnn_ms": _r(h.sdnn_ms, 1),
        "rmssd_ms": _r(h.rmssd_ms, 1),
        "ln_rmssd": _r(h.ln_rmssd, 3),
        "withheld": h.withheld,
    }


def _stats(s: eco.Stats | None, digits: int) -> dict[str, Any] | None:
    if s is None:
        return None
    return {
        "mean": _r(s.mean, digits),
        "sd": _r(s.sd, digits),
        "min": _r(s.min, digits),
        "max": _r(s.max, digits),
        "covered_s": _r(s.covered_s, 1),
    }


# 2: compliance is the coach's one definition (work steps, grace, margins; coach/compliance.py).
# A stored payload of an older version is computed again where it is shown.
METRICS_VERSION = 2


def payload(m: SessionMetrics) -> dict[str, Any]:
    """Everything in ``m`` as JSON-ready values."""
    return {
        "metrics_version": METRICS_VERSION,
        "session_id": m.session_id,
        "duration_s": _r(m.duration_s, 1),
        "moving_s": _r(m.moving_s, 1),
        "distance_m": _r(m.distance_m, 0),
        "distance_method": m.distance_method,
        "hr": {
            "covered_s": _r(m.hr_covered_s, 1),
            "avg_bpm": _r(m.avg_hr, 1),
            "max_bpm": _r(m.max_hr, 0),
        },
        "speed": {
            "covered_s": _r(m.speed_covered_s, 1),
            "avg_mps": _r(m.avg_speed_mps, 3),
            "avg_pace_s_per_km": _r(m.avg_pace_s_per_km, 1),
            "max_mps": _r(m.max_speed_mps, 3),
        },
        "hr_zone_model": m.hr_zone_model,
        "hr_zones": _zones(m.hr_zones, 0),
        "pace_zones": _zones(m.pace_zones, 3),
        "steps": [_step(s) for s in m.steps],
        "compliance": _compliance(m.compliance),
        "calories": {
            "kcal": _r(m.energy.kcal, 0),
            "kj": _r(m.energy.kj, 0),
            "estimate": True,
            "method": m.energy.method,
            "covered_s": _r(m.energy.covered_s, 1),
            "missing": list(m.energy.missing),
        },
        "load": {
            "trimp": _r(m.load.trimp, 1),
            "hrss": _r(m.load.hrss, 1),
            "lthr_bpm": _r(m.load.lthr_used, 0),
            "lthr_estimated": m.load.lthr_estimated,
            "missing": list(m.load.missing),
        },
        "hrr60": {
            "steps": [_hrr(h) for h in m.recovery_steps],
            "session": _hrr(m.recovery_session),
        },
        "hrv": _hrv(m.hrv),
        "economy": {
            "steady_s": _r(m.economy.steady_s, 1),
            "efficiency_factor": _r(m.economy.efficiency_factor, 3),
            "decoupling_pct": _r(m.economy.decoupling_pct, 1),
            "cadence_spm": _stats(m.economy.cadence, 1),
            "stride_m": _stats(m.economy.stride, 3),
        },
        "vo2max": [
            {"value": _r(v.value, 1), "method": v.method, "estimate": True} for v in m.vo2max
        ],
        "notes": list(m.notes),
    }
