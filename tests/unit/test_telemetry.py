"""The telemetry sink: samples in, the documented MQTT messages out."""

from __future__ import annotations

import json

from hiitd.mqtt.topics import Topics
from hiitd.runtime.telemetry import Telemetry
from hiitd_drivers.samples import (
    BatterySample,
    FootpodSample,
    HeartRateSample,
    Link,
    LinkSample,
    ParseErrorSample,
    Role,
)

TOPICS = Topics("hiitd", "athlete")


def test_hr_message_carries_bpm_rr_contact_and_last_battery() -> None:
    """An hr message has the notification's values and the strap's last battery level."""
    t = Telemetry(TOPICS)
    assert t.handle(BatterySample(0.0, Role.HR, 87), 100.0) == []
    (out,) = t.handle(HeartRateSample(1.0, 148, (405.3, 401.4), contact=True), 101.0)
    body = json.loads(out.payload)
    assert out.topic == "hiitd/athlete/hr"
    assert (out.qos, out.retain) == (0, False)
    assert body == {
        "ts": 101.0,
        "bpm": 148,
        "rr_ms": [405.3, 401.4],
        "contact": True,
        "battery": 87,
    }


def test_no_contact_is_null_never_zero_or_held() -> None:
    """After a good reading, a no-contact sample is published as bpm null, not the old value."""
    t = Telemetry(TOPICS)
    t.handle(HeartRateSample(1.0, 150, contact=True), 1.0)
    (out,) = t.handle(HeartRateSample(2.0, None, contact=False), 2.0)
    body = json.loads(out.payload)
    assert body["bpm"] is None
    assert body["contact"] is False


def test_footpod_message_has_pace_and_battery() -> None:
    """A footpod message has speed, pace, cadence, stride, distance and the pod's battery."""
    t = Telemetry(TOPICS)
    t.handle(BatterySample(0.0, Role.FOOTPOD, 64), 0.0)
    (out,) = t.handle(FootpodSample(1.0, 4.0, 176.0, 1.36, 1234.5, running=True), 5.0)
    body = json.loads(out.payload)
    assert out.topic == "hiitd/athlete/footpod"
    assert body["pace_s_per_km"] == 250.0
    assert body["cadence_spm"] == 176.0
    assert body["distance_m"] == 1234.5
    assert body["battery"] == 64


def test_availability_is_retained_and_only_on_change() -> None:
    """Link changes become retained availability messages; repeats are not re-sent."""
    t = Telemetry(TOPICS)
    initial = t.initial((Role.HR, Role.FOOTPOD))
    assert [(o.topic, o.payload, o.retain) for o in initial] == [
        ("hiitd/athlete/hr/availability", b"offline", True),
        ("hiitd/athlete/footpod/availability", b"offline", True),
    ]
    (up,) = t.handle(LinkSample(1.0, Role.HR, Link.UP), 1.0)
    assert (up.payload, up.qos, up.retain) == (b"online", 1, True)
    assert t.handle(LinkSample(2.0, Role.HR, Link.UP), 2.0) == []
    (down,) = t.handle(LinkSample(3.0, Role.HR, Link.DOWN, reason="watchdog"), 3.0)
    assert down.payload == b"offline"


def test_parse_errors_are_counted_not_published() -> None:
    """A malformed notification is counted per sensor and publishes nothing."""
    t = Telemetry(TOPICS)
    err = ParseErrorSample(1.0, Role.HR, "2a37", "16", "truncated")
    assert t.handle(err, 1.0) == []
    assert t.handle(err, 2.0) == []
    assert t.parse_errors[Role.HR] == 2
