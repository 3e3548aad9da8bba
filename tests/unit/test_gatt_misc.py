"""UUIDs, Battery Level, Device Information strings, encoders' range checks, and the CLI decoder."""

from __future__ import annotations

import json

import pytest

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt import (
    decode_payload,
    encode_battery,
    encode_heart_rate,
    encode_rsc,
    normalize_uuid,
    parse_battery_level,
    parse_device_info_string,
    parse_hex,
    short_uuid,
    uuids,
)

HRM_FULL = "00002a37-0000-1000-8000-00805f9b34fb"


@pytest.mark.parametrize(
    "text",
    [
        "2a37",
        "2A37",
        "0x2A37",
        "0x2a37",
        " 2a37\n",
        "00002a37",
        HRM_FULL,
        HRM_FULL.upper(),
        HRM_FULL.replace("-", ""),
    ],
)
def test_normalize_uuid_accepts_every_spelling_of_0x2a37(text: str) -> None:
    """16-bit, 32-bit, 128-bit (any case, with or without dashes) all give bleak's form."""
    assert normalize_uuid(text) == HRM_FULL


def test_normalize_uuid_keeps_vendor_uuids() -> None:
    """A 128-bit UUID off the Bluetooth base is lower-cased, not altered."""
    nus = "6E400001-B5A3-F393-E0A9-E50E24DCCA9E"
    assert normalize_uuid(nus) == nus.lower()
    assert short_uuid(nus) == nus.lower()


@pytest.mark.parametrize(
    "junk", ["", "2a3", "2a377", "0x", "zz37", "heart rate", "0x2a37-", HRM_FULL[:-1], "2a 37"]
)
def test_normalize_uuid_rejects_junk_with_a_clear_message(junk: str) -> None:
    """Anything else is a ValueError that quotes the input and shows valid forms."""
    with pytest.raises(ValueError, match="not a Bluetooth UUID") as info:
        normalize_uuid(junk)
    assert repr(junk) in str(info.value)
    assert "2a37" in str(info.value)


def test_short_uuid_gives_the_16_bit_alias() -> None:
    """Base UUIDs shorten to their 4-digit alias."""
    assert short_uuid(HRM_FULL) == "2a37"
    assert short_uuid("0x2A53") == "2a53"


def test_service_uuid_constants_are_the_assigned_numbers() -> None:
    """Heart Rate 0x180D, RSC 0x1814, Battery 0x180F, Device Information 0x180A."""
    assert uuids.HEART_RATE_SERVICE == "0000180d-0000-1000-8000-00805f9b34fb"
    assert uuids.RSC_SERVICE == "00001814-0000-1000-8000-00805f9b34fb"
    assert uuids.BATTERY_SERVICE == "0000180f-0000-1000-8000-00805f9b34fb"
    assert uuids.DEVICE_INFORMATION_SERVICE == "0000180a-0000-1000-8000-00805f9b34fb"
    assert short_uuid(uuids.RSC_MEASUREMENT) == "2a53"
    assert short_uuid(uuids.BATTERY_LEVEL) == "2a19"


@pytest.mark.parametrize("level", [0, 1, 57, 100])
def test_battery_level_in_range_is_returned(level: int) -> None:
    """0..100 percent decodes to itself."""
    assert parse_battery_level(bytes([level])) == level


@pytest.mark.parametrize("hex_payload", ["", "65", "ff"])
def test_battery_level_empty_or_above_100_is_a_parse_error(hex_payload: str) -> None:
    """An empty value or a reserved level (101..255) is malformed, never clamped."""
    with pytest.raises(GattParseError) as info:
        parse_battery_level(bytes.fromhex(hex_payload))
    assert info.value.uuid == "2a19"


@pytest.mark.parametrize(
    ("payload", "text"),
    [
        (b"Polar Electro Oy", "Polar Electro Oy"),
        (b"H10\x00", "H10"),
        (b"1.2.3 \x00\x00\x00", "1.2.3"),
        (b"Garmin\x00\xff\xfe junk", "Garmin"),
        (b"Stryd\r\n ", "Stryd"),
        (b"caf\xc3\xa9", "caf\u00e9"),
        (b"bad\xffbyte", "bad\ufffdbyte"),
        (b"", ""),
    ],
)
def test_device_info_string_is_decoded_leniently(payload: bytes, text: str) -> None:
    """UTF-8, cut at the first NUL, bad bytes replaced, trailing whitespace stripped."""
    assert parse_device_info_string(payload) == text


def test_cli_example_16485401ec02_decodes_to_72_bpm() -> None:
    """The documented CLI example: 2a37 16485401ec02 -> bpm 72, contact true, rr_raw [340, 748]."""
    result = decode_payload("2a37", parse_hex("16485401ec02"))
    assert result == {
        "uuid": "2a37",
        "characteristic": "Heart Rate Measurement",
        "bpm": 72,
        "contact": True,
        "energy_kj": None,
        "rr_raw": [340, 748],
        "rr_ms": [332.03125, 730.46875],
        "hex": "16485401ec02",
    }
    assert json.loads(json.dumps(result)) == result


def test_decode_rsc_gives_the_contract_keys() -> None:
    """RSC (spelled 0x2A53) gives speed_mps, cadence_spm, stride_m, distance_m, running."""
    result = decode_payload("0x2A53", bytes.fromhex("070003125600010000f0"))
    assert result["uuid"] == "2a53"
    assert result["characteristic"] == "RSC Measurement"
    assert {k: result[k] for k in ("speed_mps", "cadence_spm", "stride_m", "running")} == {
        "speed_mps": 3.0,
        "cadence_spm": 18,
        "stride_m": 0.86,
        "running": True,
    }
    assert result["distance_m"] == 402653184.1


