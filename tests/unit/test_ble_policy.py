"""The pure BLE policy: classifying advertisements, choosing a device, backing off."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from hiitd_drivers.backoff import (
    INITIAL_BACKOFF_S,
    JITTER_FRACTION,
    MAX_BACKOFF_S,
    Backoff,
    backoff_delay,
)
from hiitd_drivers.binding import Binding, ScanResult, choose, classify, select_device
from hiitd_drivers.decoding import MeasurementDecoder, decode_battery
from hiitd_drivers.gatt.encode import encode_heart_rate, encode_rsc
from hiitd_drivers.samples import (
    BatterySample,
    FootpodSample,
    HeartRateSample,
    ParseErrorSample,
    Role,
)

HR_SVC = "0000180d-0000-1000-8000-00805f9b34fb"
RSC_SVC = "00001814-0000-1000-8000-00805f9b34fb"


def hr(address: str, rssi: int, name: str | None = "Polar H10 1") -> ScanResult:
    return ScanResult(address=address, name=name, rssi=rssi, services=(HR_SVC,), role=Role.HR)


def pod(address: str, rssi: int, name: str | None = "Stryd") -> ScanResult:
    return ScanResult(address=address, name=name, rssi=rssi, services=(RSC_SVC,), role=Role.FOOTPOD)


# ---------------------------------------------------------------- classify


def test_classify_heart_rate_from_short_or_full_uuid():
    """The Heart Rate Service, in any spelling, makes a device a heart-rate sensor."""
    assert classify(["180d"]) is Role.HR
    assert classify(["0x180D"]) is Role.HR
    assert classify([HR_SVC, "0000180f-0000-1000-8000-00805f9b34fb"]) is Role.HR


def test_classify_footpod_from_rsc_service():
    """The RSC service makes a device a footpod."""
    assert classify([RSC_SVC]) is Role.FOOTPOD


def test_classify_prefers_heart_rate_when_both_are_advertised():
    """A device advertising both services is a heart-rate sensor (a footpod never sends HRS)."""
    assert classify([RSC_SVC, HR_SVC]) is Role.HR


def test_classify_unknown_or_garbage_is_none():
    """Other services, no services or unparseable UUIDs give no role."""
    assert classify([]) is None
    assert classify(["180f", "not-a-uuid", ""]) is None


# ---------------------------------------------------------------- select_device


def test_without_binding_the_strongest_device_of_the_role_is_taken():
    """Without a binding, the strongest device advertising the role's service wins."""
    results = [hr("AA:00", -80), pod("CC:00", -30), hr("BB:00", -58)]
    chosen = choose(results, Role.HR, Binding())
    assert chosen.device == results[2]
    assert chosen.why == "strongest of 2 heart-rate devices (-58 dBm)"


def test_without_binding_a_single_candidate_says_so():
    """The reason names the lone candidate."""
    assert (
        choose([pod("CC:00", -61)], Role.FOOTPOD, Binding()).why == "only footpod device (-61 dBm)"
    )


def test_no_device_of_the_role_gives_none_and_a_reason():
    """No candidate gives None and says no device of that role was seen."""
    chosen = choose([pod("CC:00", -30)], Role.HR, Binding())
    assert chosen.device is None
    assert chosen.why == "no heart-rate device seen"


def test_binding_by_address_matches_case_insensitively():
    """A bound address matches whatever case BlueZ or the user wrote it in."""
    results = [hr("AA:BB:CC:DD:EE:01", -90), hr("AA:BB:CC:DD:EE:02", -40)]
    chosen = choose(results, Role.HR, Binding(address="aa:bb:cc:dd:ee:01"))
    assert chosen.device == results[0]
    assert chosen.why == "bound address aa:bb:cc:dd:ee:01 (-90 dBm)"


def test_with_a_binding_never_another_device():
    """With a binding absent from the scan, no other device is taken, however strong."""
    results = [hr("AA:00", -30, name="Polar H10 1"), hr("BB:00", -40, name="Polar H10 1")]
    chosen = choose(results, Role.HR, Binding(address="FF:FF"))
    assert chosen.device is None
    assert chosen.why == "bound address FF:FF not seen (2 other device(s) ignored)"


def test_binding_address_wins_over_name():
    """When both are bound, a look-alike with the bound name but another address is refused."""
    results = [hr("AA:00", -30, name="Polar H10 1")]
    assert select_device(results, Role.HR, Binding(address="BB:00", name="Polar H10 1")) is None


def test_binding_by_name_is_exact():
    """A name binding takes only the exact name, never a prefix or another case."""
    results = [hr("AA:00", -30, name="Polar H10 12"), hr("BB:00", -70, name="polar h10 1")]
    assert select_device(results, Role.HR, Binding(name="Polar H10 1")) is None
    results.append(hr("CC:00", -80, name="Polar H10 1"))
    assert select_device(results, Role.HR, Binding(name="Polar H10 1")) == results[2]


