"""Property tests: encode/decode round trips, and no parser raises anything but GattParseError."""

from __future__ import annotations

from typing import TYPE_CHECKING, TypeVar

from hypothesis import example, given
from hypothesis import strategies as st

from hiitd_drivers.driver_errors import GattParseError
from hiitd_drivers.gatt import (
    HeartRateMeasurement,
    RscMeasurement,
    decode_payload,
    encode_battery,
    encode_heart_rate,
    encode_rsc,
    parse_battery_level,
    parse_body_sensor_location,
    parse_device_info_string,
    parse_heart_rate,
    parse_rsc,
    parse_rsc_feature,
)
from hiitd_drivers.gatt.uuids import CHARACTERISTIC_NAMES

if TYPE_CHECKING:
    from collections.abc import Callable

T = TypeVar("T")

uint8 = st.integers(0, 0xFF)
uint16 = st.integers(0, 0xFFFF)
uint32 = st.integers(0, 0xFFFF_FFFF)
# Up to 512 bytes: the longest attribute value ATT allows.
payloads = st.binary(max_size=512)


@given(
    bpm=uint16,
    contact=st.none() | st.booleans(),
    energy_kj=st.none() | uint16,
    rr_raw=st.lists(uint16, max_size=20),
    force_uint16=st.booleans(),
)
def test_heart_rate_round_trips(
    bpm: int, contact: bool | None, energy_kj: int | None, rr_raw: list[int], force_uint16: bool
) -> None:
    """Any valid measurement decodes back to exactly what was encoded."""
    payload = encode_heart_rate(
        bpm, contact=contact, energy_kj=energy_kj, rr_raw=rr_raw, force_uint16=force_uint16
    )
    assert parse_heart_rate(payload) == HeartRateMeasurement(
        bpm=bpm, contact=contact, energy_kj=energy_kj, rr_raw=tuple(rr_raw)
    )


@given(
    speed_raw=uint16,
    cadence=uint8,
    stride_raw=st.none() | uint16,
    distance_raw=st.none() | uint32,
    running=st.booleans(),
)
def test_rsc_round_trips_at_field_resolution(
    speed_raw: int, cadence: int, stride_raw: int | None, distance_raw: int | None, running: bool
) -> None:
    """Values on the field grid (1/256 m/s, 1/100 m, 1/10 m) decode back and re-encode alike."""
    stride_m = None if stride_raw is None else stride_raw / 100
    distance_m = None if distance_raw is None else distance_raw / 10
    payload = encode_rsc(
        speed_raw / 256, cadence, stride_m=stride_m, distance_m=distance_m, running=running
    )
    m = parse_rsc(payload)
    assert m == RscMeasurement(
        speed_mps=speed_raw / 256,
        cadence_spm=cadence,
        stride_m=stride_m,
        distance_m=distance_m,
        running=running,
    )
    again = encode_rsc(
        m.speed_mps, m.cadence_spm, stride_m=m.stride_m, distance_m=m.distance_m, running=running
    )
    assert again == payload


@given(level=st.integers(0, 100))
def test_battery_round_trips(level: int) -> None:
    """Every level 0..100 decodes back to itself."""
    assert parse_battery_level(encode_battery(level)) == level


def _attempt(parse: Callable[[bytes], T], data: bytes) -> tuple[T | None, GattParseError | None]:
    """Run a parser; any exception other than GattParseError propagates and fails the test."""
    try:
        return parse(data), None
    except GattParseError as exc:
        return None, exc


def _reference_heart_rate(data: bytes) -> HeartRateMeasurement | None:
    """A deliberately plain HRS §3.1 decoder (no struct, no cache); None when malformed."""
    if not data:
        return None
    flags, pos = data[0], 1
    width = 2 if flags & 0x01 else 1
    if len(data) < pos + width:
        return None
    bpm = int.from_bytes(data[pos : pos + width], "little")
    pos += width
    energy = None
    if flags & 0x08:
        if len(data) < pos + 2:
            return None
        energy = int.from_bytes(data[pos : pos + 2], "little")
        pos += 2
    rr: list[int] = []
    if flags & 0x10:
        rest = data[pos:]
        if not rest or len(rest) % 2:
            return None
        rr = [int.from_bytes(rest[i : i + 2], "little") for i in range(0, len(rest), 2)]
    contact = bool(flags & 0x02) if flags & 0x04 else None
    return HeartRateMeasurement(bpm=bpm, contact=contact, energy_kj=energy, rr_raw=tuple(rr))


@given(payloads)
@example(b"")
@example(bytes.fromhex("170101"))
@example(bytes.fromhex("1f0101320101000201ffff"))
def test_heart_rate_agrees_with_a_plain_reference_decoder(data: bytes) -> None:
    """On any bytes, the cached-layout parser gives what a naive decoder gives, or a parse error."""
    want = _reference_heart_rate(data)
    got, error = _attempt(parse_heart_rate, data)
    assert got == want
    if error is not None:
        assert error.payload == data


@given(payloads)
def test_rsc_parsers_raise_only_gatt_parse_error(data: bytes) -> None:
    """Random bytes either decode or raise GattParseError (never IndexError or struct.error)."""
    for parse in (parse_rsc, parse_rsc_feature):
        value, error = _attempt(parse, data)
        assert (value is None) != (error is None)
        if error is not None:
            assert error.payload == data


@given(payloads)
def test_small_parsers_raise_only_gatt_parse_error(data: bytes) -> None:
    """Battery, body location and DIS on random bytes: a value or GattParseError, nothing else."""
    try:
        level = parse_battery_level(data)
    except GattParseError:
        assert not data or data[0] > 100
    else:
        assert 0 <= level <= 100
    try:
        location = parse_body_sensor_location(data)
    except GattParseError:
        assert not data
    else:
        assert location
    assert isinstance(parse_device_info_string(data), str)


@given(uuid=st.sampled_from(sorted(CHARACTERISTIC_NAMES)) | st.text(max_size=40), data=payloads)
def test_decode_payload_never_raises(uuid: str, data: bytes) -> None:
    """decode_payload answers any uuid text and bytes with a dict, never an exception."""
    result = decode_payload(uuid, data)
    assert "uuid" in result
    assert "hex" in result
    assert result["hex"] == data.hex()
