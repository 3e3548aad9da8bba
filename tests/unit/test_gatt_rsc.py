"""RSC Measurement (0x2A53) and RSC Feature (0x2A54) parsers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt.rsc import RscFeature, RscMeasurement, parse_rsc, parse_rsc_feature

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def rsc_vectors(shared_data: Path) -> list[dict[str, Any]]:
    """The 0x2A53 vectors of the shared payload file."""
    doc = json.loads((shared_data / "ble" / "ble_payload_vectors.json").read_text())
    return [v for v in doc["vectors"] if v["characteristic"].startswith("0x2A53")]


def _as_vector_fields(m: RscMeasurement) -> dict[str, object]:
    """Express a measurement in the vector file's raw units (cm, dm, 1/256 m/s)."""
    return {
        "running": m.running,
        "speed_mps": m.speed_mps,
        "speed_raw": round(m.speed_mps * 256),
        "cadence_spm": m.cadence_spm,
        "stride_cm": None if m.stride_m is None else round(m.stride_m * 100),
        "total_distance_dm": None if m.distance_m is None else round(m.distance_m * 10),
    }


def test_every_valid_shared_vector_decodes_to_its_expected_values(
    rsc_vectors: list[dict[str, Any]],
) -> None:
    """Each valid RSC vector decodes to its expected and reference-decoded values."""
    valid = [v for v in rsc_vectors if v["expected"].get("valid", True) is not False]
    assert len(valid) == 4
    mismatches = []
    for vector in valid:
        got = _as_vector_fields(parse_rsc(bytes.fromhex(vector["hex"])))
        for source in (vector["expected"], vector["decoded"]):
            for key, want in source.items():
                if key in got and got[key] != want:
                    mismatches.append((vector["hex"], key, got[key], want))
    assert mismatches == []


def test_every_invalid_shared_vector_raises_gatt_parse_error(
    rsc_vectors: list[dict[str, Any]],
) -> None:
    """Each RSC vector marked invalid raises GattParseError for 2a53 with its bytes."""
    invalid = [v for v in rsc_vectors if v["expected"].get("valid", True) is False]
    assert [v["hex"] for v in invalid] == ["070003125600000000"]
    for vector in invalid:
        payload = bytes.fromhex(vector["hex"])
        with pytest.raises(GattParseError) as info:
            parse_rsc(payload)
        assert info.value.uuid == "2a53"
        assert info.value.payload == payload


def test_full_measurement_decodes_to_si_units() -> None:
    """Flags 0x07: 3 m/s, cadence 18, stride 0.86 m, distance 0xF0000001 dm, running."""
    m = parse_rsc(bytes.fromhex("070003125600010000f0"))
    assert m == RscMeasurement(
        speed_mps=3.0, cadence_spm=18, stride_m=0.86, distance_m=402653184.1, running=True
    )


def test_stride_only_and_distance_only_are_placed_right_after_cadence() -> None:
    """Either optional field alone starts at byte 4 (RSCS §3.1 field order)."""
    stride_only = parse_rsc(bytes.fromhex("058002b47d00"))
    assert (stride_only.speed_mps, stride_only.cadence_spm) == (2.5, 180)
    assert (stride_only.stride_m, stride_only.distance_m, stride_only.running) == (1.25, None, True)
    distance_only = parse_rsc(bytes.fromhex("02000150e8030000"))
    assert (distance_only.stride_m, distance_only.distance_m) == (None, 100.0)
    assert distance_only.running is False


def test_walking_status_is_false_running() -> None:
    """Bit 2 clear is walking: running False."""
    assert parse_rsc(bytes.fromhex("000a0014")).running is False


def test_trailing_bytes_are_ignored() -> None:
    """Bytes after the announced fields are ignored (later spec versions may append)."""
    assert parse_rsc(bytes.fromhex("00000300ffff")) == RscMeasurement(
        speed_mps=3.0, cadence_spm=0, stride_m=None, distance_m=None, running=False
    )


@pytest.mark.parametrize(
    ("hex_payload", "reason"),
    [
        ("", "0 byte(s), need at least 4"),
        ("00", "1 byte(s), need at least 4"),
        ("000003", "3 byte(s), need at least 4"),
        ("01000312", "Instantaneous Stride Length (uint16), needing 6 bytes"),
        ("0100031256", "needing 6 bytes, but the payload has 5"),
        ("020003120100", "Total Distance (uint32), needing 8 bytes"),
        ("030003125600010000", "and Total Distance (uint32), needing 10 bytes"),
    ],
)
def test_truncated_measurement_raises_gatt_parse_error(hex_payload: str, reason: str) -> None:
    """A payload shorter than its flags announce is a GattParseError naming the missing field."""
    payload = bytes.fromhex(hex_payload)
    with pytest.raises(GattParseError) as info:
        parse_rsc(payload)
    assert reason in info.value.reason
    assert info.value.uuid == "2a53"


def test_feature_bits_match_the_nordic_example() -> None:
    """0b01101: stride, walking/running status and calibration supported (Nordic's test)."""
    assert parse_rsc_feature(bytes([0b01101, 0x00])) == RscFeature(
        stride_length_supported=True,
        total_distance_supported=False,
        walking_running_status_supported=True,
        calibration_procedure_supported=True,
        multiple_sensor_locations_supported=False,
    )


@pytest.mark.parametrize("bit", range(5))
def test_each_feature_bit_sets_exactly_its_field(bit: int) -> None:
    """Bit n of the uint16 sets the n-th field only; reserved high bits are ignored."""
    feature = parse_rsc_feature((1 << bit | 0xFFE0).to_bytes(2, "little"))
    flags = [
        feature.stride_length_supported,
        feature.total_distance_supported,
        feature.walking_running_status_supported,
        feature.calibration_procedure_supported,
        feature.multiple_sensor_locations_supported,
    ]
    assert flags == [i == bit for i in range(5)]


@pytest.mark.parametrize("hex_payload", ["", "0d"])
def test_short_feature_is_a_parse_error(hex_payload: str) -> None:
    """A one-byte RSC Feature (Nordic's invalid case) is malformed, reported against 2a54."""
    with pytest.raises(GattParseError) as info:
        parse_rsc_feature(bytes.fromhex(hex_payload))
    assert info.value.uuid == "2a54"
