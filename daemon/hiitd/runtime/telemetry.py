"""Samples in, MQTT messages out: the live-telemetry sink, pure (time is an argument).

Keeps the little state the messages need (last battery level per sensor, link
state, parse-error counts) and never holds a measurement: a heart-rate message
is built from its own notification only (docs/architecture.md, Principles 2).
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hiitd.mqtt.payloads import encode, footpod_payload, hr_payload
from hiitd.mqtt.topics import Topics
from hiitd_drivers.samples import (
    BatterySample,
    DeviceInfoSample,
    FootpodSample,
    HeartRateSample,
    Link,
    LinkSample,
    ParseErrorSample,
    RejectedSample,
    RejectReason,
    Role,
    Sample,
)

if TYPE_CHECKING:
    from hiitd.mqtt.topics import Topics

ONLINE = b"online"
OFFLINE = b"offline"


@dataclass(frozen=True, slots=True)
class Outgoing:
    """One message to publish."""

    topic: str
    payload: bytes
    qos: int = 0
    retain: bool = False
    # Must not be lost: cues, step summaries, results go through the store's outbox
    # and count as sent only once the broker acknowledged them (docs/architecture.md, Principles 1).
    durable: bool = False


@dataclass(slots=True)
class Telemetry:
    """Translates samples into ``hr``, ``footpod`` and ``availability`` messages."""

    topics: Topics
    battery: dict[Role, int] = field(default_factory=dict)
    link: dict[Role, Link] = field(default_factory=dict)
    devices: dict[Role, DeviceInfoSample] = field(default_factory=dict)
    parse_errors: Counter[Role] = field(default_factory=Counter)
    # Values the plausibility gate did not believe, per sensor and reason (diagnostics).
    rejected: Counter[tuple[Role, RejectReason]] = field(default_factory=Counter)

    def initial(self, roles: tuple[Role, ...]) -> list[Outgoing]:
        """Availability ``offline`` for every expected sensor until it links up."""
        return [self._availability(role, Link.DOWN) for role in roles]

    def handle(self, sample: Sample, ts: float) -> list[Outgoing]:
        """Return the messages ``sample`` causes; ``ts`` is the Unix time to stamp."""
        match sample:
            case HeartRateSample():
                for reason in sample.rejected:
                    self.rejected[sample.role, reason] += 1
                body = hr_payload(sample, battery=self.battery.get(Role.HR), ts=ts)
                return [Outgoing(self.topics.hr, encode(body))]
            case FootpodSample():
                body = footpod_payload(sample, ts=ts)
                body["battery"] = self.battery.get(Role.FOOTPOD)
                return [Outgoing(self.topics.footpod, encode(body))]
            case BatterySample():
                self.battery[sample.role] = sample.level
                return []
            case LinkSample():
                if self.link.get(sample.role) == sample.link:
                    return []
                self.link[sample.role] = sample.link
                return [self._availability(sample.role, sample.link)]
            case DeviceInfoSample():
                self.devices[sample.role] = sample
                return []
            case ParseErrorSample():
                self.parse_errors[sample.role] += 1
                return []
            case RejectedSample():
                self.rejected[sample.role, sample.reason] += 1
                return []

    def sensor_health(self) -> dict[str, Any]:
        """Per sensor: malformed notifications and rejected values so far, by reason."""
        out: dict[str, Any] = {}
        for role in Role:
            reasons = {str(r): n for (ro, r), n in sorted(self.rejected.items()) if ro is role}
            if reasons or self.parse_errors[role]:
                out[role.value] = {"malformed": self.parse_errors[role], "rejected": reasons}
        return out

    def _availability(self, role: Role, link: Link) -> Outgoing:
        payload = ONLINE if link is Link.UP else OFFLINE
        return Outgoing(self.topics.availability(role), payload, qos=1, retain=True)
