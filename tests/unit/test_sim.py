"""The simulated athlete: physiology, real GATT payloads, faults, and the async source."""

from __future__ import annotations

import asyncio
import itertools
import math
import statistics
from typing import TYPE_CHECKING

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from hiitd_drivers.clock import ScaledClock
from hiitd_drivers.convert import heart_rate_sample
from hiitd_drivers.gatt.heart_rate import HeartRateMeasurement, parse_heart_rate
from hiitd_drivers.gatt.rsc import RscMeasurement, parse_rsc
from hiitd_drivers.gatt.uuids import HEART_RATE_MEASUREMENT, RSC_MEASUREMENT
from hiitd_drivers.samples import (
    BatterySample,
    FootpodSample,
    HeartRateSample,
    Link,
    LinkSample,
    Role,
    Sample,
)
from hiitd_drivers.sim import (
    AthleteModel,
    Dropout,
    SimulatedAthlete,
    demo_target,
    demo_target_from,
    run_simulation,
)
from hiitd_drivers.sim_athlete import rpe_from_exertion

if TYPE_CHECKING:
    from collections.abc import Callable

STEP_S = 0.25
Frame = tuple[float, str, bytes]


def run(
    athlete: SimulatedAthlete,
    seconds: float,
    target: Callable[[float], float],
    *,
    start: float = 0.0,
) -> list[Frame]:
    """Advance ``athlete`` from ``start`` in 0.25 s calls; return (call time, uuid, payload)."""
    frames: list[Frame] = []
    if not athlete.started:
        athlete.advance(start, target(start))
    for i in range(1, round(seconds / STEP_S) + 1):
        now = start + i * STEP_S
        frames.extend((now, uuid, payload) for uuid, payload in athlete.advance(now, target(now)))
    return frames


def heart(frames: list[Frame]) -> list[tuple[float, HeartRateMeasurement]]:
    return [(t, parse_heart_rate(p)) for t, uuid, p in frames if uuid == HEART_RATE_MEASUREMENT]


def pod(frames: list[Frame]) -> list[tuple[float, RscMeasurement]]:
    return [(t, parse_rsc(p)) for t, uuid, p in frames if uuid == RSC_MEASUREMENT]


def rr_ms(measurements: list[tuple[float, HeartRateMeasurement]]) -> list[float]:
    return [rr * 1000 / 1024 for _, m in measurements for rr in m.rr_raw]


def rmssd(rr: list[float]) -> float:
    diffs = [b - a for a, b in itertools.pairwise(rr)]
    return math.sqrt(statistics.fmean(d * d for d in diffs))


def constant(speed: float) -> Callable[[float], float]:
    return lambda _now: speed


# ---------------------------------------------------------------- payloads


def test_every_payload_parses_with_the_real_parsers() -> None:
    """Every notification of a 20-minute demo with faults decodes with the real parsers."""
    athlete = SimulatedAthlete(seed=3)
    athlete.drop(Role.HR, 8, at=300)
    athlete.drop(Role.FOOTPOD, 5, at=400)
    athlete.lose_contact(10, at=500)
    frames = run(athlete, 1200, demo_target)
    assert {uuid for _, uuid, _ in frames} == {HEART_RATE_MEASUREMENT, RSC_MEASUREMENT}
    assert len(heart(frames)) > 1150
    assert len(pod(frames)) > 2350


def test_notification_rates_are_1hz_strap_and_2hz_pod() -> None:
    """The strap notifies once a second and the pod twice a second."""
    frames = run(SimulatedAthlete(seed=1), 60, constant(3.0))
    assert len(heart(frames)) == 60
    assert len(pod(frames)) == 120


def test_same_seed_gives_identical_payloads() -> None:
    """The same seed and the same calls give byte-identical payloads; another seed differs."""
    a = run(SimulatedAthlete(seed=7), 600, demo_target)
    b = run(SimulatedAthlete(seed=7), 600, demo_target)
    c = run(SimulatedAthlete(seed=8), 600, demo_target)
    assert a == b
    assert a != c


# ---------------------------------------------------------------- heart rate


