"""The plausibility gates: what no runner's body produces becomes a gap, counted by reason."""

from __future__ import annotations

import pytest

from hiitd.mqtt.topics import Topics
from hiitd.runtime.telemetry import Telemetry
from hiitd_drivers.decoding import MeasurementDecoder
from hiitd_drivers.gatt.encode import encode_heart_rate, encode_rsc
from hiitd_drivers.plausibility import HeartGate, check_footpod
from hiitd_drivers.samples import (
    FootpodSample,
    HeartRateSample,
    RejectedSample,
    RejectReason,
    Role,
)


def _hr(t: float, bpm: int, rr: tuple[float, ...] = ()) -> HeartRateSample:
    return HeartRateSample(t=t, bpm=bpm, rr_ms=rr, contact=True)


def _run(gate: HeartGate, bpms: list[int], t0: float = 0.0) -> list[int | None]:
    return [gate.check(_hr(t0 + i, b)).bpm for i, b in enumerate(bpms)]


@pytest.mark.parametrize("bpm", [24, 241, 300, 65535])
def test_a_heart_rate_outside_25_to_240_is_no_data(bpm: int) -> None:
    """24, 241, 300 or 65535 bpm: bpm None, no RR, and the reason says why."""
    out = HeartGate().check(_hr(0.0, bpm, (600.0,)))
    assert out.bpm is None
    assert out.rr_ms == ()
    assert out.rejected == (RejectReason.HR_RANGE,)


@pytest.mark.parametrize("bpm", [25, 60, 190, 240])
def test_a_heart_rate_inside_the_bounds_passes_unchanged(bpm: int) -> None:
    """The bounds themselves are plausible; the sample comes back as it was."""
    s = _hr(0.0, bpm)
    assert HeartGate().check(s) == s


def test_a_jump_of_85_bpm_in_a_second_is_held_until_three_beats_confirm_it() -> None:
    """150 -> 235 in 1 s: the jump and the next two beats are gaps, the fourth is believed."""
    gate = HeartGate()
    assert _run(gate, [150, 150, 235, 235, 236, 235, 235]) == [
        150, 150, None, None, None, 235, 235,
    ]  # fmt: skip


def test_a_spike_that_does_not_last_is_dropped_and_the_old_level_goes_on() -> None:
    """150, 235, 151: the spike is rejected as a jump; 151 is believed at once."""
    gate = HeartGate()
    s = gate.check(_hr(1.0, 150))
    assert s.bpm == 150
    spike = gate.check(_hr(2.0, 235))
    assert (spike.bpm, spike.rejected) == (None, (RejectReason.HR_JUMP,))
    assert gate.check(_hr(3.0, 151)).bpm == 151


def test_after_a_dropout_a_bigger_change_is_believed() -> None:
    """A heart has time to change during a 10 s gap: 100 -> 170 after it passes."""
    gate = HeartGate()
    assert gate.check(_hr(0.0, 100)).bpm == 100
    assert gate.check(_hr(10.0, 170)).bpm == 170


def test_no_contact_passes_as_it_is_and_changes_nothing() -> None:
    """bpm None (no contact) is already no data; the gate keeps comparing with the last beat."""
    gate = HeartGate()
    gate.check(_hr(0.0, 120))
    none = HeartRateSample(t=1.0, bpm=None, contact=False)
    assert gate.check(none) is none
    assert gate.check(_hr(2.0, 200)).bpm is None  # still a jump from 120


def test_rr_intervals_outside_250_to_2500_ms_are_dropped_and_the_bpm_kept() -> None:
    """RR 100 and 3000 ms go (rr_range); the plausible ones stay; bpm stays."""
    out = HeartGate().check(_hr(0.0, 100, (100.0, 600.0, 3000.0, 600.0)))
    assert out.bpm == 100
    assert out.rr_ms == (600.0, 600.0)
    assert out.rejected == (RejectReason.RR_RANGE,)


def test_rr_intervals_that_disagree_with_the_bpm_are_dropped() -> None:
    """bpm 150 with RR of 1000 ms (60 bpm): the RR go (rr_mismatch), the bpm stays."""
    out = HeartGate().check(_hr(0.0, 150, (1000.0, 1000.0)))
    assert (out.bpm, out.rr_ms, out.rejected) == (150, (), (RejectReason.RR_MISMATCH,))
    ok = HeartGate().check(_hr(0.0, 150, (400.0, 410.0)))
    assert ok.rr_ms == (400.0, 410.0)
    assert ok.rejected == ()


@pytest.mark.parametrize(
    ("speed", "cadence", "reason"),
    [
        (60.0, 170.0, RejectReason.SPEED_RANGE),
        (255.99, 170.0, RejectReason.SPEED_RANGE),
        (4.0, 300.0, RejectReason.CADENCE_RANGE),
    ],
)
def test_a_footpod_beyond_a_runner_is_rejected(
    speed: float, cadence: float, reason: RejectReason
) -> None:
    """60 m/s, 0xFFFF/256 m/s or 300 spm: a RejectedSample with the reason and value."""
    out = check_footpod(FootpodSample(t=1.0, speed_mps=speed, cadence_spm=cadence))
    assert isinstance(out, RejectedSample)
    assert (out.role, out.reason) == (Role.FOOTPOD, reason)


def test_a_sprinters_footpod_passes() -> None:
    """12.5 m/s at 250 spm is fast but human."""
    s = FootpodSample(t=1.0, speed_mps=12.5, cadence_spm=250.0)
    assert check_footpod(s) is s


def test_the_decoder_gates_real_payloads_per_link() -> None:
    """A strap's decoder turns a uint16 65535 bpm frame into a gap; a pod's 0xFFFF speed too."""
    strap = MeasurementDecoder(Role.HR)
    assert strap.decode(encode_heart_rate(140), 0.0) == HeartRateSample(0.0, 140)
    bad = strap.decode(encode_heart_rate(65535), 1.0)
    assert isinstance(bad, HeartRateSample)
    assert (bad.bpm, bad.rejected) == (None, (RejectReason.HR_RANGE,))
    pod = MeasurementDecoder(Role.FOOTPOD)
    assert isinstance(pod.decode(encode_rsc(3.5, 170), 0.0), FootpodSample)
    assert isinstance(pod.decode(encode_rsc(255.99, 170), 0.0), RejectedSample)


def test_telemetry_counts_rejections_per_sensor_and_reason_and_publishes_no_value() -> None:
    """The hr message of a rejected frame has bpm null and says why; diagnostics count it."""
    tel = Telemetry(Topics("hiitd", "athlete"))
    gate = HeartGate()
    [out] = tel.handle(gate.check(_hr(0.0, 65535)), 1.0)
    assert b'"bpm":null' in out.payload
    assert b'"rejected":["hr_range"]' in out.payload
    assert tel.handle(RejectedSample(1.0, Role.FOOTPOD, RejectReason.SPEED_RANGE, 60.0), 1.0) == []
    tel.handle(RejectedSample(2.0, Role.FOOTPOD, RejectReason.SPEED_RANGE, 61.0), 2.0)
    assert tel.sensor_health() == {
        "hr": {"malformed": 0, "rejected": {"hr_range": 1}},
        "footpod": {"malformed": 0, "rejected": {"speed_range": 2}},
    }