@pytest.mark.parametrize(
    ("uuid", "hex_payload", "key", "value"),
    [
        ("2a19", "4b", "level", 75),
        ("2a38", "01", "location", "Chest"),
        ("2a38", "2a", "location", "reserved(42)"),
        ("2a29", "506f6c617200", "value", "Polar"),
        ("2a26", "332e302e3335", "value", "3.0.35"),
        ("2a54", "0d00", "calibration_procedure_supported", True),
        ("2a54", "0d00", "total_distance_supported", False),
    ],
)
def test_decode_other_characteristics(uuid: str, hex_payload: str, key: str, value: object) -> None:
    """Battery gives level, body location gives location, DIS gives value, feature gives bools."""
    result = decode_payload(uuid, bytes.fromhex(hex_payload))
    assert result[key] == value
    assert "error" not in result


def test_decode_malformed_payload_returns_error_and_hex() -> None:
    """A malformed payload is returned as {uuid, characteristic, error, hex}, not raised."""
    result = decode_payload("2a37", bytes.fromhex("170101"))
    assert result == {
        "uuid": "2a37",
        "characteristic": "Heart Rate Measurement",
        "error": "flags announce RR-Interval but no RR-Interval value follows",
        "hex": "170101",
    }


def test_decode_unknown_or_junk_uuid_returns_error() -> None:
    """An unsupported characteristic or an unparsable UUID is an error dict, not an exception."""
    unknown = decode_payload("2a5b", b"\x01")
    assert unknown["uuid"] == "2a5b"
    assert "no decoder for characteristic 2a5b" in str(unknown["error"])
    assert unknown["hex"] == "01"
    junk = decode_payload("heart", b"")
    assert junk["uuid"] == "heart"
    assert "not a Bluetooth UUID" in str(junk["error"])
    assert junk["hex"] == ""


@pytest.mark.parametrize(
    ("text", "payload"),
    [
        ("16485401ec02", b"\x16\x48\x54\x01\xec\x02"),
        ("16 48 54", b"\x16\x48\x54"),
        ("0x16,0x48", b"\x16\x48"),
        ("0x16, 0x48 ,0X4", b"\x16\x48\x04"),
        ("16:48:54", b"\x16\x48\x54"),
        ("  16485401EC02\n", b"\x16\x48\x54\x01\xec\x02"),
        ("", b""),
    ],
)
def test_parse_hex_accepts_common_spellings(text: str, payload: bytes) -> None:
    """Plain, spaced, colon- or comma-separated, 0x-prefixed hex all parse."""
    assert parse_hex(text) == payload


@pytest.mark.parametrize("text", ["1", "164", "0x", "zz", "16 4", "0x123", "16-48", "g0"])
def test_parse_hex_rejects_junk(text: str) -> None:
    """Odd digit counts and non-hex characters are a ValueError quoting the bad token."""
    with pytest.raises(ValueError, match="hex") as info:
        parse_hex(text)
    assert "'" in str(info.value)


@pytest.mark.parametrize(
    "call",
    [
        lambda: encode_heart_rate(-1),
        lambda: encode_heart_rate(65536),
        lambda: encode_heart_rate(60, energy_kj=65536),
        lambda: encode_heart_rate(60, rr_raw=[1024, -1]),
        lambda: encode_heart_rate(60, rr_raw=[65536]),
        lambda: encode_rsc(-0.1, 180),
        lambda: encode_rsc(256.0, 180),
        lambda: encode_rsc(float("nan"), 180),
        lambda: encode_rsc(3.0, 256),
        lambda: encode_rsc(3.0, 180, stride_m=655.36),
        lambda: encode_rsc(3.0, 180, distance_m=-1.0),
        lambda: encode_rsc(3.0, 180, distance_m=float("inf")),
        lambda: encode_battery(101),
        lambda: encode_battery(-1),
    ],
)
def test_encoders_reject_out_of_range_values(call: object) -> None:
    """Out-of-range fields raise ValueError instead of wrapping around."""
    assert callable(call)
    with pytest.raises(ValueError, match="must be"):
        call()


def test_encoders_reject_non_int_fields_with_type_error() -> None:
    """A bool or float where an int field is due is a TypeError, not a silent 1 bpm."""
    with pytest.raises(TypeError):
        encode_heart_rate(True)
    with pytest.raises(TypeError):
        encode_battery(50.0)  # type: ignore[arg-type]


def test_encode_heart_rate_chooses_uint16_above_255_or_when_forced() -> None:
    """The uint16 flag is set for bpm > 255 or force_uint16, and the value is 2 bytes then."""
    assert encode_heart_rate(255) == bytes.fromhex("00ff")
    assert encode_heart_rate(256) == bytes.fromhex("010001")
    assert encode_heart_rate(72, force_uint16=True) == bytes.fromhex("014800")


def test_encode_heart_rate_builds_the_cli_example() -> None:
    """72 bpm, contact, RR 340 and 748 encodes to 16485401ec02; no contact to flags 0x04."""
    assert encode_heart_rate(72, contact=True, rr_raw=[340, 748]).hex() == "16485401ec02"
    assert encode_heart_rate(72, contact=False).hex() == "0448"


def test_encode_rsc_builds_the_nordic_vector() -> None:
    """3 m/s, 18/min, 0.86 m stride, 0xF0000001 dm, running -> the shared vector's bytes."""
    payload = encode_rsc(3.0, 18, stride_m=0.86, distance_m=402653184.1, running=True)
    assert payload.hex() == "070003125600010000f0"
    assert encode_rsc(0.0390625, 20, running=False).hex() == "000a0014"
