"""A sensor's notifications to samples: parse, convert, gate, or report the bad payload (pure).

Kept apart from the ``ble`` package so it has no bleak in it: the same path
is unit tested with captured bytes (and used by the simulator), and a malformed
payload becomes a ``ParseErrorSample`` here instead of an exception in a bleak
callback (docs/architecture.md, Principles 3: counted and dropped, the next good one is used).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd_drivers.convert import footpod_sample, heart_rate_sample
from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt.battery import parse_battery_level
from hiitd_drivers.gatt.heart_rate import parse_heart_rate
from hiitd_drivers.gatt.rsc import parse_rsc
from hiitd_drivers.gatt.uuids import BATTERY_LEVEL, HEART_RATE_MEASUREMENT, RSC_MEASUREMENT
from hiitd_drivers.plausibility import HeartGate, check_footpod
from hiitd_drivers.samples import (
    BatterySample,
    DeviceInfoSample,
    FootpodSample,
    HeartRateSample,
    ParseErrorSample,
    RejectedSample,
    Role,
)

if TYPE_CHECKING:
    from collections.abc import Mapping

__all__ = ["MEASUREMENT_UUID", "MeasurementDecoder", "decode_battery", "device_info_sample"]

# The characteristic a role's measurements arrive on.
MEASUREMENT_UUID: Mapping[Role, str] = {
    Role.HR: HEART_RATE_MEASUREMENT,
    Role.FOOTPOD: RSC_MEASUREMENT,
}


class MeasurementDecoder:
    """Turns one role's measurement payloads into samples; never raises on bad bytes.

    One decoder per link: it keeps the heart-rate gate's state (the last
    believed bpm), so what a strap says is judged against what it said before.
    """

    def __init__(
        self, role: Role, *, speed_factor: float = 1.0, cadence_scale: float = 1.0
    ) -> None:
        self.role = role
        self.uuid = MEASUREMENT_UUID[role]
        self.speed_factor = speed_factor
        self.cadence_scale = cadence_scale
        self._heart = HeartGate()

    def decode(
        self, payload: bytes, t: float
    ) -> HeartRateSample | FootpodSample | ParseErrorSample | RejectedSample:
        """Return the sample for ``payload`` received at ``t``, or why there is none.

        A ``ParseErrorSample`` for bytes that are no valid measurement; a gap
        (plausibility.py) for a measurement no runner's body can produce.
        """
        try:
            if self.role is Role.HR:
                return self._heart.check(heart_rate_sample(parse_heart_rate(payload), t))
            return check_footpod(
                footpod_sample(
                    parse_rsc(payload),
                    t,
                    speed_factor=self.speed_factor,
                    cadence_scale=self.cadence_scale,
                )
            )
        except GattParseError as exc:
            return ParseErrorSample(
                t=t,
                role=self.role,
                uuid=self.uuid,
                payload_hex=bytes(payload).hex(),
                error=exc.reason,
            )


def decode_battery(role: Role, payload: bytes, t: float) -> BatterySample | ParseErrorSample:
    """Return the Battery Level sample for ``payload``, or a ``ParseErrorSample``."""
    try:
        return BatterySample(t=t, role=role, level=parse_battery_level(payload))
    except GattParseError as exc:
        return ParseErrorSample(
            t=t, role=role, uuid=BATTERY_LEVEL, payload_hex=bytes(payload).hex(), error=exc.reason
        )


def device_info_sample(
    role: Role, address: str, name: str | None, t: float, fields: Mapping[str, str]
) -> DeviceInfoSample:
    """Return the Device Information sample; ``fields`` maps sample field names to strings."""
    return DeviceInfoSample(
        t=t,
        role=role,
        address=address,
        name=name,
        manufacturer=fields.get("manufacturer"),
        model=fields.get("model"),
        serial=fields.get("serial"),
        firmware=fields.get("firmware"),
        hardware=fields.get("hardware"),
        software=fields.get("software"),
    )