def test_hr_follows_a_step_with_a_60_s_time_constant() -> None:
    """60 s after a step from rest to 3.5 m/s, HR is ~63 % of the way to its steady state."""
    profile = AthleteModel()
    athlete = SimulatedAthlete(profile, seed=2)
    hr_at = {round(t): m.bpm for t, m in heart(run(athlete, 600, constant(3.5)))}
    start, goal = profile.resting_hr, profile.hr_steady_state(3.5)
    # The ~2.5 s acceleration lag delays the curve slightly: expect 1 - e^-0.96.
    assert 0.58 <= (hr_at[60] - start) / (goal - start) <= 0.68
    assert hr_at[30] < hr_at[60] < hr_at[120] < hr_at[240]
    assert abs(hr_at[600] - goal) <= 1.5


def effort_then_rest(
    profile: AthleteModel, effort_s: float, speed: float, rest_s: float
) -> tuple[SimulatedAthlete, float, tuple[float, float], dict[int, float]]:
    """Run ``effort_s`` at ``speed``, then stand; HR at each whole second of the rest."""
    athlete = SimulatedAthlete(profile, seed=2)
    run(athlete, effort_s, constant(speed))
    peak, phases = athlete.heart_rate, athlete.hr_phases
    hr_at: dict[int, float] = {}
    t = effort_s
    for i in range(1, round(rest_s / STEP_S) + 1):
        t = effort_s + i * STEP_S
        athlete.advance(t, 0.0)
        if i % 4 == 0:
            hr_at[round(t - effort_s)] = athlete.heart_rate
    return athlete, peak, phases, hr_at


@pytest.mark.parametrize(("effort_s", "speed"), [(900, 3.5), (240, 4.5), (1200, 4.2)])
def test_recovery_follows_a_two_phase_model(effort_s: float, speed: float) -> None:
    """After a hard effort HR falls as rest + A_fast e^(-t/tau_fast) + A_slow e^(-t/tau_slow).

    The amplitudes are the model's (fast, slow) parts at the moment of stopping;
    the curve at 30, 60, 120 and 300 s matches the bi-exponential within 1 bpm
    (the runner's 2.5 s deceleration is the only departure). HRR60 is a healthy
    runner's 15-45 bpm (Cole CR et al., N Engl J Med 1999; 341: 1351-7: under
    12 bpm abnormal; fit runners 25-50 after hard running), and the slow phase
    keeps HR well above rest after two minutes: the old single 75 s lag took a
    runner from 148 to 75 bpm in that time.
    """
    profile = AthleteModel()
    _, peak, (fast, slow), hr_at = effort_then_rest(profile, effort_s, speed, 300)
    assert fast > 0
    assert slow > fast  # a long or hard effort leaves most of it to the slow phase

    def model(t: float) -> float:
        return (
            profile.resting_hr
            + fast * math.exp(-t / profile.hr_fast_recovery_s)
            + slow * math.exp(-t / profile.hr_slow_recovery_s)
        )

    for t in (30, 60, 120, 300):
        assert hr_at[t] == pytest.approx(model(t), abs=1.0)
    assert 15 <= peak - hr_at[60] <= 45
    above = peak - profile.resting_hr
    assert hr_at[120] - profile.resting_hr > 0.45 * above
    # Fast, then slow: the first 30 s fall faster (per second, in log terms) than 60-120 s.
    early = math.log((peak - profile.resting_hr) / (hr_at[30] - profile.resting_hr)) / 30
    late = math.log((hr_at[60] - profile.resting_hr) / (hr_at[120] - profile.resting_hr)) / 60
    assert early > 2 * late


def test_a_longer_harder_effort_recovers_more_slowly() -> None:
    """The slow phase builds with the effort: 20 min hard leaves HR higher at 2 min than 1 min."""
    profile = AthleteModel()
    _, short_peak, _, short = effort_then_rest(profile, 60, 4.2, 120)
    _, long_peak, _, long = effort_then_rest(profile, 1200, 4.2, 120)
    short_share = (short[120] - profile.resting_hr) / (short_peak - profile.resting_hr)
    long_share = (long[120] - profile.resting_hr) / (long_peak - profile.resting_hr)
    assert long_share > short_share + 0.15


