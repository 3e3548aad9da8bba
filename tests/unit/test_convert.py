"""Decoded measurements -> samples: honest heart rate, calibrated footpod."""

from __future__ import annotations

import math

import pytest

from hiitd_drivers.convert import footpod_sample, heart_rate_sample
from hiitd_drivers.gatt import HeartRateMeasurement, RscMeasurement, parse_heart_rate
from hiitd_drivers.samples import FootpodSample, HeartRateSample, Role


def test_heart_rate_with_contact_keeps_bpm_rr_and_energy() -> None:
    """A normal frame becomes a sample with bpm, RR in ms, contact and energy, stamped t."""
    m = parse_heart_rate(bytes.fromhex("1e4832005401ec02"))
    assert heart_rate_sample(m, 12.5) == HeartRateSample(
        t=12.5,
        bpm=72,
        rr_ms=(332.03125, 730.46875),
        contact=True,
        energy_kj=50,
        role=Role.HR,
    )


def test_heart_rate_without_contact_is_no_data_and_drops_rr() -> None:
    """Contact supported but not detected: bpm None (never the sent value) and no RR."""
    m = HeartRateMeasurement(bpm=96, contact=False, energy_kj=None, rr_raw=(640, 650))
    sample = heart_rate_sample(m, 3.0)
    assert sample.bpm is None
    assert sample.rr_ms == ()
    assert sample.contact is False


def test_zero_bpm_is_no_data_and_drops_rr() -> None:
    """0 bpm (a strap without contact detection and no signal) becomes bpm None, no RR."""
    m = HeartRateMeasurement(bpm=0, contact=None, energy_kj=None, rr_raw=(65535,))
    sample = heart_rate_sample(m, 1.0)
    assert (sample.bpm, sample.rr_ms, sample.contact) == (None, (), None)


def test_strap_without_contact_detection_passes_bpm_through() -> None:
    """contact None (unsupported) is not "no contact": the value is kept, contact stays None."""
    m = HeartRateMeasurement(bpm=140, contact=None, energy_kj=None, rr_raw=(439,))
    sample = heart_rate_sample(m, 2.0)
    assert sample.bpm == 140
    assert sample.contact is None
    assert sample.rr_ms == (439 * 1000 / 1024,)


def test_footpod_defaults_pass_values_through() -> None:
    """With factor 1 and scale 1 the sample carries the pod's own values."""
    m = RscMeasurement(
        speed_mps=3.0, cadence_spm=86, stride_m=1.25, distance_m=1000.0, running=True
    )
    assert footpod_sample(m, 7.0) == FootpodSample(
        t=7.0,
        speed_mps=3.0,
        cadence_spm=86.0,
        stride_m=1.25,
        distance_m=1000.0,
        running=True,
        role=Role.FOOTPOD,
    )


def test_footpod_calibration_scales_speed_stride_and_distance_and_cadence_scale_cadence() -> None:
    """speed_factor scales speed, stride and distance; cadence_scale only the cadence."""
    m = RscMeasurement(speed_mps=4.0, cadence_spm=90, stride_m=1.5, distance_m=2000.0, running=True)
    sample = footpod_sample(m, 1.0, speed_factor=1.025, cadence_scale=2.0)
    assert sample.speed_mps == pytest.approx(4.1)
    assert sample.stride_m == pytest.approx(1.5375)
    assert sample.distance_m == pytest.approx(2050.0)
    assert sample.cadence_spm == 180.0


def test_footpod_absent_stride_and_distance_stay_none() -> None:
    """Fields the pod does not send stay None after calibration, and walking stays walking."""
    m = RscMeasurement(
        speed_mps=1.2, cadence_spm=110, stride_m=None, distance_m=None, running=False
    )
    sample = footpod_sample(m, 0.0, speed_factor=0.97)
    assert (sample.stride_m, sample.distance_m, sample.running) == (None, None, False)
    assert sample.speed_mps == pytest.approx(1.164)


@pytest.mark.parametrize(
    ("speed_factor", "cadence_scale"),
    [(0.0, 1.0), (-1.0, 1.0), (math.nan, 1.0), (1.0, 0.0), (1.0, math.inf)],
)
def test_footpod_rejects_nonsense_factors(speed_factor: float, cadence_scale: float) -> None:
    """A calibration factor that is not a finite positive number is a ValueError."""
    m = RscMeasurement(speed_mps=3.0, cadence_spm=90, stride_m=None, distance_m=None, running=True)
    with pytest.raises(ValueError, match="must be a finite number > 0"):
        footpod_sample(m, 0.0, speed_factor=speed_factor, cadence_scale=cadence_scale)
