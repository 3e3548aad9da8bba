"""Decode any supported characteristic to a JSON-ready dict, for ``hiitd decode --json``.

The CLI decodes payloads a user pasted, so a bad payload or an unknown UUID is
an answer (a dict with ``error`` and ``hex``), never an exception: one bad
payload among several must not hide the others' results.
"""

from __future__ import annotations

import re
from types import MappingProxyType
from typing import TYPE_CHECKING, Final

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt.battery import parse_battery_level
from hiitd_drivers.gatt.device_info import DEVICE_INFO_FIELDS, parse_device_info_string
from hiitd_drivers.gatt.heart_rate import parse_body_sensor_location, parse_heart_rate
from hiitd_drivers.gatt.rsc import parse_rsc, parse_rsc_feature
from hiitd_drivers.gatt.uuids import (
    BATTERY_LEVEL,
    BODY_SENSOR_LOCATION,
    CHARACTERISTIC_NAMES,
    HEART_RATE_MEASUREMENT,
    RSC_FEATURE,
    RSC_MEASUREMENT,
    normalize_uuid,
    short_uuid,
)

if TYPE_CHECKING:
    from collections.abc import Callable, Mapping

    from hiitd_drivers.gatt._types import Payload

__all__ = ["decode_payload", "parse_hex"]


def _heart_rate(payload: Payload) -> dict[str, object]:
    m = parse_heart_rate(payload)
    return {
        "bpm": m.bpm,
        "contact": m.contact,
        "energy_kj": m.energy_kj,
        "rr_raw": list(m.rr_raw),
        "rr_ms": list(m.rr_ms),
    }


def _rsc(payload: Payload) -> dict[str, object]:
    m = parse_rsc(payload)
    return {
        "speed_mps": m.speed_mps,
        "cadence_spm": m.cadence_spm,
        "stride_m": m.stride_m,
        "distance_m": m.distance_m,
        "running": m.running,
    }


def _rsc_feature(payload: Payload) -> dict[str, object]:
    f = parse_rsc_feature(payload)
    return {
        "stride_length_supported": f.stride_length_supported,
        "total_distance_supported": f.total_distance_supported,
        "walking_running_status_supported": f.walking_running_status_supported,
        "calibration_procedure_supported": f.calibration_procedure_supported,
        "multiple_sensor_locations_supported": f.multiple_sensor_locations_supported,
    }


def _battery(payload: Payload) -> dict[str, object]:
    return {"level": parse_battery_level(payload)}


def _location(payload: Payload) -> dict[str, object]:
    return {"location": parse_body_sensor_location(payload)}


def _device_info(payload: Payload) -> dict[str, object]:
    return {"value": parse_device_info_string(payload)}


_DECODERS: Final[Mapping[str, Callable[[Payload], dict[str, object]]]] = MappingProxyType(
    {
        HEART_RATE_MEASUREMENT: _heart_rate,
        BODY_SENSOR_LOCATION: _location,
        RSC_MEASUREMENT: _rsc,
        RSC_FEATURE: _rsc_feature,
        BATTERY_LEVEL: _battery,
        **dict.fromkeys(DEVICE_INFO_FIELDS, _device_info),
    }
)


def decode_payload(uuid_text: str, payload: Payload) -> dict[str, object]:
    """Decode ``payload`` as characteristic ``uuid_text`` (``2a37``, ``0x2A53``, full form).

    The result has ``uuid`` (short form), ``characteristic`` (its name), the
    decoded fields and ``hex``; or, when the UUID is unknown or the payload is
    malformed, ``uuid``, ``error`` (the reason) and ``hex``.
    """
    hex_text = bytes(payload).hex()
    try:
        full = normalize_uuid(uuid_text)
    except ValueError as exc:
        return {"uuid": uuid_text, "error": str(exc), "hex": hex_text}
    short = short_uuid(full)
    decoder = _DECODERS.get(full)
    if decoder is None:
        known = ", ".join(sorted(short_uuid(u) for u in _DECODERS))
        return {
            "uuid": short,
            "error": f"no decoder for characteristic {short}; known: {known}",
            "hex": hex_text,
        }
    name = CHARACTERISTIC_NAMES[full]
    try:
        fields = decoder(payload)
    except GattParseError as exc:
        return {"uuid": short, "characteristic": name, "error": exc.reason, "hex": hex_text}
    return {"uuid": short, "characteristic": name, **fields, "hex": hex_text}


# Separators people paste between bytes: spaces, commas, colons (as in nRF Connect).
_SEPARATORS = re.compile(r"[\s,:]+")
_HEX_DIGITS = re.compile(r"[0-9a-fA-F]*")


def parse_hex(text: str) -> bytes:
    """Parse ``16485401ec02``, ``16 48 54``, ``16:48:54`` or ``0x16,0x48`` into bytes.

    Each token may carry a ``0x`` prefix; a prefixed single digit (``0x7``) is one
    byte. Raises ``ValueError`` naming the bad token otherwise. An empty text is
    an empty payload, so the parsers can say why it is malformed.
    """
    chunks: list[str] = []
    for token in _SEPARATORS.split(text.strip()):
        if not token:
            continue
        prefixed = token[:2].lower() == "0x"
        digits = token[2:] if prefixed else token
        if not digits or not _HEX_DIGITS.fullmatch(digits):
            raise ValueError(f"not hex: {token!r} in {text!r}; write bytes like 16485401ec02")
        if len(digits) % 2:
            if not prefixed or len(digits) > 1:
                raise ValueError(
                    f"odd number of hex digits in {token!r}: each byte is two digits, like 0f"
                )
            digits = "0" + digits
        chunks.append(digits)
    return bytes.fromhex("".join(chunks))
