"""Heart Rate Measurement (0x2A37) and Body Sensor Location (0x2A38) parsers."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

import pytest

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt.heart_rate import (
    BodySensorLocation,
    HeartRateMeasurement,
    parse_body_sensor_location,
    parse_heart_rate,
)

if TYPE_CHECKING:
    from pathlib import Path


@pytest.fixture(scope="module")
def hr_vectors(shared_data: Path) -> list[dict[str, Any]]:
    """The 0x2A37 vectors of the shared payload file."""
    doc = json.loads((shared_data / "ble" / "ble_payload_vectors.json").read_text())
    return [v for v in doc["vectors"] if v["characteristic"].startswith("0x2A37")]


def test_shared_vectors_are_all_there(hr_vectors: list[dict[str, Any]]) -> None:
    """The shared file holds the 19 heart-rate vectors the other tests rely on, 1 invalid."""
    assert len(hr_vectors) == 19
    assert sum(v["expected"].get("valid", True) is False for v in hr_vectors) == 1


def test_every_valid_shared_vector_decodes_to_its_expected_values(
    hr_vectors: list[dict[str, Any]],
) -> None:
    """Each valid vector decodes to the expected and reference-decoded values, field by field."""
    mismatches = []
    checked = 0
    for vector in hr_vectors:
        if vector["expected"].get("valid", True) is False:
            continue
        m = parse_heart_rate(bytes.fromhex(vector["hex"]))
        ref = vector["decoded"]
        got = {
            "hr_bpm": m.bpm,
            "contact": m.contact,
            "contact_supported": m.contact is not None,
            "energy_kj": m.energy_kj,
            "rr_1024": list(m.rr_raw),
            "rr_ms": [round(x, 3) for x in m.rr_ms],
        }
        for source in (vector["expected"], ref):
            for key, want in source.items():
                if key in got and got[key] != want:
                    mismatches.append((vector["hex"], key, got[key], want))
        checked += 1
    assert checked == 18
    assert mismatches == []


def test_every_invalid_shared_vector_raises_gatt_parse_error(
    hr_vectors: list[dict[str, Any]],
) -> None:
    """Each vector marked invalid raises GattParseError carrying the uuid and the bytes."""
    invalid = [v for v in hr_vectors if v["expected"].get("valid", True) is False]
    assert [v["hex"] for v in invalid] == ["170101"]
    for vector in invalid:
        payload = bytes.fromhex(vector["hex"])
        with pytest.raises(GattParseError) as info:
            parse_heart_rate(payload)
        assert info.value.uuid == "2a37"
        assert info.value.payload == payload


def test_every_fr630_derived_frame_decodes_to_its_bpm_and_rr(shared_data: Path) -> None:
    """All 829 frames derived from the FR630 run decode to their bpm, contact and RR values."""
    doc = json.loads(
        (shared_data / "ble" / "derived_hrm_notifications_from_FR630_rr.json").read_text()
    )
    frames = doc["frames"]
    assert len(frames) == 829
    bad = []
    rr_total = 0
    for frame in frames:
        m = parse_heart_rate(bytes.fromhex(frame["hex"]))
        rr_total += len(m.rr_raw)
        if (m.bpm, m.contact, m.energy_kj, list(m.rr_raw)) != (
            frame["hr_bpm"],
            True,
            None,
            frame["rr_1024"],
        ):
            bad.append(frame)
    assert bad == []
    assert rr_total == sum(len(f["rr_1024"]) for f in frames) > 829


def test_cli_example_decodes_to_72_bpm_with_contact_and_two_rr() -> None:
    """The documented example 16485401ec02 is 72 bpm, contact, RR 340 and 748 (1/1024 s)."""
    m = parse_heart_rate(bytes.fromhex("16485401ec02"))
    assert m == HeartRateMeasurement(bpm=72, contact=True, energy_kj=None, rr_raw=(340, 748))
    assert m.rr_ms == (332.03125, 730.46875)


@pytest.mark.parametrize(
    ("hex_payload", "contact"),
    [("0048", None), ("0248", None), ("0448", False), ("0648", True)],
)
def test_contact_bits_map_to_none_false_true(hex_payload: str, contact: bool | None) -> None:
    """Bit 2 clear means unsupported (None) whatever bit 1 says; with bit 2, bit 1 is contact."""
    m = parse_heart_rate(bytes.fromhex(hex_payload))
    assert m.contact is contact
    assert m.bpm == 0x48


def test_uint16_value_energy_and_rr_are_read_little_endian() -> None:
    """Flags 0x19: uint16 bpm, energy and RR all little endian, RR oldest first."""
    m = parse_heart_rate(bytes.fromhex("192c01e80300040002"))
    assert (m.bpm, m.contact, m.energy_kj, m.rr_raw) == (300, None, 1000, (1024, 512))
    assert m.rr_ms == (1000.0, 500.0)


def test_trailing_bytes_without_rr_flag_are_ignored() -> None:
    """Bytes after the last flagged field are ignored when no RR field is announced."""
    assert parse_heart_rate(bytes.fromhex("0048ffff")).bpm == 72


def test_bytearray_and_memoryview_payloads_are_accepted() -> None:
    """bleak hands over bytearray; memoryview works as well."""
    raw = bytes.fromhex("16485401ec02")
    assert parse_heart_rate(bytearray(raw)) == parse_heart_rate(raw)
    assert parse_heart_rate(memoryview(raw)) == parse_heart_rate(raw)


def test_measurement_is_frozen_and_slotted() -> None:
    """A decoded measurement cannot be changed and carries no per-instance dict."""
    m = parse_heart_rate(bytes.fromhex("0048"))
    with pytest.raises(AttributeError):
        m.bpm = 1  # type: ignore[misc]
    assert not hasattr(m, "__dict__")


@pytest.mark.parametrize(
    ("hex_payload", "reason"),
    [
        ("", "empty payload"),
        ("00", "uint8 heart rate value but 0 byte(s)"),
        ("01", "uint16 heart rate value but 0 byte(s)"),
        ("0148", "uint16 heart rate value but 1 byte(s)"),
        ("0848", "Energy Expended (uint16) but 0 byte(s)"),
        ("084801", "Energy Expended (uint16) but 1 byte(s)"),
        ("1848", "Energy Expended (uint16) but 0 byte(s)"),
        ("1048", "no RR-Interval value follows"),
        ("104801", "odd number of bytes (1)"),
        ("16485401ec", "odd number of bytes (3)"),
        ("1848320054", "odd number of bytes (1)"),
    ],
)
def test_malformed_payload_raises_one_gatt_parse_error_with_reason(
    hex_payload: str, reason: str
) -> None:
    """Each kind of truncation is a GattParseError naming what is missing, never Index/struct."""
    payload = bytes.fromhex(hex_payload)
    with pytest.raises(GattParseError) as info:
        parse_heart_rate(payload)
    assert reason in info.value.reason
    assert info.value.payload == payload
    assert info.value.uuid == "2a37"


def test_malformed_payload_is_rejected_again_after_a_valid_one_of_other_length() -> None:
    """The layout cache never lets a short payload through on a longer payload's layout."""
    assert parse_heart_rate(bytes.fromhex("16485401ec02")).rr_raw == (340, 748)
    with pytest.raises(GattParseError):
        parse_heart_rate(bytes.fromhex("164854"))
    with pytest.raises(GattParseError):
        parse_heart_rate(bytes.fromhex("16485401ec"))


@pytest.mark.parametrize(
    ("code", "name"),
    [
        (0, "Other"),
        (1, "Chest"),
        (2, "Wrist"),
        (3, "Finger"),
        (4, "Hand"),
        (5, "Ear Lobe"),
        (6, "Foot"),
        (7, "reserved(7)"),
        (255, "reserved(255)"),
    ],
)
def test_body_sensor_location_names_and_reserved(code: int, name: str) -> None:
    """Known locations get the spec's name; reserved values are kept as reserved(N)."""
    assert parse_body_sensor_location(bytes([code])) == name


def test_body_sensor_location_enum_matches_the_spec_values() -> None:
    """The enum carries the HRS §3.2 numbers."""
    assert BodySensorLocation(5) is BodySensorLocation.EAR_LOBE
    assert BodySensorLocation.EAR_LOBE.label == "Ear Lobe"


def test_empty_body_sensor_location_is_a_parse_error() -> None:
    """An empty 0x2A38 read is malformed, reported against 2a38."""
    with pytest.raises(GattParseError) as info:
        parse_body_sensor_location(b"")
    assert info.value.uuid == "2a38"