def test_heart_rate_drifts_up_over_a_long_steady_run() -> None:
    """Cardiovascular drift: at a constant easy speed HR creeps up a few bpm per 10 min
    after the first ten minutes, more in the heat; none in the first minutes."""
    easy = 0.65 * AthleteModel().vvo2max_mps

    def hr_over(profile: AthleteModel) -> dict[int, float]:
        athlete = SimulatedAthlete(profile, seed=3)
        out = {}
        for minute in range(1, 61):
            run(athlete, 60, constant(easy), start=(minute - 1) * 60.0)
            out[minute] = athlete.heart_rate
        return out

    temperate = hr_over(AthleteModel())
    hot = hr_over(AthleteModel(heat=2.0))
    gain = temperate[60] - temperate[20]
    assert 4 <= gain <= 20  # ~2-5 bpm per 10 min
    assert hot[60] - hot[20] > 1.5 * gain
    assert temperate[10] == pytest.approx(AthleteModel().hr_steady_state(easy), abs=2.0)


def intervals_rpe(effort: float) -> float:
    """Five 3-minute reps at 3.6 m/s with 2 minutes standing: the session's rating."""
    athlete = SimulatedAthlete(AthleteModel(effort=effort), seed=1)
    t = 0.0
    for _ in range(5):
        run(athlete, 180, constant(3.6), start=t)
        run(athlete, 120, constant(0.0), start=t + 180)
        t += 300
    return athlete.session_rpe()


def test_rpe_rises_with_effort() -> None:
    """The same session run at 85 %, 100 % and 115 % of the target rates higher each time."""
    ratings = [intervals_rpe(e) for e in (0.85, 1.0, 1.15)]
    assert ratings == sorted(ratings)
    assert ratings[1] - ratings[0] >= 1.0
    assert ratings[2] - ratings[1] >= 1.0
    assert all(0 < r <= 10 for r in ratings)


def test_rpe_from_exertion_is_monotone_and_anchored() -> None:
    """CR-10 anchors: an easy run is moderate (3-5), vVO2max is 10; longer rates a bit higher."""
    assert 3 <= rpe_from_exertion(0.65, 1800) <= 5
    assert rpe_from_exertion(1.0, 1800) == pytest.approx(10.0)
    values = [rpe_from_exertion(x / 20, 1800) for x in range(21)]
    assert values == sorted(values)
    assert rpe_from_exertion(0.7, 3600) > rpe_from_exertion(0.7, 1800)
    assert rpe_from_exertion(0.7, 0) == 0.0


def test_hr_never_exceeds_max() -> None:
    """Running far beyond vVO2max for 20 minutes pins HR at max_hr, never above."""
    profile = AthleteModel(max_hr=182)
    bpms = [m.bpm for _, m in heart(run(SimulatedAthlete(profile, seed=4), 1200, constant(7.0)))]
    assert max(bpms) == profile.max_hr


def test_rr_mean_matches_reported_heart_rate() -> None:
    """At steady state the mean RR interval is 60000 / HR within 2 %."""
    athlete = SimulatedAthlete(seed=5)
    run(athlete, 600, constant(3.0))
    measured = heart(run(athlete, 300, constant(3.0), start=600))
    mean_bpm = statistics.fmean(m.bpm for _, m in measured)
    assert statistics.fmean(rr_ms(measured)) == pytest.approx(60000 / mean_bpm, rel=0.02)


def test_rr_intervals_vary_plausibly_at_rest_and_hard() -> None:
    """RR varies beat to beat: RMSSD tens of ms at rest, a few ms running hard."""
    resting = SimulatedAthlete(seed=6)
    rest_rr = rr_ms(heart(run(resting, 300, constant(0.0))))
    hard = SimulatedAthlete(seed=6)
    run(hard, 600, constant(4.2))
    hard_rr = rr_ms(heart(run(hard, 300, constant(4.2), start=600)))
    assert all(b != a for a, b in itertools.pairwise(rest_rr))
    assert 30 <= rmssd(rest_rr) <= 120
    assert 2 <= rmssd(hard_rr) <= 20


# ---------------------------------------------------------------- footpod


def test_effort_is_the_fraction_of_target_speed_achieved() -> None:
    """effort=0.85 runs at ~85 % of the target speed."""
    athlete = SimulatedAthlete(AthleteModel(effort=0.85), seed=1)
    run(athlete, 30, constant(4.0))
    speeds = [m.speed_mps for _, m in pod(run(athlete, 120, constant(4.0), start=30))]
    assert statistics.fmean(speeds) == pytest.approx(0.85 * 4.0, rel=0.01)


