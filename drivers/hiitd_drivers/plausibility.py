"""Plausibility gates: what a sensor says that no runner's body can produce is not data (pure).

A faulty or spoofed strap must not reach the coach, the metrics or max-HR
learning (docs/architecture.md, Principles 2: honest data). Each notification
passes its role's gate after parsing and calibration: a heart rate or RR
interval outside human physiology, a jump faster than a heart can change, a
footpod speed or cadence no runner reaches. What is rejected becomes a gap,
never a value: a heart-rate sample with ``bpm=None`` (its ``rejected`` says
why), or a ``RejectedSample`` in place of a footpod sample. Each rejection
carries its reason, so the daemon counts them per reason (``diagnostics``).

The gates hold the little state they need (the last accepted heart rate), one
per sensor link; time is the sample's own.
"""

from __future__ import annotations

import dataclasses
from typing import Final

from hiitd_drivers.samples import FootpodSample, HeartRateSample, RejectedSample, RejectReason

# 25 bpm: below the slowest resting heart rates recorded in endurance athletes
# (~27-30 bpm); a strap reading 3 or 12 bpm is reading noise.
HR_MIN_BPM: Final = 25
# 240 bpm: above any measured adult maximum (~220-230 in the young); a uint16
# 65535 is a broken frame, not a heart.
HR_MAX_BPM: Final = 240
# RR intervals of 250-2500 ms are 24-240 beats per minute, the same bounds.
RR_MIN_MS: Final = 250.0
RR_MAX_MS: Final = 2500.0
# A frame's RR intervals must agree with its bpm within this fraction. Straps
# average bpm over a few beats, so single beats differ; a spoofed or broken
# frame (RR from another signal) differs by far more.
RR_BPM_TOLERANCE: Final = 0.3
# Heart rate changes by a few bpm per second at most, even at the start of a
# sprint; 30 bpm in one second is a double count, a dropped beat or a spoof.
JUMP_BPM_PER_S: Final = 30.0
# A jump is held back until this many following beats confirm the new level
# (each within CONFIRM_BPM of the first): an artefact does not last three beats.
CONFIRM_BEATS: Final = 3
CONFIRM_BPM: Final = 10.0
# 12.5 m/s is 45 km/h, above the fastest human sprint (Bolt's 12.4 m/s peak);
# an RSC speed of 0xFFFF/256 = 256 m/s is a broken frame.
SPEED_MAX_MPS: Final = 12.5
# 260 steps per minute is beyond elite sprint cadence (~240-250).
CADENCE_MAX_SPM: Final = 260.0


class HeartGate:
    """Checks one strap's samples: range, RR against bpm, and the rate of change."""

    def __init__(self) -> None:
        self._last_bpm: int | None = None
        self._last_t: float | None = None
        self._pending: list[int] = []  # a jump's beats so far, waiting to be confirmed

    def check(self, s: HeartRateSample) -> HeartRateSample:
        """The sample as it may be used: bpm None (and ``rejected``) when it is not plausible."""
        if s.bpm is None:
            return s  # no contact: already no data
        if not HR_MIN_BPM <= s.bpm <= HR_MAX_BPM:
            return _no_heart_rate(s, RejectReason.HR_RANGE)
        if self._is_jump(s.bpm, s.t):
            return _no_heart_rate(s, RejectReason.HR_JUMP)
        self._last_bpm, self._last_t = s.bpm, s.t
        return _plausible_rr(s)

    def _is_jump(self, bpm: int, t: float) -> bool:
        last, last_t = self._last_bpm, self._last_t
        if last is None or last_t is None:
            return False  # the first beat of a link: nothing to compare with
        if self._pending:
            if abs(bpm - self._pending[0]) <= CONFIRM_BPM:
                self._pending.append(bpm)
                if len(self._pending) > CONFIRM_BEATS:  # the new level held: it is real
                    self._pending = []
                    return False
                return True
            self._pending = []  # the jump did not last: compare with the old level again
        # After a dropout a heart had time to change: the limit grows with the gap.
        allowed = JUMP_BPM_PER_S * max(1.0, t - last_t)
        if abs(bpm - last) > allowed:
            self._pending = [bpm]
            return True
        return False


def _no_heart_rate(s: HeartRateSample, reason: RejectReason) -> HeartRateSample:
    return dataclasses.replace(s, bpm=None, rr_ms=(), rejected=(*s.rejected, reason))


def _plausible_rr(s: HeartRateSample) -> HeartRateSample:
    """Drop RR intervals outside 250-2500 ms; drop the frame's RR if they disagree with bpm."""
    if not s.rr_ms or s.bpm is None:
        return s
    kept = tuple(rr for rr in s.rr_ms if RR_MIN_MS <= rr <= RR_MAX_MS)
    reasons = list(s.rejected)
    if len(kept) < len(s.rr_ms):
        reasons.append(RejectReason.RR_RANGE)
    if kept:
        mean = sum(kept) / len(kept)
        if abs(60000.0 / mean - s.bpm) > RR_BPM_TOLERANCE * s.bpm:
            kept = ()
            reasons.append(RejectReason.RR_MISMATCH)
    if len(reasons) == len(s.rejected):
        return s
    return dataclasses.replace(s, rr_ms=kept, rejected=tuple(reasons))


def check_footpod(s: FootpodSample) -> FootpodSample | RejectedSample:
    """The sample, or a ``RejectedSample`` when its speed or cadence is not a runner's."""
    if not 0.0 <= s.speed_mps <= SPEED_MAX_MPS:
        return RejectedSample(
            t=s.t, role=s.role, reason=RejectReason.SPEED_RANGE, value=s.speed_mps
        )
    if not 0.0 <= s.cadence_spm <= CADENCE_MAX_SPM:
        return RejectedSample(
            t=s.t, role=s.role, reason=RejectReason.CADENCE_RANGE, value=s.cadence_spm
        )
    return s
