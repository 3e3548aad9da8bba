"""Every metric of one recorded session, bundled: ``compute_metrics(record)``. Pure.

Works on partial data: without a footpod the speed-based fields are ``None``,
without a strap the heart-rate ones, without steps the compliance list is
empty; an empty or gap-only record yields a ``SessionMetrics`` of ``None``s and
zeros, never an exception. ``to_payload()`` is the JSON form (``session/result``,
``hiitd sessions ... --json``); estimates say so in it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.coach.profile import AthleteProfile
from hiitd.coach.zones import best_hr_model, hr_zones, pace_zones
from hiitd.metrics import economy as eco
from hiitd.metrics import energy as en
from hiitd.metrics import hr_recovery as rc
from hiitd.metrics import hrv as hv
from hiitd.metrics import series
from hiitd.metrics import time_in_zone as tz
from hiitd.metrics import training_load as ld
from hiitd.metrics.session_metrics import SessionMetrics

if TYPE_CHECKING:
    from hiitd.record.session_record import AthleteSnapshot, SessionRecord


def profile_from_snapshot(athlete: AthleteSnapshot) -> AthleteProfile:
    """The coach's profile type from the values kept with the session (for its zones)."""
    return AthleteProfile(
        max_hr=athlete.max_hr,
        max_hr_estimated=False,
        resting_hr=athlete.resting_hr,
        lthr=athlete.lthr,
        threshold_speed_mps=athlete.threshold_speed_mps,
        vdot=None,
        age=athlete.age,
        sex=athlete.sex,
        weight_kg=athlete.weight_kg,
    )


def _zones(
    record: SessionRecord, hr: tuple[series.Segment, ...], speed: tuple[series.Segment, ...]
) -> tuple[str | None, tz.ZoneTimes | None, tz.ZoneTimes | None, list[str]]:
    notes: list[str] = []
    model: str | None = None
    hr_times = pace_times = None
    profile = profile_from_snapshot(record.athlete)
    if record.athlete.max_hr > 0:
        try:
            model = best_hr_model(profile)
            hr_times = tz.hr_zone_times(hr, hr_zones(profile))
        except ValueError as exc:
            model = None
            notes.append(f"no heart-rate zones: {exc}")
    else:
        notes.append("no heart-rate zones: the athlete's max HR is not set")
    threshold = record.athlete.threshold_speed_mps
    if threshold is not None and threshold > 0:
        pace_times = tz.pace_zone_times(speed, pace_zones(threshold))
    elif record.pod:
        notes.append("no pace zones: the athlete's threshold pace is not set")
    return model, hr_times, pace_times, notes


def compute_metrics(record: SessionRecord) -> SessionMetrics:
    """Every metric of ``record``; ``None`` fields where its data does not allow one."""
    record = record.materialized()  # points built once, not at every pass over them
    hr = series.hr_segments(record)
    speed = series.speed_segments(record)
    cadence = series.cadence_segments(record)
    stride = series.stride_segments(record)
    dist = series.distance(record)
    avg_speed = series.time_weighted_mean(speed)
    model, hr_times, pace_times, notes = _zones(record, hr, speed)
    steps = tz.step_compliance(record)
    athlete = record.athlete
    energy = en.energy(hr, athlete)
    if energy.missing:
        notes.append("no calories: set athlete." + ", athlete.".join(energy.missing))
    load = ld.training_load(hr, athlete)
    if load.missing:
        notes.append("no TRIMP/HRSS: set athlete." + ", athlete.".join(load.missing))
    notes.extend(load.notes)
    vo2 = tuple(
        v
        for v in (
            eco.vo2max_uth(athlete.max_hr, athlete.resting_hr),
            eco.vo2max_acsm(hr, speed, athlete),
        )
        if v is not None
    )
    return SessionMetrics(
        session_id=record.session_id,
        duration_s=series.session_end(record),
        moving_s=series.moving_time(record),
        distance_m=None if dist is None else dist.metres,
        distance_method=None if dist is None else dist.method,
        hr_covered_s=series.covered(hr),
        avg_hr=series.time_weighted_mean(hr),
        max_hr=max((s.value for s in hr), default=None),
        speed_covered_s=series.covered(speed),
        avg_speed_mps=avg_speed,
        avg_pace_s_per_km=None if not avg_speed else 1000.0 / avg_speed,
        max_speed_mps=max((s.value for s in speed), default=None),
        hr_zone_model=model if hr_times is not None else None,
        hr_zones=hr_times,
        pace_zones=pace_times,
        steps=steps,
        compliance=tz.work_compliance(steps),
        energy=energy,
        load=load,
        recovery_steps=rc.step_recoveries(record),
        recovery_session=rc.session_recovery(record),
        hrv=hv.session_hrv(record),
        economy=eco.economy(hr, speed, cadence, stride),
        vo2max=vo2,
        notes=tuple(notes),
    )