def test_distance_is_the_integral_of_speed() -> None:
    """Distance is the exact integral of the lagged speed, and the pod sends it."""
    profile = AthleteModel()
    athlete = SimulatedAthlete(profile, seed=1)
    frames = pod(run(athlete, 600, constant(3.2)))
    tau = profile.speed_time_constant_s

    def exact(t: float) -> float:
        return 3.2 * (t - tau * (1 - math.exp(-t / tau)))

    expected = exact(600)
    assert athlete.distance_m == pytest.approx(expected, rel=1e-9)
    # The last pod frame went out at 599.75 s; the field has 0.1 m resolution.
    assert frames[-1][1].distance_m == pytest.approx(exact(599.75), abs=0.051)
    summed = sum(m.speed_mps * 0.5 for _, m in frames)
    assert summed == pytest.approx(expected, rel=0.01)


@pytest.mark.parametrize(("speed", "cadence"), [(2.5, 160), (4.0, 175), (5.5, 190)])
def test_cadence_rises_with_speed_and_stride_matches(speed: float, cadence: int) -> None:
    """Cadence goes ~160 spm at 2.5 m/s to ~190 at 5.5; stride is speed * 60 / cadence."""
    athlete = SimulatedAthlete(seed=9)
    run(athlete, 30, constant(speed))
    frames = pod(run(athlete, 60, constant(speed), start=30))
    assert statistics.fmean(m.cadence_spm for _, m in frames) == pytest.approx(cadence, abs=1.5)
    for _, m in frames:
        assert m.running
        assert m.stride_m == pytest.approx(m.speed_mps * 60 / m.cadence_spm, rel=0.02)


def test_walking_and_standing_clear_the_running_bit() -> None:
    """Below the walk-run speed the pod says walking; standing still it sends 0 speed and 0 spm."""
    athlete = SimulatedAthlete(seed=9)
    walking = pod(run(athlete, 60, constant(1.4)))[-1][1]
    assert not walking.running
    assert 105 <= walking.cadence_spm <= 125
    standing = pod(run(athlete, 60, constant(0.0), start=60))[-1][1]
    assert (standing.speed_mps, standing.cadence_spm, standing.running) == (0.0, 0, False)


def test_pods_reporting_strides_send_half_the_step_rate() -> None:
    """With pod_reports_strides the RSC cadence field holds strides per minute."""
    athlete = SimulatedAthlete(AthleteModel(pod_reports_strides=True), seed=9)
    run(athlete, 30, constant(4.0))
    frames = pod(run(athlete, 30, constant(4.0), start=30))
    assert statistics.fmean(m.cadence_spm for _, m in frames) == pytest.approx(87.5, abs=1.5)


# ---------------------------------------------------------------- faults


def test_link_dropout_produces_no_frames() -> None:
    """During a strap dropout no heart-rate frames come; the pod goes on, and HR resumes."""
    athlete = SimulatedAthlete(dropouts=(Dropout(Role.HR, 100, 10),), seed=1)
    frames = run(athlete, 200, constant(3.0))
    hr_times = [t for t, _ in heart(frames)]
    assert not [t for t in hr_times if 100 <= t < 110]
    assert 99 in hr_times
    assert 110 in hr_times
    assert len([t for t, _ in pod(frames) if 100 <= t < 110]) == 20


def test_footpod_dropout_produces_no_frames_but_distance_keeps_counting() -> None:
    """During a pod dropout no RSC frames come; the distance after it includes the gap."""
    athlete = SimulatedAthlete(seed=1)
    run(athlete, 60, constant(3.0))
    athlete.drop(Role.FOOTPOD, 20)
    frames = pod(run(athlete, 40, constant(3.0), start=60))
    assert all(t >= 80 for t, _ in frames)
    before = frames[0][1].distance_m
    assert before == pytest.approx(3.0 * (80.25 - 2.5), abs=1)


def test_contact_loss_sends_zero_bpm_without_contact_which_converts_to_none() -> None:
    """A slipped strap sends bpm 0 with contact false; the converted sample has bpm None."""
    athlete = SimulatedAthlete(seed=1)
    run(athlete, 50, constant(3.0))
    athlete.lose_contact(5)
    measured = heart(run(athlete, 10, constant(3.0), start=50))
    # The window is [50, 55): the frame at 50 s went out before the slip.
    lost = [(t, m) for t, m in measured if t < 55]
    assert len(lost) == 4
    for t, m in lost:
        assert (m.bpm, m.contact, m.rr_raw) == (0, False, ())
        sample = heart_rate_sample(m, t)
        assert sample.bpm is None
        assert sample.contact is False
    assert all(m.contact and m.bpm > 100 and m.rr_raw for t, m in measured if t >= 56)


