"""The simulated athlete: a pure, deterministic physiology model that speaks GATT.

``SimulatedAthlete.advance(now, target_speed_mps)`` moves the model forward in
time and returns what a chest strap and a footpod would have notified meanwhile,
as real encoded Heart Rate Measurement (0x2A37) and RSC Measurement (0x2A53)
payloads. Nothing here touches a clock, asyncio or the radio: time is an
argument and randomness comes from seeded ``random.Random`` streams, so the
same seed and the same calls give byte-identical payloads. The async loop that
drives it lives in ``hiitd_drivers.sim``; the slow, day-to-day side (fitness,
fatigue, illness) in ``hiitd_drivers.sim_fitness``.

The model (docs/simulate.md, "The simulated runner"):

- **Speed** approaches ``effort * target`` as a first-order lag of 2.5 s.
- **Demand**: the steady-state fraction of heart-rate reserve is the fraction
  of VO2 reserve, linear in running speed (speed / vVO2max, ACSM running
  equation; Swain & Leutholtz 1997). Walking costs about half as much per metre
  (ACSM walking equation), rising to the running cost at the walk-run speed.
- **On-kinetics**: heart rate rises toward the demand as one first-order lag
  (``hr_time_constant_s``, 30-60 s; faster in fitter runners).
- **Off-kinetics, two phases**: the heart rate above rest is held as two parts.
  A slow part (sympathetic drive, catecholamines, heat and metabolites) builds
  while the effort lasts (``hr_slow_build_s``) toward a share of the demand
  that grows with intensity (``slow_share_easy`` to ``slow_share_max``); the
  fast part is the rest. When the demand falls the fast part decays with
  ``hr_fast_recovery_s`` (vagal reactivation, tens of seconds) and the slow part
  with ``hr_slow_recovery_s`` (minutes), so standing after an effort gives
  HR(t) = HR_rest + A_fast exp(-t / tau_fast) + A_slow exp(-t / tau_slow), with
  A_slow larger after a longer or harder effort. Imai K et al., J Am Coll
  Cardiol 1994; 24: 1529-35 (the first 30 s vagal, independent of intensity;
  the later decay slowed by sympathetic activity and work load); Pecanha T et
  al.'s review in Clin Physiol Funct Imaging (a fast, vagal phase, then a slow
  one); Buchheit M, Laursen PB & Ahmaidi S, Am J Physiol Heart Circ Physiol
  2007; 293: H133-41 (slower after repeated sprints than after moderate
  exercise); Javorka M et al., Braz J Med Biol Res
  2002; 35: 991-1000 (heart rate still above its pre-exercise value 30 min
  after 8 min at 70 % of maximal power).
- **Cardiovascular drift**: after about 10 minutes of continuous running heart
  rate creeps up at constant speed, a few bpm per 10 min, more in the heat
  (``heat``) and for the less fit (Coyle EF & Gonzalez-Alonso J, Exerc Sport Sci
  Rev 2001; 29: 88-92). A leaky memory of the work done (time constant 2 h)
  drives it; standing still, it does not add to the demand.
- **Beats** are generated one by one, each RR interval being the current mean
  interval modulated by breathing (respiratory sinus arrhythmia) and
  beat-to-beat noise, both shrinking as intensity rises and scaled at rest by
  ``vagal_tone`` (resting HRV).
- **Exertion**: what the runner perceives at each moment is the larger of the
  fraction of heart-rate reserve in use and the running speed's fraction of
  vVO2max (muscles feel a fast rep before the heart catches up).
  ``session_rpe()`` is the session's CR-10 rating (Foster C et al., J Strength
  Cond Res 2001; 15: 109-15): 10 x e^2.3, e the mean exertion over the hardest
  quarter of the session, a little more for a longer one (see ``session_rpe``).
  ``trimp`` is Banister's TRIMP from the heart rate (the internal load the
  fitness model in ``sim_fitness`` responds to).
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass
from typing import Literal

from hiitd_drivers.gatt.encode import encode_heart_rate, encode_rsc
from hiitd_drivers.gatt.uuids import HEART_RATE_MEASUREMENT, RSC_MEASUREMENT
from hiitd_drivers.samples import Link, Role

__all__ = [
    "AthleteModel",
    "Dropout",
    "SimulatedAthlete",
    "banister_trimp_per_min",
    "rpe_from_exertion",
]

# Notification rates of real sensors: straps (Polar H10, Garmin HRM-Pro, Wahoo
# TICKR) notify Heart Rate Measurement once a second; footpods (Stryd, Polar
# Stride, Milestone) notify RSC at about 2 Hz. The pod is offset by a quarter
# second so the two streams do not tick in lock-step.
_HR_PERIOD_S = 1.0
_POD_PERIOD_S = 0.5
_POD_PHASE_S = 0.25

# Integration step ceiling. Speed and heart rate are advanced with the exact
# solution of their first-order lags for a constant input, so the step only
# bounds how stale the speed feeding the heart-rate steady state may be (a
# quarter second against heart-rate time constants of 25 s and more). Steps
# also end at every beat and notification.
_MAX_STEP_S = 0.25

# With the default 23-byte ATT MTU a notification carries 20 bytes: flags +
# uint8 bpm + 9 RR intervals. A strap drops the oldest ones beyond that.
_MAX_RR_PER_NOTIFICATION = 9

# Below this the pod sees no steps and reports standing still.
_STANDING_SPEED_MPS = 0.5

# Walking costs about half the oxygen of running per metre: ACSM's walking
# equation has 0.1 ml/kg/min per m/min against running's 0.2. It holds up to
# ~1.7 m/s; faster, walking grows inefficient and meets the running cost at
# the walk-run transition.
_WALK_COST = 0.5
_WALK_EFFICIENT_MPS = 1.4

# Drift: the work memory (seconds x fraction of vVO2max) leaks with this time
# constant; drift starts once it holds about 10 minutes at 65 % of vVO2max, and
# ``drift_bpm_per_10min`` is the rate at that intensity.
_DRIFT_MEMORY_S = 7200.0
_DRIFT_REF_INTENSITY = 0.65
_DRIFT_ONSET = 600.0 * _DRIFT_REF_INTENSITY
# Drift acts in full from half of vVO2max, less below (none standing).
_DRIFT_FULL_FROM = 0.5

# Session RPE: exertion is binned at 1 % resolution up to twice vVO2max.
_EXERTION_BINS = 200
_RPE_TOP_FRACTION = 0.25  # the hardest quarter of the session sets its rating
_RPE_EXPONENT = 2.3
_RPE_DURATION_EXPONENT = 0.08  # a session twice as long rates ~6 % higher
_RPE_REF_S = 1800.0
_TWO_PI = 2.0 * math.pi


def banister_trimp_per_min(hrr_fraction: float) -> float:
    """Banister's training impulse per minute at a fraction of heart-rate reserve.

    TRIMP = minutes x dHR x 0.64 e^(1.92 dHR) (Banister EW, "Modeling elite
    athletic performance", in Physiological Testing of Elite Athletes, Human
    Kinetics 1991; the men's weighting, used for everyone here).
    """
    x = min(1.0, max(0.0, hrr_fraction))
    return x * 0.64 * math.exp(1.92 * x)


def rpe_from_exertion(top_exertion: float, duration_s: float) -> float:
    """Session RPE (CR-10) from the mean exertion of the hardest quarter and the duration.

    10 x e^2.3 puts a 30-minute brisk walk (~30 % of VO2 reserve) at 0.6
    ("very light"), an easy run at 65 % of vVO2max at 3.7 ("moderate"), an
    hour at threshold (~88 %, more with the drift) at 7.5-8 (the planner
    assumes about 7, ``PlanConfig.srpe_per_hrss``) and vVO2max at 10; a
    session twice as long rates about 6 % higher. hiitd's calibration against
    the CR-10 anchors and ACSM's intensity table (light 30-39 % of HR reserve,
    moderate 40-59 %, vigorous 60-89 %), not a published equation.
    """
    if duration_s <= 0:
        return 0.0
    scale = math.pow(max(duration_s, 60.0) / _RPE_REF_S, _RPE_DURATION_EXPONENT)
    return min(10.0, 10.0 * math.pow(max(0.0, top_exertion), _RPE_EXPONENT) * scale)


@dataclass(frozen=True, slots=True)
class AthleteModel:
    """The simulated runner's physiology and running mechanics.

    ``effort`` is the fraction of the target speed the runner actually reaches
    (0.85: always 15 % too slow). Heart-rate time constants are in seconds.
    The defaults are a fit recreational runner (threshold 4:16 /km).
    """

    resting_hr: int = 55
    max_hr: int = 190
    easy_speed_mps: float = 2.8
    threshold_speed_mps: float = 3.9
    effort: float = 1.0
    # Heart-rate on-kinetics at moderate intensity have a time constant of
    # roughly 30-60 s (shorter in the trained).
    hr_time_constant_s: float = 60.0
    # Off-kinetics: the fast (vagal) phase decays in tens of seconds, the slow
    # one in minutes; the slow part builds over a few minutes of effort and is
    # a larger share of the heart rate the harder the effort.
    hr_fast_recovery_s: float = 30.0
    hr_slow_recovery_s: float = 600.0
    hr_slow_build_s: float = 150.0
    slow_share_easy: float = 0.35
    slow_share_max: float = 0.85
    # Cardiovascular drift at ~65 % of vVO2max, once it starts (bpm per 10 min).
    drift_bpm_per_10min: float = 3.0
    # Heat (and dehydration) multiply the drift: 1 temperate, 2 hot.
    heat: float = 1.0
    # Resting heart-rate variability: 1 gives an RMSSD of ~80 ms at 55 bpm.
    vagal_tone: float = 1.0
    # A runner reaches a new pace within a few strides: 95 % after ~3 tau.
    speed_time_constant_s: float = 2.5
    # Lactate threshold sits at ~85-90 % of the velocity at VO2max in trained
    # runners (Billat 1996, Sports Med 22:157), so vVO2max = threshold / 0.88;
    # in the untrained it is lower (~75 %).
    threshold_fraction_of_vvo2max: float = 0.88
    # Cadence rises modestly with speed; most of a speed gain comes from a longer
    # stride (Cavanagh & Kram 1989, MSSE 21:467). 160 spm at 2.5 m/s to 190 spm
    # at 5.5 m/s is typical of recreational runners.
    cadence_ref_spm: float = 160.0
    cadence_ref_speed_mps: float = 2.5
    cadence_slope_spm_per_mps: float = 10.0
    # The walk-run transition happens near 2.0-2.2 m/s; below it the model walks
    # (~100-125 spm) and the pod clears its "running" bit.
    walk_run_speed_mps: float = 2.2
    # Some pods send strides (one foot) per minute in the RSC cadence field,
    # half the step rate; the daemon's per-pod cadence_scale corrects it.
    pod_reports_strides: bool = False

    def __post_init__(self) -> None:
        """Reject a profile that cannot describe a runner."""
        if not 20 <= self.resting_hr < self.max_hr <= 250:
            raise ValueError(
                f"need 20 <= resting_hr < max_hr <= 250, got {self.resting_hr}/{self.max_hr}"
            )
        if not 0 < self.easy_speed_mps < self.threshold_speed_mps:
            raise ValueError("need 0 < easy_speed_mps < threshold_speed_mps")
        if not 0 < self.effort <= 2:
            raise ValueError(f"effort is a fraction of the target speed, got {self.effort}")
        taus = (
            self.hr_time_constant_s,
            self.hr_fast_recovery_s,
            self.hr_slow_recovery_s,
            self.hr_slow_build_s,
        )
        if min(taus) <= 0:
            raise ValueError("heart-rate time constants must be positive")
        if not 0 <= self.slow_share_easy <= self.slow_share_max <= 1:
            raise ValueError("need 0 <= slow_share_easy <= slow_share_max <= 1")
        if min(self.drift_bpm_per_10min, self.heat) < 0 or self.vagal_tone <= 0:
            raise ValueError("drift and heat must be >= 0 and vagal_tone positive")
        if self.speed_time_constant_s <= 0:
            raise ValueError("speed_time_constant_s must be positive")
        if not 0 < self.threshold_fraction_of_vvo2max <= 1:
            raise ValueError("threshold_fraction_of_vvo2max must be in (0, 1]")

    @property
    def vvo2max_mps(self) -> float:
        """The velocity at VO2max, where steady-state heart rate reaches max_hr."""
        return self.threshold_speed_mps / self.threshold_fraction_of_vvo2max

    def exertion(self, speed_mps: float) -> float:
        """The speed's oxygen cost as a fraction of VO2 reserve (1 at vVO2max; not clipped).

        The ACSM running equation makes oxygen uptake above rest linear in speed
        (VO2 = 3.5 + 0.2 * v ml/kg/min, v in m/min), so running costs speed /
        vVO2max. Walking costs half as much up to ~1.4 m/s (ACSM walking
        equation), then more, meeting the running cost at the walk-run speed.
        """
        if speed_mps < _STANDING_SPEED_MPS:
            return 0.0
        fraction = speed_mps / self.vvo2max_mps
        if speed_mps <= self.walk_run_speed_mps:
            span = max(1e-9, self.walk_run_speed_mps - _WALK_EFFICIENT_MPS)
            u = min(1.0, max(0.0, (speed_mps - _WALK_EFFICIENT_MPS) / span))
            fraction *= _WALK_COST + (1.0 - _WALK_COST) * u * u
        return fraction

    def hr_steady_state(self, speed_mps: float) -> float:
        """Steady-state heart rate at a constant speed, in bpm, before any drift.

        The fraction of heart-rate reserve tracks the fraction of VO2 reserve
        (Swain & Leutholtz 1997, MSSE 29:410): ``exertion``, clipped to 0..1.
        """
        fraction = min(1.0, max(0.0, self.exertion(speed_mps)))
        return self.resting_hr + (self.max_hr - self.resting_hr) * fraction

    def slow_share(self, intensity: float) -> float:
        """The slow phase's share of the heart rate above rest at an intensity (0..1)."""
        x = min(1.0, max(0.0, intensity))
        return self.slow_share_easy + (self.slow_share_max - self.slow_share_easy) * x * x

    def cadence_spm(self, speed_mps: float) -> float:
        """Step rate at a speed: 0 standing, walking below walk_run_speed_mps, else running."""
        if speed_mps < _STANDING_SPEED_MPS:
            return 0.0
        if speed_mps <= self.walk_run_speed_mps:
            # Walking: ~115 spm at 1.4 m/s (Tudor-Locke 2018, BJSM 52:776).
            return 95.0 + 15.0 * speed_mps
        running = self.cadence_ref_spm + self.cadence_slope_spm_per_mps * (
            speed_mps - self.cadence_ref_speed_mps
        )
        return min(210.0, max(150.0, running))


