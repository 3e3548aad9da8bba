"""MQTT payloads: field names from docs/mqtt.md, honest nulls, strict JSON."""

from __future__ import annotations

import json
import math

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiitd.mqtt.payloads import (
    command_result,
    encode,
    footpod_payload,
    hr_payload,
    pace_s_per_km,
)
from hiitd_drivers.samples import FootpodSample, HeartRateSample


def test_hr_payload_fields() -> None:
    """A heart-rate sample becomes ts, bpm, rr_ms, contact, battery."""
    sample = HeartRateSample(t=1.0, bpm=148, rr_ms=(402.34375, 398.4375), contact=True)
    assert hr_payload(sample, battery=87, ts=1700000000.5) == {
        "ts": 1700000000.5,
        "bpm": 148,
        "rr_ms": [402.3, 398.4],
        "contact": True,
        "battery": 87,
    }


def test_hr_payload_no_contact_is_null_not_zero() -> None:
    """No contact gives bpm null, never 0 or a held value."""
    lost = hr_payload(HeartRateSample(t=1.0, bpm=None, contact=False), battery=None, ts=2.0)
    assert lost["bpm"] is None
    assert lost["contact"] is False
    assert lost["battery"] is None
    # A strap that says "no contact" while still sending a number is not believed.
    assert (
        hr_payload(HeartRateSample(t=1.0, bpm=90, contact=False), battery=None, ts=2.0)["bpm"]
        is None
    )
    assert hr_payload(HeartRateSample(t=1.0, bpm=0), battery=None, ts=2.0)["bpm"] is None


def test_hr_payload_contact_unknown_is_null() -> None:
    """A strap without contact detection gives contact null and keeps bpm."""
    doc = hr_payload(HeartRateSample(t=1.0, bpm=120), battery=None, ts=2.0)
    assert doc["contact"] is None
    assert doc["bpm"] == 120
    assert doc["rr_ms"] == []


def test_footpod_payload_rounds() -> None:
    """Speed 3 decimals, pace 1, cadence 1, stride 2, distance 1."""
    sample = FootpodSample(
        t=1.0, speed_mps=3.84615, cadence_spm=172.26, stride_m=1.3456, distance_m=1234.56
    )
    assert footpod_payload(sample, ts=5.0) == {
        "ts": 5.0,
        "speed_mps": 3.846,
        "pace_s_per_km": 260.0,
        "cadence_spm": 172.3,
        "stride_m": 1.35,
        "distance_m": 1234.6,
    }


@pytest.mark.parametrize("speed", [0.0, 0.2, 0.499, math.nan, math.inf])
def test_footpod_still_has_no_pace(speed: float) -> None:
    """Standing still (or a nonsense speed) gives pace null, not infinity."""
    doc = footpod_payload(FootpodSample(t=1.0, speed_mps=speed, cadence_spm=0.0), ts=1.0)
    assert doc["pace_s_per_km"] is None
    encode(doc)  # and it is valid JSON


def test_footpod_missing_fields_are_null() -> None:
    """A pod without stride or distance gives nulls."""
    doc = footpod_payload(FootpodSample(t=1.0, speed_mps=3.0, cadence_spm=170.0), ts=1.0)
    assert doc["stride_m"] is None
    assert doc["distance_m"] is None
    assert doc["pace_s_per_km"] == 333.3


def test_pace_at_the_still_threshold() -> None:
    """0.5 m/s is the slowest speed with a pace (2000 s/km)."""
    assert pace_s_per_km(0.5) == 2000.0


def test_encode_is_compact_utf8() -> None:
    """encode writes compact UTF-8 JSON, non-ASCII kept as UTF-8."""
    assert encode({"a": 1, "text": "Tempo — 5 km"}) == '{"a":1,"text":"Tempo — 5 km"}'.encode()


@pytest.mark.parametrize("bad", [math.nan, math.inf, -math.inf])
def test_encode_refuses_nan_and_infinity(bad: float) -> None:
    """NaN or infinity raise ValueError instead of writing invalid JSON."""
    with pytest.raises(ValueError):
        encode({"x": bad})


def test_command_result() -> None:
    """cmd/result carries ts, action, ok and error."""
    assert command_result("pause", ok=False, error="not running", ts=3.0) == {
        "ts": 3.0,
        "action": "pause",
        "ok": False,
        "error": "not running",
    }


@given(
    speed=st.floats(allow_nan=True, allow_infinity=True),
    cadence=st.floats(allow_nan=True, allow_infinity=True),
    stride=st.none() | st.floats(allow_nan=True, allow_infinity=True),
    distance=st.none() | st.floats(allow_nan=True, allow_infinity=True),
)
def test_footpod_payload_always_encodes(
    speed: float, cadence: float, stride: float | None, distance: float | None
) -> None:
    """Whatever a pod sends, the payload is valid JSON with the contract's fields."""
    sample = FootpodSample(
        t=0.0, speed_mps=speed, cadence_spm=cadence, stride_m=stride, distance_m=distance
    )
    doc = json.loads(encode(footpod_payload(sample, ts=1.0)))
    assert set(doc) == {"ts", "speed_mps", "pace_s_per_km", "cadence_spm", "stride_m", "distance_m"}
