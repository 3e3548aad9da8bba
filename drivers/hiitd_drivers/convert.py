"""Decoded GATT measurements -> the samples the daemon sees (pure, no I/O).

This is where "honest data" (docs/architecture.md, Principles 2) is applied at the source:
no contact or a 0 bpm reading becomes ``bpm=None``, never 0 and never a held
value; and where a footpod's per-pod calibration is applied.
"""

from __future__ import annotations

import math
from typing import TYPE_CHECKING

from hiitd_drivers.samples import FootpodSample, HeartRateSample

if TYPE_CHECKING:
    from hiitd_drivers.gatt.heart_rate import HeartRateMeasurement
    from hiitd_drivers.gatt.rsc import RscMeasurement

__all__ = ["footpod_sample", "heart_rate_sample"]


def heart_rate_sample(m: HeartRateMeasurement, t: float) -> HeartRateSample:
    """Clean a Heart Rate Measurement received at monotonic time ``t``.

    ``bpm`` is None when the strap reports no skin contact or 0 bpm, and then the
    frame's RR intervals are dropped too.
    """
    # HRS v1.0 §3.1 (Sensor Contact Status bits): with contact supported but not
    # detected, a strap may still send a value, computed from noise or held from
    # before; 0 bpm is what straps without contact detection send with no signal.
    no_signal = m.contact is False or m.bpm == 0
    # RR intervals measured without skin contact (or with no heart rate at all)
    # are intervals between noise spikes, not heartbeats: passing them on would
    # put artefacts into HRV and recovery metrics, which are far more sensitive to
    # a bad interval than to a missing one. A gap is honest; a fake beat is not.
    if no_signal:
        return HeartRateSample(t=t, bpm=None, rr_ms=(), contact=m.contact, energy_kj=m.energy_kj)
    return HeartRateSample(t=t, bpm=m.bpm, rr_ms=m.rr_ms, contact=m.contact, energy_kj=m.energy_kj)


def footpod_sample(
    m: RscMeasurement,
    t: float,
    *,
    speed_factor: float = 1.0,
    cadence_scale: float = 1.0,
) -> FootpodSample:
    """Calibrate an RSC Measurement received at monotonic time ``t``.

    ``speed_factor`` (the per-pod calibration, true / reported) scales speed,
    stride and distance; ``cadence_scale`` turns the pod's cadence into steps per
    minute (2.0 for pods that report strides, i.e. one foot, per minute).
    Raises ``ValueError`` when a factor is not a finite number above zero.
    """
    if not (math.isfinite(speed_factor) and speed_factor > 0):
        raise ValueError(f"speed_factor must be a finite number > 0, got {speed_factor!r}")
    if not (math.isfinite(cadence_scale) and cadence_scale > 0):
        raise ValueError(f"cadence_scale must be a finite number > 0, got {cadence_scale!r}")
    # A pod measures stride length and counts steps; speed and distance are
    # derived from the stride (RSCS v1.0 §3.1), so a calibration error in speed
    # is an error in stride of the same factor, and all three are scaled alike.
    return FootpodSample(
        t=t,
        speed_mps=m.speed_mps * speed_factor,
        cadence_spm=m.cadence_spm * cadence_scale,
        stride_m=None if m.stride_m is None else m.stride_m * speed_factor,
        distance_m=None if m.distance_m is None else m.distance_m * speed_factor,
        running=m.running,
    )
