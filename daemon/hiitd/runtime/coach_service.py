"""The coaching sink: samples, ticks and commands into the engine; its events out as messages.

Pure apart from the workout catalogue (which reads the state directory): time
comes in as arguments, and what to publish comes back as ``Outgoing`` values
that the daemon's outlet hands to the MQTT link (runtime/outlet.py). Listeners
(the demo's terminal, a future speech output) see every engine event.

What the engine cannot do itself comes in through the constructor, as small
interfaces: ``results`` takes a finished session's result to publish it with
its metrics (runtime/post_session.py), ``plan`` keeps ratings and knows the
recommended next session (runtime/plan_service.py), ``checkins`` measures a
readiness check-in (runtime/checkin_desk.py).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any, Protocol

import structlog

from hiitd.coach.events import (
    Command,
    CueDropped,
    CueEvent,
    Event,
    MaxHrProposal,
    Notice,
    SessionEnded,
    State,
    StateChanged,
    StepEnded,
)
from hiitd.errors import WorkoutError
from hiitd.mqtt.command_parser import NEXT, CommandError, ParsedCommand, parse_command
from hiitd.mqtt.payloads import command_result, encode
from hiitd.runtime.telemetry import Outgoing

if TYPE_CHECKING:
    from collections.abc import Callable, Sequence

    from hiitd.coach.engine import Engine
    from hiitd.mqtt.topics import Topics
    from hiitd.runtime.checkin_desk import CheckinDesk
    from hiitd.store.workout_catalog import WorkoutCatalog
    from hiitd_drivers.samples import Sample

log = structlog.get_logger(__name__)

STATE_MIN_INTERVAL_S = 1.0  # real seconds between unchanged-state refreshes (remaining time)


class ResultTaker(Protocol):
    """Publishes a session's result again later, with what the engine cannot know (metrics)."""

    def take_result(self, body: dict[str, Any]) -> dict[str, Any]:
        """The result to publish now (the session's record added to ``body``)."""
        ...


class MaxHrKeeper(Protocol):
    """Applies a proposed max HR once the runner confirms it (runtime/profile_service.py)."""

    def confirm_max_hr(self, proposal_id: str, max_hr: int) -> str | None:
        """None when applied; else why not (not the waiting proposal, another value)."""
        ...


class Planner(Protocol):
    """Keeps the runner's ratings and knows the recommended next session."""

    @property
    def recommended(self) -> dict[str, Any] | None:
        """The last ``plan/next`` document: what the workout name ``next`` starts."""
        ...

    def rate_session(self, rpe: int) -> str | None:
        """Keep the RPE of the last finished session (``cmd/rpe``); an error or None."""
        ...

    def report_health(self, status: str, note: str | None) -> str | None:
        """Keep a health report (``cmd/health``: ok, ill, injured); an error or None."""
        ...


