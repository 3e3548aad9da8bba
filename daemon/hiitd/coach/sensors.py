"""What the engine knows about each sensor: freshness, lost/back, smoothing, distance, motion.

Honest data (docs/architecture.md, Principles 2): a value is only ever computed from samples
that arrived; when none did, the answer is None and scoring pauses.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Literal

from hiitd.coach.smoothing import Hold, MovingAverage
from hiitd_drivers.samples import FootpodSample, HeartRateSample, Link, LinkSample


class Channel:
    """One sensor: when it last gave valid data, and whether we declared it lost."""

    __slots__ = ("last_valid", "link_down", "lost", "seen")

    def __init__(self) -> None:
        self.seen = False  # ever gave valid data (no "lost" for a sensor never worn)
        self.last_valid: float | None = None
        self.lost = False
        self.link_down = False

    def got_valid(self, now: float) -> bool:
        """Record valid data at ``now``; True when this ends a declared loss (sensor_back)."""
        self.seen = True
        self.last_valid = now
        self.link_down = False
        back = self.lost
        self.lost = False
        return back

    def fresh(self, now: float, stale_s: float) -> bool:
        """Valid data within the last ``stale_s`` seconds (and the link is up)."""
        return (
            not self.link_down and self.last_valid is not None and now - self.last_valid < stale_s
        )

    def check_lost(self, now: float, lost_s: float) -> bool:
        """True exactly once when a sensor that gave data has been silent ``lost_s``."""
        if self.lost or not self.seen or self.last_valid is None:
            return False
        if now - self.last_valid >= lost_s:
            self.lost = True
            return True
        return False

    def link(self, sample: LinkSample) -> None:
        """A link went down: its data is stale at once (the loss is declared on time)."""
        self.link_down = sample.link is Link.DOWN

    @property
    def status(self) -> Literal["ok", "lost", "absent"]:
        """For the snapshot."""
        if not self.seen:
            return "absent"
        return "lost" if self.lost else "ok"


def clean_beat(s: HeartRateSample, tolerance: float) -> bool:
    """A reading we trust enough to learn a new max HR from.

    Contact must not be reported missing, and the RR intervals of the frame must
    agree with the bpm and with each other: a slipping strap or electrical noise
    double-counts (T waves, muscle noise) and gives a bpm the RR does not support.
    """
    if s.bpm is None or s.contact is False or not s.rr_ms:
        return False
    mean_rr = sum(s.rr_ms) / len(s.rr_ms)
    if mean_rr <= 0:
        return False
    if abs(60000.0 / mean_rr - s.bpm) > tolerance * s.bpm:
        return False
    return all(abs(rr - mean_rr) <= tolerance * mean_rr for rr in s.rr_ms)


class Heart(Channel):
    """The strap: smoothed HR and the clean-high-run used for max-HR learning."""

    __slots__ = ("avg", "high_hold", "high_min", "last_bpm")

    def __init__(self, window_s: float) -> None:
        super().__init__()
        self.avg = MovingAverage(window_s)
        self.high_hold = Hold()
        self.high_min: int | None = None  # lowest clean bpm of the current run above max
        self.last_bpm: int | None = None

    def add(self, now: float, s: HeartRateSample) -> bool:
        """Take a sample; True when it ends a declared loss."""
        if s.bpm is None:
            # No contact / 0 bpm is no data (not a value, not a held value).
            self.last_bpm = None
            return False
        self.last_bpm = s.bpm
        self.avg.add(now, float(s.bpm))
        return self.got_valid(now)

    def learn(self, now: float, s: HeartRateSample, max_hr: int, tol: float, hold_s: float) -> int:
        """The bpm sustained cleanly above ``max_hr`` for ``hold_s``, else 0."""
        above = clean_beat(s, tol) and s.bpm is not None and s.bpm > max_hr
        held = self.high_hold.update(now, above)
        if not above or s.bpm is None:
            self.high_min = None
            return 0
        self.high_min = s.bpm if self.high_min is None else min(self.high_min, s.bpm)
        if held >= hold_s:
            # The lowest value of the run is the one that was truly sustained.
            learned = self.high_min
            self.high_hold.reset()
            self.high_min = None
            return learned
        return 0


@dataclass(slots=True)
class Odometer:
    """Distance from a footpod, robust to its counter resetting or wrapping.

    RSC's Total Distance (RSCS v1.0 §3.1, uint32 in 1/10 m) restarts when a pod
    reboots or is re-paired and wraps at 429 km; some pods never send it. A delta
    is trusted only when it is non-negative and physically possible in the time
    since the last sample; otherwise speed x time is used for that interval.
    """

    max_speed_mps: float
    max_gap_s: float = 10.0  # do not integrate speed across a longer silence
    prev_t: float | None = None
    prev_total: float | None = None
    prev_speed: float = 0.0

    def update(self, t: float, speed: float, total: float | None) -> float:
        """The distance covered since the previous sample, metres."""
        delta = 0.0
        if self.prev_t is not None:
            dt = max(0.0, t - self.prev_t)
            integrated = (self.prev_speed + speed) / 2.0 * dt if dt <= self.max_gap_s else 0.0
            delta = integrated
            if total is not None and self.prev_total is not None:
                d = total - self.prev_total
                if 0.0 <= d <= self.max_speed_mps * dt + 1.0:
                    delta = d
        self.prev_t = t
        self.prev_total = total
        self.prev_speed = speed
        return delta


class Pod(Channel):
    """The footpod: smoothed speed and cadence, distance, and whether the runner moves."""

    __slots__ = ("cadence", "moving_hold", "odometer", "raw_cadence", "raw_speed", "speed", "still")

    def __init__(self, window_s: float, max_speed_mps: float) -> None:
        super().__init__()
        self.speed = MovingAverage(window_s)
        self.cadence = MovingAverage(window_s)
        self.odometer = Odometer(max_speed_mps)
        self.raw_speed: float | None = None
        self.raw_cadence: float | None = None
        self.still = Hold()
        self.moving_hold = Hold()

    def add(self, now: float, s: FootpodSample) -> tuple[float, bool]:
        """Take a sample; returns (metres since the last one, whether a loss ended)."""
        self.raw_speed, self.raw_cadence = s.speed_mps, s.cadence_spm
        self.speed.add(now, s.speed_mps)
        self.cadence.add(now, s.cadence_spm)
        return self.odometer.update(now, s.speed_mps, s.distance_m), self.got_valid(now)

    def motion(self, now: float, min_speed: float, min_cadence: float) -> tuple[float, float]:
        """For auto-pause: (seconds standing, seconds moving) up to the last sample.

        Standing is speed under ``min_speed`` OR cadence under ``min_cadence``: a
        pod's speed decays slowly after a stop, while its step count stops at once.
        """
        if self.raw_speed is None or self.raw_cadence is None:
            return 0.0, 0.0
        standing = self.raw_speed < min_speed or self.raw_cadence < min_cadence
        return self.still.update(now, standing), self.moving_hold.update(now, not standing)

    def reset_smoothing(self, window_s: float) -> None:
        """A step start or a resume: the new effort is judged on its own samples."""
        self.speed.reset(window_s)
        self.cadence.reset(window_s)
