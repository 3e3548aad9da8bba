"""Compliance: how much of a step was run in its target. One definition, every surface. Pure.

The engine scores each step as it is run (``scoring.StepStats``), and every
figure shown or used afterwards reads that score: the spoken step and session
summaries, ``session/step``, the result, ``sessions show``, the metrics, the
plan's progression and Home Assistant. The rules:

- A step is *scorable* when its target is heart rate, speed or cadence with at
  least one bound. An open target (by feel, all-out), power (nothing measures
  it) and a work step too short for heart rate to settle whose only target is a
  heart-rate cap (hill sprints, strength exercises, run/walk's one-minute runs:
  the cap is a safety limit there, not something to hit) are not scored, and
  say why (``unscored_reason``).
- Scoring starts after the step's grace (``coach.grace_pace_s``,
  ``coach.grace_hr_s``): the pace grace for a step steered by pace or cadence,
  the heart-rate grace for one steered by heart rate (heart rate lags effort by
  about a minute) and for a heart-rate cap in recovery (still falling from the
  rep). A cap on a warm-up, cool-down or easy run is scored after the pace
  grace: going over it there is never a left-over of the step before.
- Each second after that is in, below or above by the smoothed value against
  the target widened by the margin (2 % of speed, 2 bpm, 3 spm): the same
  margin the live zone uses. A second without data is a gap, neither in nor out.
- A session's headline is **work-step compliance**: the scored seconds of its
  work steps (intensity ``active``), split in/below/above, so over-achieving
  shows as "above", not as a success. Warm-up, recovery and cool-down are
  scored as steps but do not count in the headline.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.coach.events import WorkCompliance, Zone

if TYPE_CHECKING:
    from collections.abc import Iterable

SCORED_TARGETS = frozenset({"hr", "speed", "cadence"})
# ``athlete.beta_blockers``: heart rate is blunted, so a heart-rate target steers
# nothing and scores nothing, the HR ceiling is not cued and HRR60 is withheld.
BETA_BLOCKERS = "beta blockers: heart rate not used for coaching"
WORK = "active"


SCORED_EASY = frozenset({"warmup", "cooldown", "recovery", "rest"})


def ceiling_only(target_type: str, intensity: str, *, short_hr_work: bool) -> bool:
    """Whether only a heart-rate target's upper bound counts: easy steps and short work."""
    return target_type == "hr" and (intensity in SCORED_EASY or short_hr_work)


def grace_kind(target_type: str) -> str:
    """Which grace holds the score back at a step start: ``"hr"`` or ``"pace"``.

    Every heart-rate target or ceiling gets the heart-rate grace, warm-up and
    cool-down included: heart rate lags effort by a minute or more, and a
    cool-down's ceiling right after the last interval was judged after 12 s
    ("Ease off, heart rate 151, ceiling 143", 22 s into the cool-down). Pace and
    cadence settle in a few strides.
    """
    return "hr" if target_type == "hr" else "pace"


def margin(
    target_type: str, bound: float | None, *, speed_pct: float, hr_bpm: float, cadence_spm: float
) -> float:
    """The margin beyond a bound, in the metric's unit (0 for an open side)."""
    if bound is None:
        return 0.0
    if target_type == "speed":
        return bound * speed_pct / 100.0
    return hr_bpm if target_type == "hr" else cadence_spm


def scored_zone(
    value: float, low: float | None, high: float | None, margin_low: float, margin_high: float
) -> Zone:
    """Where ``value`` is against the target widened by the margins (the scoring rule)."""
    if low is not None and value < low - margin_low:
        return Zone.BELOW
    if high is not None and value > high + margin_high:
        return Zone.ABOVE
    return Zone.IN


def unscored_reason(
    target_type: str,
    low: float | None,
    high: float | None,
    *,
    short_hr_work: bool = False,
    hr_coaching: bool = True,
) -> str | None:
    """Why a step with this target is not scored; None when it is.

    ``short_hr_work``: a work step shorter than ``coach.short_hr_step_s`` steered by
    heart rate, which the coach treats as a ceiling (``scoring.is_short_hr_work``).
    ``hr_coaching`` False: the runner takes beta blockers (``BETA_BLOCKERS``).
    """
    if target_type == "hr" and not hr_coaching:
        return BETA_BLOCKERS
    if target_type == "open":
        return "no target: run by feel"
    if target_type == "power":
        return "a power target: no power source is measured"
    if target_type not in SCORED_TARGETS:
        return f"a {target_type} target is not scored"
    if low is None and high is None:
        return "the target has no bound"
    if short_hr_work:
        return "too short for heart rate to settle: by feel, heart rate only capped"
    return None


@dataclass(frozen=True, slots=True)
class StepScore:
    """One step's scored seconds, as the engine counted them."""

    intensity: str
    in_s: float
    below_s: float
    above_s: float
    unscored: str | None = None  # why it is not scored; None when it is

    @property
    def scored_s(self) -> float:
        """Seconds with a verdict."""
        return self.in_s + self.below_s + self.above_s


def work_compliance(steps: Iterable[StepScore]) -> WorkCompliance | None:
    """Work-step compliance; None when the session has no work step at all."""
    work = [s for s in steps if s.intensity == WORK]
    if not work:
        return None
    scored = [s for s in work if s.scored_s > 0]
    total = sum(s.scored_s for s in scored)
    reasons = dict.fromkeys(s.unscored for s in work if s.unscored is not None)

    def pct(part: float) -> float | None:
        return 100.0 * part / total if total > 0 else None

    return WorkCompliance(
        scored_s=total,
        in_pct=pct(sum(s.in_s for s in scored)),
        below_pct=pct(sum(s.below_s for s in scored)),
        above_pct=pct(sum(s.above_s for s in scored)),
        work_steps=len(scored),
        unscored_work_steps=len(work) - len(scored),
        unscored=tuple(r for r in reasons if r),
    )


def work_phrases(work: WorkCompliance | None) -> list[str]:
    """The spoken session summary's words on the work: '70 % of the work in target, 25 % above'."""
    if work is None or work.in_pct is None:
        return []
    words = [f"{work.in_pct:.0f} % of the work in target"]
    if work.verdict == "above" or (work.above_pct or 0.0) >= 10.0 > (work.below_pct or 0.0):
        words.append(f"{work.above_pct:.0f} % above it")
    elif work.verdict == "below" or (work.below_pct or 0.0) >= 10.0:
        words.append(f"{work.below_pct:.0f} % below it")
    return words