@dataclass
class Coach:
    """Owns the engine for one athlete and translates its events into messages."""

    engine: Engine
    catalog: WorkoutCatalog
    topics: Topics
    wall: Callable[[], float]
    listeners: Sequence[Callable[[Event], None]] = ()
    # See every event with its time before it is translated (the recorder).
    observers: Sequence[Callable[[list[Event], float], None]] = ()
    results: ResultTaker | None = None
    plan: Planner | None = None
    # The live readiness check-in (``cmd/checkin``), when a strap can take one.
    checkins: CheckinDesk | None = None
    max_hr: MaxHrKeeper | None = None
    # Real seconds for the state refresh and the cues' ``age_s``: a wall clock that
    # steps back (NTP) must not stop the refresh, nor one that steps forward age a cue.
    monotonic: Callable[[], float] = time.monotonic
    _last_state_at: float = field(default=-1e9, init=False)
    _cue_seq: int = field(default=0, init=False)

    # ------------------------------------------------------------------ inputs

    def on_sample(self, sample: Sample, now: float) -> list[Outgoing]:
        """Feed one sample (its receipt time is ``now``, the source clock)."""
        return self._publish(self.engine.sample(sample, now), now)

    def on_tick(self, now: float) -> list[Outgoing]:
        """Let time pass: steps by time, countdowns, grace ends, sensor-lost checks."""
        out = self._publish(self.engine.tick(now), now)
        return out + self._refresh_state(now)

    def on_command(
        self, action: str, payload: bytes, now: float, *, quiet: bool = False
    ) -> list[Outgoing]:
        """Parse, check and apply a command; always answer on ``cmd/result``.

        ``quiet``: one of a flood of stop/pause/lap, carried out without an
        info line (a flood must not flood the journal).
        """
        emit = log.debug if quiet else log.info
        try:
            parsed = parse_command(action, payload)
            outcome_events, error = self._apply(parsed, now)
        except (CommandError, WorkoutError) as exc:
            emit("command_rejected", action=action[:40], error=str(exc))
            return [self._result(action, ok=False, error=str(exc), request_id=None)]
        reply = self._result(action, ok=error is None, error=error, request_id=parsed.request_id)
        if error is not None:
            emit("command_refused", action=action, error=error)
        else:
            emit("command_applied", action=action, workout=parsed.workout)
        extra = [] if self.checkins is None else self.checkins.take()
        return [reply, *extra, *self._publish(outcome_events, now, quiet=quiet)]

    def refuse(self, action: str, error: str) -> Outgoing:
        """A ``cmd/result`` refusing ``action`` without parsing it (the rate limit)."""
        return self._result(action, ok=False, error=error, request_id=None)

    def start(self, name_or_path: str, now: float) -> list[Outgoing]:
        """Start a workout from the local command line (a name, or a file's path)."""
        outcome = self.engine.command(Command("start", self.catalog.find(name_or_path)), now)
        if not outcome.ok:
            raise WorkoutError(outcome.error or "the workout could not start")
        return self._publish(outcome.events, now)

    def _apply(self, parsed: ParsedCommand, now: float) -> tuple[list[Event], str | None]:
        if parsed.action == "rpe":  # for the store, not the engine
            if self.plan is None or parsed.rpe is None:
                return [], "no session store: the rating cannot be kept"
            return [], self.plan.rate_session(parsed.rpe)
        if parsed.action == "health":  # for the plan, not the engine
            if self.plan is None or parsed.status is None:
                return [], "no plan here: the health report cannot be kept"
            return [], self.plan.report_health(parsed.status, parsed.note)
        if parsed.action == "confirm-max-hr":
            if self.max_hr is None or parsed.proposal is None or parsed.max_hr is None:
                return [], "no learned profile here: nothing to confirm"
            return [], self.max_hr.confirm_max_hr(parsed.proposal, parsed.max_hr)
        desk = self.checkins
        if parsed.action == "checkin":
            if desk is None or parsed.duration_s is None:
                return [], "check-ins are not available in this mode"
            active = self.session_active(now)
            return [], desk.start(parsed.duration_s, parsed.request_id, now, session_active=active)
        stopping = parsed.action == "stop" and desk is not None and desk.measuring
        if stopping and desk is not None and not self.session_active(now):
            desk.cancel("stopped by cmd/stop")
            return [], None
        workout = None if parsed.workout is None else self.catalog.get(self._named(parsed.workout))
        outcome = self.engine.command(Command(parsed.action, workout), now)  # type: ignore[arg-type]
        if parsed.action == "start" and outcome.ok and desk is not None and desk.measuring:
            desk.cancel("a session was started")
        return outcome.events, outcome.error

    def session_active(self, now: float) -> bool:
        """Whether a session is counting down, running or paused."""
        return self.engine.snapshot(now).state not in {State.IDLE, State.FINISHED}

    def _named(self, name: str) -> str:
        """A catalogue name; ``next`` is the plan's recommendation (``plan/next``)."""
        if name != NEXT:
            return name
        doc = None if self.plan is None else self.plan.recommended
        if doc is None:
            raise WorkoutError(
                "no recommended session yet (the plan is worked out at start-up and after "
                "each session from the session store): name a workout instead"
            )
        workout = doc.get("workout")
        if not isinstance(workout, str):
            why = doc.get("why") or ["the plan recommends rest"]
            raise WorkoutError(f"no session to start: {why[0]}")
        return workout

    # ----------------------------------------------------------------- outputs

    def _result(
        self, action: str, *, ok: bool, error: str | None, request_id: str | None
    ) -> Outgoing:
        body = command_result(action[:40], ok, error, self.wall())
        if request_id is not None:
            body["id"] = request_id
        return Outgoing(self.topics.cmd_result, encode(body), qos=1)

    def publish_events(self, events: list[Event], now: float) -> list[Outgoing]:
        """Translate events produced outside a sample, tick or command (a restore)."""
        return self._publish(events, now)

    def _publish(self, events: list[Event], now: float, *, quiet: bool = False) -> list[Outgoing]:
        out: list[Outgoing] = []
        ts = self.wall()
        for observer in self.observers:
            observer(events, now)
        # The result last: a consumer that sees it has had the session's cues and steps.
        events = sorted(events, key=lambda e: isinstance(e, SessionEnded))
        for event in events:
            for listener in self.listeners:
                listener(event)
            match event:
                case StateChanged(snapshot=snap):
                    out.append(self._state_message(snap.to_payload(), ts))
                    self._last_state_at = self.monotonic()
                case CueEvent(cue=cue):
                    # Into the journal too: the runner's cues are heard with no broker.
                    log.info("cue", id=cue.id, kind=cue.kind.value, text=cue.text)
                    # ``event_type``: what Home Assistant's MQTT event entity switches on.
                    # ``seq`` orders the cues of a daemon run whatever the wall clock did;
                    # ``age_s`` is how long ago it was decided (the outbox updates it).
                    self._cue_seq += 1
                    body = {
                        "ts": ts,
                        **cue.to_payload(),
                        "event_type": cue.kind.value,
                        "seq": self._cue_seq,
                        "age_s": 0.0,
                    }
                    out.append(Outgoing(self.topics.session_cue, encode(body), qos=1, durable=True))
                case CueDropped(cue=cue, reason=reason):
                    # Kept back by the speech budget (coach/speech.py): why, for the runner
                    # who wonders why the coach went quiet.
                    log.info("cue_dropped", id=cue.id, kind=cue.kind.value, text=cue.text,
                             reason=reason)  # fmt: skip
                case StepEnded(summary=s):
                    # A stable id: a consumer that gets a redelivery can drop it.
                    body = {
                        "ts": ts,
                        "id": f"{self.engine.session_id}/step/{s.index}",
                        "session_id": self.engine.session_id,
                        **s.to_payload(),
                    }
                    out.append(
                        Outgoing(self.topics.session_step, encode(body), qos=1, durable=True)
                    )
                case SessionEnded(summary=s):
                    body = {"ts": ts, **s.to_payload()}
                    if self.results is not None:
                        body = self.results.take_result(body)
                    out.append(self.result_message(body))
                case Notice(text=text, code=code):
                    (log.debug if quiet else log.info)("coach_notice", code=code, text=text)
                case MaxHrProposal():
                    log.warning("max_hr_proposed", **event.to_payload())
                    body = {"ts": ts, "state": "proposed", **event.to_payload()}
                    out.append(
                        Outgoing(self.topics.max_hr_proposal, encode(body), qos=1, retain=True)
                    )
        del now
        return out

    def result_message(self, body: dict[str, Any]) -> Outgoing:
        """The session result: retained, and through the outbox (it must not be lost)."""
        return result_message(self.topics, body)

    def _state_message(self, payload: dict[str, object], ts: float) -> Outgoing:
        return Outgoing(
            self.topics.session_state, encode({"ts": ts, **payload}), qos=1, retain=True
        )

    def _refresh_state(self, now: float) -> list[Outgoing]:
        """Re-publish the state about once a second while a session runs (remaining time)."""
        snap = self.engine.snapshot(now)
        if snap.state in {State.IDLE, State.FINISHED}:
            return []
        at = self.monotonic()
        if at - self._last_state_at < STATE_MIN_INTERVAL_S:
            return []
        self._last_state_at = at
        return [self._state_message(snap.to_payload(), self.wall())]

    def initial(self, now: float) -> list[Outgoing]:
        """The state to publish at start-up (retained: dashboards see idle, not stale)."""
        return [self._state_message(self.engine.snapshot(now).to_payload(), self.wall())]


def result_message(topics: Topics, body: dict[str, Any]) -> Outgoing:
    """The session result: retained, and through the outbox (it must not be lost)."""
    return Outgoing(topics.session_result, encode(body), qos=1, retain=True, durable=True)