def test_link_changes_report_dropout_edges() -> None:
    """link_changes lists DOWN and UP at a dropout's edges, relative to the first advance."""
    athlete = SimulatedAthlete(dropouts=(Dropout(Role.FOOTPOD, 10, 5),))
    athlete.advance(1000.0, 0.0)
    assert athlete.link_changes(1000.0, 1030.0) == [
        (1010.0, Role.FOOTPOD, Link.DOWN),
        (1015.0, Role.FOOTPOD, Link.UP),
    ]
    assert athlete.link(Role.FOOTPOD, 1012.0) is Link.DOWN
    assert athlete.link(Role.HR, 1012.0) is Link.UP


# ---------------------------------------------------------------- validation


def test_time_going_backwards_or_bad_target_is_rejected() -> None:
    """advance refuses an earlier time and a negative or non-finite target speed."""
    athlete = SimulatedAthlete()
    athlete.advance(10.0, 0.0)
    with pytest.raises(ValueError, match="backwards"):
        athlete.advance(9.0, 0.0)
    for bad in (-1.0, math.nan, math.inf):
        with pytest.raises(ValueError, match="target speed"):
            athlete.advance(11.0, bad)


@pytest.mark.parametrize(
    "kwargs",
    [
        {"resting_hr": 190, "max_hr": 180},
        {"easy_speed_mps": 4.0, "threshold_speed_mps": 3.0},
        {"effort": 0.0},
        {"hr_time_constant_s": 0.0},
        {"speed_time_constant_s": -1.0},
    ],
)
def test_impossible_profiles_are_rejected(kwargs: dict[str, float]) -> None:
    """A profile that cannot describe a runner raises ValueError."""
    with pytest.raises(ValueError, match=r"must|need|effort"):
        AthleteModel(**kwargs)  # type: ignore[arg-type]


def test_contact_loss_on_the_footpod_is_rejected() -> None:
    """Only the strap has skin contact to lose."""
    with pytest.raises(ValueError, match="contact"):
        Dropout(Role.FOOTPOD, 0, 5, kind="contact")