@dataclass(frozen=True, slots=True)
class Dropout:
    """A scheduled sensor fault, ``start_s`` seconds after the simulation started.

    ``kind="link"``: the sensor sends nothing (out of range, battery pulled).
    ``kind="contact"``: the strap keeps notifying but reports no skin contact
    and 0 bpm, as real straps do when they slip (heart-rate role only).
    """

    role: Role
    start_s: float
    duration_s: float
    kind: Literal["link", "contact"] = "link"

    def __post_init__(self) -> None:
        """Reject negative windows and contact loss on the footpod."""
        if self.duration_s <= 0 or self.start_s < 0:
            raise ValueError("a dropout needs start_s >= 0 and duration_s > 0")
        if self.kind == "contact" and self.role is not Role.HR:
            raise ValueError("only the heart-rate strap reports skin contact")

    def covers(self, elapsed_s: float) -> bool:
        """Whether the fault is active ``elapsed_s`` seconds after the start."""
        return self.start_s <= elapsed_s < self.start_s + self.duration_s


class SimulatedAthlete:
    """A runner wearing a chest strap and a footpod, advanced by explicit times."""

    def __init__(
        self,
        profile: AthleteModel | None = None,
        seed: int = 0,
        *,
        dropouts: tuple[Dropout, ...] = (),
    ) -> None:
        self.profile = profile if profile is not None else AthleteModel()
        # Separate streams, so a footpod dropout does not reshuffle the heartbeats.
        # Reproducible noise is the point here, not secrecy.
        self._beat_rng = random.Random(f"hiitd-sim:{seed}:beats")  # noqa: S311
        self._pod_rng = random.Random(f"hiitd-sim:{seed}:pod")  # noqa: S311
        self._dropouts: list[Dropout] = list(dropouts)
        self._origin: float | None = None
        # The moving parts of the model, at time ``_t`` (absolute, caller's clock);
        # the first ``advance`` sets the time origin and the schedule.
        self._t = 0.0
        self._speed_mps = 0.0
        self._hr = float(self.profile.resting_hr)
        # Heart rate above rest, in its fast and slow parts (bpm), and the work
        # memory behind the drift (seconds x fraction of vVO2max).
        self._hr_fast = 0.0
        self._hr_slow = 0.0
        self._work_memory = 0.0
        # Seconds spent at each exertion level (1 % bins) and the TRIMP so far.
        self._exertion_s = [0.0] * _EXERTION_BINS
        self._trimp = 0.0
        # Fixed by the profile, worked out once.
        p = self.profile
        self._reserve = float(p.max_hr - p.resting_hr)
        self._share_span = p.slow_share_max - p.slow_share_easy
        self._drift_rate = p.drift_bpm_per_10min * p.heat / (600.0 * _DRIFT_REF_INTENSITY)
        self._distance_m = 0.0
        self._breath_phase = 0.0
        self._last_beat = 0.0
        self._next_beat = 0.0
        self._next_hr_note = 0.0
        self._next_pod_note = 0.0
        self._pending_rr: list[int] = []

    # ------------------------------------------------------------------ queries

    @property
    def started(self) -> bool:
        """Whether ``advance`` has been called once (the simulation's time origin is set)."""
        return self._origin is not None

    @property
    def heart_rate(self) -> float:
        """The model's current (noise-free) heart rate in bpm."""
        return self._hr

    @property
    def hr_phases(self) -> tuple[float, float]:
        """The heart rate above rest as (fast, slow) parts in bpm: standing from now on,
        HR(t) = resting_hr + fast * exp(-t / hr_fast_recovery_s) + slow * exp(-t /
        hr_slow_recovery_s)."""
        return self._hr_fast, self._hr_slow

    @property
    def drift_bpm(self) -> float:
        """What the cardiovascular drift adds to the demand now, in bpm."""
        return self._drift(self.profile.exertion(self._speed_mps))

    @property
    def trimp(self) -> float:
        """Banister's TRIMP since the first ``advance`` (``banister_trimp_per_min``)."""
        return self._trimp

    def session_rpe(self) -> float:
        """The session's CR-10 rating (0-10, a float) for everything since the first advance.

        The mean exertion over the hardest quarter of the time, through
        ``rpe_from_exertion``: a runner rates a session by its hard parts, a
        little higher when it lasted longer.
        """
        total = sum(self._exertion_s)
        if total <= 0:
            return 0.0
        want = total * _RPE_TOP_FRACTION
        taken = weighted = 0.0
        for i in range(_EXERTION_BINS - 1, -1, -1):
            seconds = min(self._exertion_s[i], want - taken)
            if seconds <= 0:
                continue
            taken += seconds
            weighted += seconds * (i + 0.5) / 100.0
            if taken >= want:
                break
        return rpe_from_exertion(weighted / taken, total)

    @property
    def speed_mps(self) -> float:
        """The runner's actual current speed."""
        return self._speed_mps

    @property
    def distance_m(self) -> float:
        """Distance run since the start: the exact integral of the actual speed."""
        return self._distance_m

    def elapsed(self, now: float) -> float:
        """Seconds since the first ``advance`` (0 before it)."""
        return 0.0 if self._origin is None else now - self._origin

    def link(self, role: Role, now: float) -> Link:
        """Whether the sensor's link is up at ``now`` (DOWN during a link dropout)."""
        if not self._dropouts:
            return Link.UP
        elapsed = self.elapsed(now)
        down = any(
            d.kind == "link" and d.role is role and d.covers(elapsed) for d in self._dropouts
        )
        return Link.DOWN if down else Link.UP

    def link_changes(self, since: float, until: float) -> list[tuple[float, Role, Link]]:
        """Link transitions at times in ``(since, until]``, in time order."""
        if not self._dropouts:
            return []
        origin = self._origin if self._origin is not None else since
        changes: list[tuple[float, Role, Link]] = []
        for role in Role:
            edges = {
                origin + edge
                for d in self._dropouts
                if d.kind == "link" and d.role is role
                for edge in (d.start_s, d.start_s + d.duration_s)
            }
            state = self.link(role, since)
            for t in sorted(e for e in edges if since < e <= until):
                now_state = self.link(role, t)
                if now_state is not state:
                    changes.append((t, role, now_state))
                    state = now_state
        changes.sort(key=lambda c: c[0])
        return changes

    # ------------------------------------------------------------------ faults

    def drop(self, role: Role, duration_s: float, *, at: float | None = None) -> None:
        """Cut a sensor's link for ``duration_s``, from ``at`` (default: the last advance)."""
        self._dropouts.append(Dropout(role, self._start_s(at), duration_s, "link"))

    def lose_contact(self, duration_s: float, *, at: float | None = None) -> None:
        """Let the strap lose skin contact for ``duration_s``, from ``at`` (default: now)."""
        self._dropouts.append(Dropout(Role.HR, self._start_s(at), duration_s, "contact"))

    def _start_s(self, at: float | None) -> float:
        if at is not None:
            return max(0.0, self.elapsed(at))
        return 0.0 if self._origin is None else self.elapsed(self._t)

    def _active(self, role: Role, kind: Literal["link", "contact"], t: float) -> bool:
        if not self._dropouts:
            return False
        elapsed = self.elapsed(t)
        return any(d.role is role and d.kind == kind and d.covers(elapsed) for d in self._dropouts)

    # ------------------------------------------------------------------ time

    def advance(self, now: float, target_speed_mps: float) -> list[tuple[str, bytes]]:
        """Run the model up to ``now`` and return the notifications due meanwhile.

        ``target_speed_mps`` is held over the whole interval since the previous
        call. The first call only sets the time origin (the runner stands at
        resting heart rate) and returns nothing. Returns ``(uuid, payload)``
        pairs in time order, uuid as a full lowercase 128-bit string.
        """
        if not math.isfinite(target_speed_mps) or target_speed_mps < 0:
            raise ValueError(f"target speed must be finite and >= 0, got {target_speed_mps!r}")
        if self._origin is None:
            self._origin = self._t = self._last_beat = now
            self._next_beat = now + 60.0 / self.profile.resting_hr
            self._next_hr_note = now + _HR_PERIOD_S
            self._next_pod_note = now + _POD_PHASE_S
            return []
        if now < self._t:
            raise ValueError(f"time went backwards: {now} < {self._t}")
        goal = self.profile.effort * target_speed_mps
        out: list[tuple[str, bytes]] = []
        while True:
            t_event = min(self._next_beat, self._next_hr_note, self._next_pod_note)
            if t_event > now:
                break
            self._integrate(t_event, goal)
            if t_event == self._next_beat:
                self._beat()
            elif t_event == self._next_hr_note:
                self._next_hr_note += _HR_PERIOD_S
                note = self._heart_rate_note()
                if note is not None:
                    out.append((HEART_RATE_MEASUREMENT, note))
            else:
                self._next_pod_note += _POD_PERIOD_S
                if self.link(Role.FOOTPOD, self._t) is Link.UP:
                    out.append((RSC_MEASUREMENT, self._footpod_note()))
        self._integrate(now, goal)
        return out

    def _drift(self, exertion: float) -> float:
        """Cardiovascular drift in bpm for the work memory, at the current exertion."""
        over = self._work_memory - _DRIFT_ONSET
        if over <= 0 or exertion <= 0:
            return 0.0
        return self._drift_rate * over * min(1.0, exertion / _DRIFT_FULL_FROM)

    def _integrate(self, until: float, goal_mps: float) -> None:
        """Advance speed, distance, heart rate and breathing to ``until``, exactly per step.

        Each step solves every first-order lag exactly for its constant input
        (the speed's, the work memory's, the two heart-rate parts'): see
        ``_heart``. Written out in locals: it runs ten times a simulated second.
        """
        p = self.profile
        reserve = self._reserve
        tau_v = p.speed_time_constant_s
        exertion_of = p.exertion
        bins = self._exertion_s
        t, v = self._t, self._speed_mps
        while t < until:
            t_next = t + _MAX_STEP_S
            t_next = min(t_next, until)
            dt = t_next - t
            # First-order lag v' = (goal - v) / tau, solved exactly; its integral
            # gives the distance without any Euler error.
            decay = math.exp(-dt / tau_v)
            gap = v - goal_mps
            self._distance_m += goal_mps * dt + gap * tau_v * (1.0 - decay)
            v = goal_mps + gap * decay
            exertion = exertion_of(v)
            intensity = min(1.0, exertion)
            # The work memory W' = x - W / tau (exact for a constant x) drives the drift.
            target_w = exertion * _DRIFT_MEMORY_S
            self._work_memory = target_w + (self._work_memory - target_w) * math.exp(
                -dt / _DRIFT_MEMORY_S
            )
            demand = reserve * intensity + self._drift(exertion)
            demand = min(demand, reserve)
            share = p.slow_share_easy + self._share_span * intensity * intensity
            self._heart(demand, share, dt)
            above = self._hr_fast + self._hr_slow
            self._hr = p.resting_hr + above
            hrr = above / reserve
            self._trimp += dt / 60.0 * banister_trimp_per_min(hrr)
            felt = max(exertion, hrr)
            k = int(felt * 100.0)
            bins[k if k < _EXERTION_BINS else _EXERTION_BINS - 1] += dt
            # Breathing goes from ~14/min at rest to ~45/min near maximal effort.
            breaths_per_s = (14.0 + 31.0 * (min(1.0, hrr))) / 60.0
            self._breath_phase = (self._breath_phase + _TWO_PI * breaths_per_s * dt) % _TWO_PI
            t = t_next
        self._t, self._speed_mps = t, v

    def _heart(self, demand: float, share: float, dt: float) -> None:
        """One step of the two-part heart rate above rest, toward ``demand`` bpm.

        The slow part moves toward ``share * demand``: building with
        ``hr_slow_build_s``, decaying with ``hr_slow_recovery_s``. Below the
        demand the total rises as one lag (``hr_time_constant_s``) and the fast
        part is whatever the slow one is not; above it the fast part decays
        toward what the demand leaves over the slow part, with
        ``hr_fast_recovery_s``.
        """
        p = self.profile
        fast, slow = self._hr_fast, self._hr_slow
        slow_goal = share * demand
        tau_slow = p.hr_slow_build_s if slow_goal > slow else p.hr_slow_recovery_s
        new_slow = slow_goal + (slow - slow_goal) * math.exp(-dt / tau_slow)
        total = fast + slow
        if total < demand:
            new_total = demand + (total - demand) * math.exp(-dt / p.hr_time_constant_s)
            new_slow = min(new_total, new_slow)
            self._hr_fast, self._hr_slow = new_total - new_slow, new_slow
        else:
            fast_goal = demand - new_slow if demand > new_slow else 0.0
            self._hr_fast = fast_goal + (fast - fast_goal) * math.exp(-dt / p.hr_fast_recovery_s)
            self._hr_slow = new_slow

    def _intensity(self) -> float:
        """Fraction of heart-rate reserve in use, 0 at rest to 1 at max."""
        p = self.profile
        return min(1.0, max(0.0, (self._hr - p.resting_hr) / (p.max_hr - p.resting_hr)))

    def _beat(self) -> None:
        """A beat completes now: record its RR interval and schedule the next one."""
        x = self._intensity()
        tone = self.profile.vagal_tone
        # Vagal withdrawal during exercise shrinks both respiratory sinus
        # arrhythmia and the remaining beat-to-beat variability: RMSSD falls
        # from tens of ms at rest to a few ms at high intensity (Michael, Graham
        # & Davis 2017, Front Physiol 8:301). RSA amplitude: ~5 % of RR at rest.
        # Noise: 4 % at rest to 1.5 % at max. ``vagal_tone`` scales the resting part.
        rsa = (0.05 * tone * (1.0 - x) ** 2 + 0.003) * math.sin(self._breath_phase)
        noise = self._beat_rng.gauss(0.0, 0.015 + 0.025 * tone * (1.0 - x))
        mean_rr = 60.0 / self._hr
        next_rr = max(0.25 * mean_rr, mean_rr * (1.0 + rsa + noise))
        # RR intervals travel in 1/1024 s (HRS v1.0 §3.1.1.5). Without skin
        # contact the strap cannot see the beat at all.
        if not self._active(Role.HR, "contact", self._t):
            self._pending_rr.append(round((self._next_beat - self._last_beat) * 1024))
        self._last_beat = self._next_beat
        self._next_beat += next_rr

    def _heart_rate_note(self) -> bytes | None:
        """The strap's once-a-second Heart Rate Measurement, or None when the link is down."""
        rr, self._pending_rr = self._pending_rr[-_MAX_RR_PER_NOTIFICATION:], []
        if self.link(Role.HR, self._t) is Link.DOWN:
            return None
        if self._active(Role.HR, "contact", self._t):
            # What real straps send when they slip: contact supported but not
            # detected, 0 bpm and no intervals.
            return encode_heart_rate(0, contact=False)
        bpm = min(self.profile.max_hr, round(self._hr))
        return encode_heart_rate(bpm, contact=True, rr_raw=rr)

    def _footpod_note(self) -> bytes:
        """One RSC Measurement with the pod's per-stride measurement noise."""
        p = self.profile
        cadence = p.cadence_spm(self._speed_mps)
        if cadence == 0.0:
            return encode_rsc(0.0, 0, distance_m=self._distance_m, running=False)
        # Footpods are accurate to ~1-3 % per stride after calibration.
        speed = max(0.0, self._speed_mps * (1.0 + self._pod_rng.gauss(0.0, 0.015)))
        cadence_noisy = max(1.0, cadence + self._pod_rng.gauss(0.0, 1.5))
        stride_m = speed * 60.0 / cadence_noisy
        sent_cadence = round(cadence_noisy / 2 if p.pod_reports_strides else cadence_noisy)
        return encode_rsc(
            speed,
            min(255, sent_cadence),
            stride_m=stride_m,
            distance_m=self._distance_m,
            running=self._speed_mps > p.walk_run_speed_mps,
        )
