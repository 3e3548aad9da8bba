"""The athlete's learned max HR at run time: a proposal kept and shown, applied once confirmed.

The engine proposes a higher max HR after a clean sustained reading
(coach/step_coaching.py, ``MaxHrProposal``); this service keeps the proposal in
``learned.json`` (so it survives a restart), shows it retained on
``<base>/profile/max_hr_proposal``, and applies it only when the runner confirms
that very proposal (``cmd/confirm-max-hr`` with its ``id`` and ``max_hr``): the
engine's profile, the workout catalogue's zones and, from the next session,
the safety ceiling follow.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.coach.events import MaxHrProposal
from hiitd.mqtt.payloads import encode
from hiitd.store import learned_file

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.coach.engine import Engine
    from hiitd.coach.events import Event
    from hiitd.mqtt.topics import Topics
    from hiitd.runtime.outlet import Outlet
    from hiitd.store.workout_catalog import WorkoutCatalog

log = structlog.get_logger(__name__)


class ProfileService:
    """Owns ``learned.json`` while the daemon runs."""

    def __init__(
        self,
        state_dir: Path,
        engine: Engine,
        catalog: WorkoutCatalog,
        outlet: Outlet,
        topics: Topics,
        *,
        wall: Callable[[], float],
    ) -> None:
        self._state_dir = state_dir
        self._engine = engine
        self._catalog = catalog
        self._outlet = outlet
        self._topics = topics
        self._wall = wall

    def announce(self) -> None:
        """At start-up: a proposal still waiting is shown again (retained)."""
        pending = learned_file.load(self._state_dir).proposal
        if pending is not None:
            self._show("proposed", pending)

    def on_event(self, event: Event) -> None:
        """Keep a new proposal (the coach's listener; the coach publishes it)."""
        if isinstance(event, MaxHrProposal):
            kept = learned_file.load(self._state_dir)
            proposal = {**event.to_payload(), "wall": self._wall()}
            learned_file.save(self._state_dir, replace(kept, proposal=proposal))

    def confirm_max_hr(self, proposal_id: str, max_hr: int) -> str | None:
        """Apply the waiting proposal if the id and value are its own; else say why not."""
        kept = learned_file.load(self._state_dir)
        pending = kept.proposal
        if pending is None:
            return "no max HR proposal is waiting for confirmation"
        if proposal_id != pending["id"]:
            return f"proposal {proposal_id!r} is not the one waiting ({pending['id']!r})"
        if max_hr != pending["max_hr"]:
            return f"the proposal is {pending['max_hr']} bpm, not {max_hr}: confirm that value"
        learned_file.save(self._state_dir, learned_file.Learned(max_hr, None))
        profile = self._engine.confirm_max_hr(max_hr)
        self._catalog.use_profile(profile)
        log.info("max_hr_confirmed", max_hr=max_hr, id=proposal_id, was=pending.get("was"))
        self._show("confirmed", pending)
        return None

    def _show(self, state: str, proposal: dict[str, Any]) -> None:
        body = {"ts": self._wall(), "state": state, **proposal}
        body.pop("wall", None)
        self._outlet.retain(self._topics.max_hr_proposal, encode(body))