@settings(max_examples=25, deadline=None)
@given(
    seed=st.integers(0, 2**32),
    speeds=st.lists(st.floats(0.0, 9.0), min_size=1, max_size=8),
    effort=st.floats(0.5, 1.2),
)
def test_any_workout_gives_parseable_bounded_frames(
    seed: int, speeds: list[float], effort: float
) -> None:
    """Whatever the targets, payloads parse and HR stays within resting..max."""
    profile = AthleteModel(effort=effort)
    athlete = SimulatedAthlete(profile, seed=seed)
    frames = run(
        athlete, 30 * len(speeds), lambda now: speeds[min(int(now // 30), len(speeds) - 1)]
    )
    for _, m in heart(frames):
        assert profile.resting_hr <= m.bpm <= profile.max_hr
    for _, rsc in pod(frames):
        assert 0 <= rsc.speed_mps < 12


# ---------------------------------------------------------------- demo target


def test_demo_target_warms_up_then_alternates_hard_and_easy() -> None:
    """3 minutes easy, then 1 minute hard and 1 minute easy, repeating."""
    p = AthleteModel()
    assert demo_target(0) == demo_target(179) == p.easy_speed_mps
    assert demo_target(180) == demo_target(239) > p.threshold_speed_mps
    assert demo_target(240) == demo_target(299) == p.easy_speed_mps
    assert demo_target(300) == demo_target(180)
    assert demo_target_from(1000.0)(1180.0) == demo_target(180)


# ---------------------------------------------------------------- async source


class FakeClock:
    """Clock time moves only when the source sleeps: no real waiting."""

    def __init__(self, t: float = 5000.0) -> None:
        self.t = t

    def now(self) -> float:
        return self.t

    async def sleep(self, seconds: float) -> None:
        self.t += seconds
        await asyncio.sleep(0)


async def simulate(
    athlete: SimulatedAthlete, clock: FakeClock, seconds: float, **kwargs: float
) -> list[Sample]:
    samples: list[Sample] = []
    stop = asyncio.Event()
    end = clock.now() + seconds

    def emit(sample: Sample) -> None:
        samples.append(sample)
        if clock.now() >= end:
            stop.set()

    await run_simulation(athlete, clock, constant(3.5), emit, stop=stop, **kwargs)
    return samples


async def test_run_simulation_emits_link_battery_then_decoded_samples() -> None:
    """The source announces both sensors and batteries, then decoded samples stamped with now."""
    clock = FakeClock()
    samples = await simulate(SimulatedAthlete(seed=1), clock, 30)
    assert samples[:4] == [
        LinkSample(
            5000.0,
            Role.HR,
            Link.UP,
            "5E:00:00:00:00:01",
            "hiitd sim strap",
            "simulated sensor connected",
        ),
        BatterySample(5000.0, Role.HR, 87),
        LinkSample(
            5000.0,
            Role.FOOTPOD,
            Link.UP,
            "5E:00:00:00:00:02",
            "hiitd sim footpod",
            "simulated sensor connected",
        ),
        BatterySample(5000.0, Role.FOOTPOD, 64),
    ]
    hr = [s for s in samples if isinstance(s, HeartRateSample)]
    fp = [s for s in samples if isinstance(s, FootpodSample)]
    assert 29 <= len(hr) <= 31
    assert 59 <= len(fp) <= 61
    assert all(s.t == pytest.approx(5000.0 + round((s.t - 5000.0) / 0.25) * 0.25) for s in hr + fp)
    assert hr[-1].bpm is not None
    assert hr[-1].rr_ms
    assert [s.link for s in samples[-2:] if isinstance(s, LinkSample)] == [Link.DOWN, Link.DOWN]


async def test_run_simulation_applies_pod_calibration() -> None:
    """speed_factor and cadence_scale reach the footpod samples, as the BLE adapter applies them."""
    plain = await simulate(SimulatedAthlete(seed=1), FakeClock(), 20)
    # (1.25, not 2.0: twice a running cadence is above 260 spm, which the plausibility gate drops.)
    scaled = await simulate(
        SimulatedAthlete(seed=1), FakeClock(), 20, speed_factor=1.1, cadence_scale=1.25
    )
    a = [s for s in plain if isinstance(s, FootpodSample)][-1]
    b = [s for s in scaled if isinstance(s, FootpodSample)][-1]
    assert b.speed_mps == pytest.approx(a.speed_mps * 1.1)
    assert b.cadence_spm == pytest.approx(a.cadence_spm * 1.25)


async def test_run_simulation_brackets_a_dropout_with_down_and_up() -> None:
    """A scheduled strap dropout emits DOWN, no HR samples, then UP and HR again."""
    athlete = SimulatedAthlete(dropouts=(Dropout(Role.HR, 10, 5),), seed=1)
    samples = await simulate(athlete, FakeClock(0.0), 30)
    hr_links = [s for s in samples if isinstance(s, LinkSample) and s.role is Role.HR]
    events = [
        (s.t, s.link)
        for s in hr_links
        if s.reason.startswith("simulated ") and "sensor" not in s.reason
    ]
    assert events == [(10.0, Link.DOWN), (15.0, Link.UP)]
    down = samples.index(next(s for s in samples if isinstance(s, LinkSample) and s.t == 10.0))
    up = samples.index(next(s for s in samples if isinstance(s, LinkSample) and s.t == 15.0))
    assert not [s for s in samples[down:up] if isinstance(s, HeartRateSample)]
    assert [s for s in samples[up:] if isinstance(s, HeartRateSample)]


async def test_run_simulation_is_deterministic_on_a_fake_clock() -> None:
    """Two runs with the same seed on the same fake clock emit identical samples."""
    a = await simulate(SimulatedAthlete(seed=4), FakeClock(), 60)
    b = await simulate(SimulatedAthlete(seed=4), FakeClock(), 60)
    assert a == b


async def test_run_simulation_on_a_scaled_clock() -> None:
    """On ScaledClock(2000) ten clock seconds of simulation take a few real milliseconds."""
    clock = ScaledClock(2000)
    samples: list[Sample] = []
    stop = asyncio.Event()

    def emit(sample: Sample) -> None:
        samples.append(sample)
        if clock.now() >= 10:
            stop.set()

    async with asyncio.timeout(2):
        await run_simulation(SimulatedAthlete(seed=1), clock, demo_target, emit, stop=stop)
    assert [s for s in samples if isinstance(s, HeartRateSample)]
    assert [s for s in samples if isinstance(s, FootpodSample)]
