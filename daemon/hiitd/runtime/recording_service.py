"""The daemon's recording side: the session store, checkpoints, crash recovery, retention.

Glue between the engine (its events and resume point), the recorder (SQLite
checkpoints every 2 s, store/checkpointer.py) and the state directory.
Nothing here may stop the coaching: a store that fails is logged, told on the
retained ``<base>/diagnostics`` topic (runtime/diagnostics.py) and retried; the session is kept in
memory meanwhile. The durable outbox (runtime/durable_outbox.py) and the
post-session work (runtime/post_session.py) use the store opened here.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.coach.session_resume import ResumePoint
from hiitd.errors import HiitdError, StoreError
from hiitd.record.record_builder import RecordBuilder
from hiitd.store.checkpointer import Recorder
from hiitd.store.crash_recovery import RESUME_WINDOW_S, Action, recover, resume_t0

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.coach.engine import Engine
    from hiitd.coach.events import Event
    from hiitd.runtime.telemetry import Outgoing
    from hiitd.store.db import Store
    from hiitd.store.workout_catalog import WorkoutCatalog
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

log = structlog.get_logger(__name__)

CHECK_EVERY_S = 0.25  # how often the checkpoint task looks whether one is due
RETENTION_EVERY_S = 24 * 3600.0
RESUME_FILE = "resume.json"


class RecordingService:
    """Records the engine's sessions into the store in ``state_dir``."""

    def __init__(
        self,
        state_dir: Path,
        engine: Engine,
        clock: Clock,
        wall: Callable[[], float],
    ) -> None:
        """Opens the store now (start-up: recovery and the outbox need it); see ``store``."""
        self.state_dir = state_dir
        self._engine = engine
        self._clock = clock
        self._wall = wall
        builder = RecordBuilder(
            profile=lambda: engine.profile,
            planned=lambda: engine.steps,
            wall_at=lambda t: wall() - (clock.now() - t),
        )
        self.recorder = Recorder(builder, state_dir, wall=wall)
        # None when it cannot be opened: the recorder retries at each checkpoint.
        self.store: Store | None = self.recorder.open_store()

    # ------------------------------------------------------------ the loop side

    def on_events(self, events: list[Event], now: float) -> None:
        """Engine events into the record (the coach's observer)."""
        self.recorder.on_events(events, now)

    def on_sample(self, sample: Sample, now: float) -> None:
        """Into the in-memory record (no I/O)."""
        self.recorder.on_sample(sample, now)

    def store_missing(self) -> str | None:
        """Why a check-in could not be kept now, or None."""
        if self.store is None:
            return "the session store is unavailable: a check-in could not be kept"
        return None

    def log_command(self, action: str, payload: bytes, outs: list[Outgoing]) -> None:
        """Keep every command and its answer (a runner's "why did it stop?" has an answer)."""
        if self.store is None:
            return
        reply = next((o for o in outs if o.topic.endswith("/cmd/result")), None)
        ok, error = False, None
        if reply is not None:
            doc = json.loads(reply.payload)
            ok, error = bool(doc.get("ok")), doc.get("error")
        try:
            self.store.log_command(
                action[:40], payload[:512], ok, error, session_id=self._engine.session_id
            )
        except StoreError as exc:
            log.debug("command_not_logged", error=str(exc))

    async def keep_ended(self, now: float) -> Path:
        """The session just ended is stored (before its summary); the exports folder."""
        # Taken here, on the loop: the builder is the loop's (checkpointer.py); only
        # the frozen checkpoint goes to the worker.
        cp = self.recorder.take_checkpoint(now, force=True)
        if cp is not None and self.store is not None:
            await asyncio.to_thread(self.recorder.write, cp)
        folder = self.state_dir / "exports"
        with contextlib.suppress(OSError):  # the analysis names each file it cannot write
            await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
        return folder

    # ------------------------------------------------------------------ tasks

    def health(self) -> dict[str, Any]:
        """The store's health: ``store`` is ``ok`` or ``unavailable``, ``error`` says why."""
        error = self.recorder.last_error
        return {
            "ts": self._wall(),
            "store": "ok" if error is None else "unavailable",
            "error": error,
            "failures": self.recorder.failures,
            "consequence": None
            if error is None
            else "coaching goes on; the session is kept "
            "in memory and written once the store works again",
        }

    async def checkpoints(self) -> None:
        """Write a checkpoint whenever one is due (every 2 s of session time).

        With it, the engine's resume point goes to ``resume.json``: after a crash
        the engine continues from there (see ``recover``).
        """
        while True:
            await asyncio.sleep(CHECK_EVERY_S)
            now = self._clock.now()
            cp = self.recorder.take_checkpoint(now)
            if cp is None:
                continue
            point = self._engine.resume_point(now)
            await asyncio.to_thread(self.recorder.write, cp)
            await asyncio.to_thread(_write_resume_point, self.state_dir, point, self._wall())

    async def maintenance(self, retention_days: int | None) -> None:
        """Once a day: drop raw samples past the retention (summaries stay)."""
        store = self.store
        if store is None:
            return
        while True:
            try:
                pruned = await asyncio.to_thread(store.prune_samples, retention_days)
            except StoreError as exc:
                log.warning("retention_failed", error=str(exc))
            else:
                if pruned:
                    log.info("samples_pruned", sessions=pruned, retention_days=retention_days)
            await asyncio.sleep(RETENTION_EVERY_S)

    def recover(self, catalog: WorkoutCatalog, *, resume: bool = True) -> list[Event]:
        """At start-up: continue the session a crash interrupted, or close it as interrupted.

        Resumed when its last checkpoint is recent (systemd restarted us; the
        runner is still out there) and the engine's resume point matches it.
        Returns the engine's events (the ``resumed`` cue and state) to publish.
        """
        store = self.store
        if store is None:
            return []
        now, now_wall = self._clock.now(), self._wall()
        try:
            decision = recover(store, now_wall, resume_window_s=RESUME_WINDOW_S if resume else -1.0)
            if decision.action is not Action.RESUME or decision.session is None:
                if decision.closed:
                    log.warning("sessions_interrupted", sessions=list(decision.closed))
                return []
            sid = decision.session.session_id
            point = _read_resume_point(self.state_dir, sid)
            events: list[Event] = []
            if point is not None:
                events = self._engine.restore_from(catalog.get(point.workout), point, now)
        except (HiitdError, ValueError) as exc:
            log.warning("session_not_resumed", error=str(exc))
            events, point = [], None
            sid = decision.session.session_id if decision.session else ""
        if point is None:
            if sid:
                store.mark_interrupted(sid, wall=now_wall)
                log.warning("sessions_interrupted", sessions=[sid], reason="no resume point")
            return []
        record = store.load_for_resume(sid)
        self.recorder.resume(record, resume_t0(record, now, now_wall))
        log.info("session_resumed", session_id=sid, step_index=point.step_index)
        return events

    def close(self) -> None:
        """A final checkpoint; a running session stays resumable."""
        self.recorder.close(self._clock.now())


def _write_resume_point(state_dir: Path, point: ResumePoint | None, wall: float) -> None:
    path = state_dir / RESUME_FILE
    try:
        if point is None:
            path.unlink(missing_ok=True)
            return
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps({"wall": wall, "point": point.to_payload()}), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.debug("resume_point_not_written", error=str(exc))


def _read_resume_point(state_dir: Path, session_id: str) -> ResumePoint | None:
    try:
        doc = json.loads((state_dir / RESUME_FILE).read_text(encoding="utf-8"))
        point = ResumePoint.from_payload(doc["point"])
    except (OSError, ValueError, KeyError, TypeError):
        return None
    return point if point.session_id == session_id else None
