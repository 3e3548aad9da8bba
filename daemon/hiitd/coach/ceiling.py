"""The safety ceiling: the one heart rate above which the coach says "slow down now". Pure.

One precedence, used by the coach's safety cue and every display of the
ceiling (``session/state``, ``hiitd zones``):

1. ``coach.safety_ceiling_bpm``, when set (a doctor's or a coach's number);
2. ``athlete.max_hr``, entered by the runner;
3. a learned max HR the runner confirmed (``cmd/confirm-max-hr``);
4. the estimated max HR (from age, or the default when there is no age) plus
   ``coach.ceiling_margin_bpm``, marked as estimated wherever it is shown.

The ceiling is fixed when a session starts: nothing said during a session
moves it, so a faulty strap cannot silence the cue its own high reading earns.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, Literal

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.profile import AthleteProfile

Source = Literal["coach.safety_ceiling_bpm", "athlete.max_hr", "learned", "estimate"]


@dataclass(frozen=True, slots=True)
class Ceiling:
    """The ceiling in bpm, where it came from, and whether it is an estimate."""

    bpm: int
    source: Source
    estimated: bool

    def to_payload(self) -> dict[str, object]:
        """JSON-ready dict."""
        return {"bpm": self.bpm, "source": self.source, "estimated": self.estimated}


def safety_ceiling(cfg: CoachConfig, profile: AthleteProfile) -> Ceiling:
    """The ceiling by the precedence of the module docstring."""
    if cfg.safety_ceiling_bpm is not None:
        return Ceiling(cfg.safety_ceiling_bpm, "coach.safety_ceiling_bpm", estimated=False)
    if profile.max_hr_learned:
        return Ceiling(profile.max_hr, "learned", estimated=False)
    if not profile.max_hr_estimated:
        return Ceiling(profile.max_hr, "athlete.max_hr", estimated=False)
    return Ceiling(profile.max_hr + cfg.ceiling_margin_bpm, "estimate", estimated=True)
