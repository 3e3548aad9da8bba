"""The simulated athlete: a pure, deterministic physiology model that speaks GATT.

``SimulatedAthlete.advance(now, target_speed_mps)`` moves the model forward in
time and returns what a chest strap and a footpod would have notified meanwhile,
as real encoded Heart Rate Measurement (0x2A37) and RSC Measurement (0x2A53)
payloads. Nothing here touches a clock, asyncio or the radio: time is an
argument and randomness comes from seeded ``random.Random`` streams, so the
same seed and the same calls give byte-identical payloads. The async loop that
drives it lives in ``hiitd_drivers.sim``.

The model, in one paragraph: the runner's speed approaches ``effort * target``
with a lag of a few seconds; steady-state heart rate is linear in speed (see
``hr_steady_state``) and actual heart rate follows it as a first-order lag of
about a minute; beats are generated one by one, each RR interval being the
current mean interval modulated by breathing (respiratory sinus arrhythmia) and
beat-to-beat noise, both shrinking as intensity rises.
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
# bounds how stale the speed feeding the heart-rate steady state may be.
_MAX_STEP_S = 0.1

# With the default 23-byte ATT MTU a notification carries 20 bytes: flags +
# uint8 bpm + 9 RR intervals. A strap drops the oldest ones beyond that.
_MAX_RR_PER_NOTIFICATION = 9

# Below this the pod sees no steps and reports standing still.
_STANDING_SPEED_MPS = 0.5


@dataclass(frozen=True, slots=True)
class AthleteModel:
    """The simulated runner's physiology and running mechanics.

    ``effort`` is the fraction of the target speed the runner actually reaches
    (0.85: always 15 % too slow). Heart-rate time constants are in seconds.
    """

    resting_hr: int = 55
    max_hr: int = 190
    easy_speed_mps: float = 2.8
    threshold_speed_mps: float = 3.9
    effort: float = 1.0
    # Heart-rate on-kinetics at moderate intensity have a time constant of
    # roughly 30-60 s; recovery is slower once past the first, vagal phase.
    hr_time_constant_s: float = 60.0
    hr_recovery_time_constant_s: float = 75.0
    # A runner reaches a new pace within a few strides: 95 % after ~3 tau.
    speed_time_constant_s: float = 2.5
    # Lactate threshold sits at ~85-90 % of the velocity at VO2max in trained
    # runners (Billat 1996, Sports Med 22:157), so vVO2max = threshold / 0.88.
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
        if min(self.hr_time_constant_s, self.hr_recovery_time_constant_s) <= 0:
            raise ValueError("heart-rate time constants must be positive")
        if self.speed_time_constant_s <= 0:
            raise ValueError("speed_time_constant_s must be positive")
        if not 0 < self.threshold_fraction_of_vvo2max <= 1:
            raise ValueError("threshold_fraction_of_vvo2max must be in (0, 1]")

    @property
    def vvo2max_mps(self) -> float:
        """The velocity at VO2max, where steady-state heart rate reaches max_hr."""
        return self.threshold_speed_mps / self.threshold_fraction_of_vvo2max

    def hr_steady_state(self, speed_mps: float) -> float:
        """Steady-state heart rate at a constant running speed, in bpm.

        The ACSM running equation makes oxygen uptake above rest linear in speed
        (VO2 = 3.5 + 0.2 * v ml/kg/min, v in m/min), and the fraction of heart-rate
        reserve tracks the fraction of VO2 reserve (Swain & Leutholtz 1997,
        MSSE 29:410). So the fraction of HR reserve is speed / vVO2max, clipped.
        """
        fraction = min(1.0, max(0.0, speed_mps / self.vvo2max_mps))
        return self.resting_hr + (self.max_hr - self.resting_hr) * fraction

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
        elapsed = self.elapsed(now)
        down = any(
            d.kind == "link" and d.role is role and d.covers(elapsed) for d in self._dropouts
        )
        return Link.DOWN if down else Link.UP

    def link_changes(self, since: float, until: float) -> list[tuple[float, Role, Link]]:
        """Link transitions at times in ``(since, until]``, in time order."""
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

    def _integrate(self, until: float, goal_mps: float) -> None:
        """Advance speed, distance, heart rate and breathing to ``until``, exactly per step."""
        p = self.profile
        while self._t < until:
            t_next = min(self._t + _MAX_STEP_S, until)
            dt = t_next - self._t
            # First-order lag v' = (goal - v) / tau, solved exactly; its integral
            # gives the distance without any Euler error.
            decay = math.exp(-dt / p.speed_time_constant_s)
            gap = self._speed_mps - goal_mps
            self._distance_m += goal_mps * dt + gap * p.speed_time_constant_s * (1.0 - decay)
            self._speed_mps = goal_mps + gap * decay
            hr_ss = p.hr_steady_state(self._speed_mps)
            tau = p.hr_time_constant_s if hr_ss >= self._hr else p.hr_recovery_time_constant_s
            self._hr = min(float(p.max_hr), hr_ss + (self._hr - hr_ss) * math.exp(-dt / tau))
            self._breath_phase = (self._breath_phase + 2 * math.pi * self._breaths_per_s() * dt) % (
                2 * math.pi
            )
            self._t = t_next

    def _intensity(self) -> float:
        """Fraction of heart-rate reserve in use, 0 at rest to 1 at max."""
        p = self.profile
        return min(1.0, max(0.0, (self._hr - p.resting_hr) / (p.max_hr - p.resting_hr)))

    def _breaths_per_s(self) -> float:
        # Breathing goes from ~14/min at rest to ~45/min near maximal effort.
        return (14.0 + 31.0 * self._intensity()) / 60.0

    def _beat(self) -> None:
        """A beat completes now: record its RR interval and schedule the next one."""
        x = self._intensity()
        # Vagal withdrawal during exercise shrinks both respiratory sinus
        # arrhythmia and the remaining beat-to-beat variability: RMSSD falls
        # from tens of ms at rest to a few ms at high intensity (Michael, Graham
        # & Davis 2017, Front Physiol 8:301). RSA amplitude: ~5 % of RR at rest.
        # Noise: 4 % at rest to 1.5 % at max.
        rsa = (0.05 * (1.0 - x) ** 2 + 0.003) * math.sin(self._breath_phase)
        noise = self._beat_rng.gauss(0.0, 0.04 - 0.025 * x)
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
