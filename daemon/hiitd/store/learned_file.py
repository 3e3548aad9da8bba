"""What hiitd learns about the athlete and keeps across restarts (``learned.json``).

Two things: a max heart rate the runner *confirmed* (it replaces an estimated
one, never one the runner entered: coach/ceiling.py), and the pending
proposal of one, waiting for that confirmation (``cmd/confirm-max-hr``). The
engine proposes; nothing here changes the profile until the runner says yes.
Written atomically (a temporary file renamed over the old one, fsynced); a
file that cannot be read is logged and treated as empty, never trusted.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.coach.profile import AthleteProfile, with_learned_max_hr
from hiitd.store.json_file import write_atomic

if TYPE_CHECKING:
    from pathlib import Path

log = structlog.get_logger(__name__)
FILE_NAME = "learned.json"
_PLAUSIBLE = (120, 240)


@dataclass(frozen=True, slots=True)
class Learned:
    """The file's content: the confirmed max HR, and a proposal waiting for confirmation."""

    max_hr: int | None = None
    proposal: dict[str, Any] | None = None  # MaxHrProposal.to_payload() plus "wall"


def _bpm(value: object) -> int | None:
    lo, hi = _PLAUSIBLE
    return value if isinstance(value, int) and lo <= value <= hi else None


def load(state_dir: Path) -> Learned:
    """What the file holds (empty when there is none, or one we cannot trust)."""
    try:
        data = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return Learned()
    except (OSError, ValueError) as exc:
        log.warning("learned_unreadable", file=str(state_dir / FILE_NAME), error=str(exc))
        return Learned()
    if not isinstance(data, dict):
        return Learned()
    proposal = data.get("max_hr_proposal")
    valid = isinstance(proposal, dict) and isinstance(proposal.get("id"), str)
    if not valid or _bpm(proposal.get("max_hr")) is None:  # type: ignore[union-attr]
        proposal = None
    return Learned(_bpm(data.get("max_hr")), proposal)


def save(state_dir: Path, learned: Learned) -> None:
    """Keep ``learned`` (atomically; a failure is logged, coaching goes on)."""
    doc: dict[str, Any] = {}
    if learned.max_hr is not None:
        doc["max_hr"] = learned.max_hr
    if learned.proposal is not None:
        doc["max_hr_proposal"] = learned.proposal
    try:
        write_atomic(state_dir / FILE_NAME, doc)
    except OSError as exc:
        log.warning("learned_not_saved", error=str(exc))


def load_max_hr(state_dir: Path) -> int | None:
    """The confirmed learned max HR, or None."""
    return load(state_dir).max_hr


def apply(profile: AthleteProfile, state_dir: Path) -> AthleteProfile:
    """The profile with the confirmed learned max HR in place of an estimated one."""
    learned = load_max_hr(state_dir)
    if learned is None:
        return profile
    return with_learned_max_hr(profile, learned)


def save_max_hr(state_dir: Path, bpm: int) -> None:
    """Keep a confirmed max HR (a pending proposal is settled by it)."""
    save(state_dir, Learned(bpm, None))