def test_bound_device_is_taken_whatever_it_advertises():
    """The user's choice stands even when the advertisement lacks the role's service."""
    bare = ScanResult(address="AA:00", name="Pod", rssi=-70)
    assert select_device([bare], Role.FOOTPOD, Binding(address="AA:00")) == bare


@given(
    st.lists(
        st.builds(
            ScanResult,
            address=st.sampled_from(["AA:00", "BB:00", "CC:00", "aa:00"]),
            name=st.sampled_from([None, "Polar H10 1", "Stryd"]),
            rssi=st.integers(-100, 0),
            role=st.sampled_from([None, Role.HR, Role.FOOTPOD]),
        ),
        max_size=6,
    ),
    st.sampled_from([Role.HR, Role.FOOTPOD]),
)
def test_property_a_bound_selection_always_matches_the_binding(results, role):
    """Whatever advertises, a bound selection is the bound device or nothing."""
    binding = Binding(address="AA:00")
    chosen = select_device(results, role, binding)
    assert chosen is None or chosen.address.upper() == "AA:00"


# ---------------------------------------------------------------- backoff


def test_backoff_doubles_from_initial_without_jitter():
    """With the jitter draw at 0 the delay doubles from the initial value."""
    delays = [backoff_delay(n, initial_s=1.0, max_s=100.0, unit=0.0) for n in range(4)]
    assert delays == [1.0, 2.0, 4.0, 8.0]


def test_backoff_is_capped():
    """No delay exceeds the cap, even after thousands of attempts."""
    assert backoff_delay(5, initial_s=1.0, max_s=30.0, unit=0.0) == 30.0
    assert backoff_delay(10_000, initial_s=1.0, max_s=30.0, unit=0.0) == 30.0


@given(st.integers(0, 2000), st.floats(0.0, 1.0))
def test_backoff_jitter_stays_within_bounds(attempt, unit):
    """The jittered delay lies between (1 - jitter) x ceiling and the ceiling."""
    delay = backoff_delay(attempt, unit=unit)
    ceiling = min(MAX_BACKOFF_S, INITIAL_BACKOFF_S * 2.0 ** min(attempt, 64))
    assert ceiling * (1 - JITTER_FRACTION) - 1e-9 <= delay <= ceiling + 1e-9


def test_backoff_rejects_nonsense():
    """Negative attempts and an initial above the cap are caller bugs."""
    with pytest.raises(ValueError, match="attempt"):
        backoff_delay(-1)
    with pytest.raises(ValueError, match="initial_s"):
        backoff_delay(0, initial_s=10.0, max_s=1.0)


def test_backoff_state_climbs_and_resets_after_a_stable_connection():
    """Flapping links keep climbing; a connection that lasted resets to the initial delay."""
    b = Backoff(initial_s=1.0, max_s=8.0, stable_after_s=30.0, rand=lambda: 0.0)
    assert [b.next_delay() for _ in range(5)] == [1.0, 2.0, 4.0, 8.0, 8.0]
    b.connection_ended(5.0)
    assert b.next_delay() == 8.0
    b.connection_ended(30.0)
    assert b.next_delay() == 1.0


def test_backoff_uses_the_injected_random_draw():
    """The jitter comes from the injected draw, so two links draw different delays."""
    assert Backoff(initial_s=2.0, max_s=8.0, rand=lambda: 1.0).next_delay() == 1.0
    assert Backoff(initial_s=2.0, max_s=8.0, rand=lambda: 0.5).next_delay() == 1.5


# ---------------------------------------------------------------- decoding


def test_decoder_turns_a_truncated_payload_into_a_parse_error_sample():
    """A truncated measurement becomes a ParseErrorSample carrying the hex, never an exception."""
    sample = MeasurementDecoder(Role.HR).decode(b"\x01\x50", 3.0)
    assert isinstance(sample, ParseErrorSample)
    assert (sample.t, sample.role, sample.payload_hex) == (3.0, Role.HR, "0150")
    assert sample.uuid == "00002a37-0000-1000-8000-00805f9b34fb"


def test_decoder_applies_the_footpod_calibration():
    """Footpod speed is multiplied by the configured factor."""
    sample = MeasurementDecoder(Role.FOOTPOD, speed_factor=1.5).decode(encode_rsc(2.0, 90), 1.0)
    assert isinstance(sample, FootpodSample)
    assert sample.speed_mps == pytest.approx(3.0)


def test_decoder_heart_rate_without_contact_is_no_data():
    """No skin contact is "no data", never a heart rate."""
    sample = MeasurementDecoder(Role.HR).decode(encode_heart_rate(70, contact=False), 1.0)
    assert isinstance(sample, HeartRateSample)
    assert sample.bpm is None


def test_battery_decoding_good_and_bad():
    """A battery level decodes to a percentage; an empty payload to a ParseErrorSample."""
    assert decode_battery(Role.HR, b"\x55", 2.0) == BatterySample(t=2.0, role=Role.HR, level=85)
    assert isinstance(decode_battery(Role.HR, b"", 2.0), ParseErrorSample)
