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
import math
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.errors import HiitdError, StoreError
from hiitd.record.record_builder import RecordBuilder
from hiitd.runtime.wall_clock import (
    ClockView,
    StepWatch,
    boot_id,
    judge,
    retention_blocked,
    sync_state,
)
from hiitd.store import resume_file
from hiitd.store.checkpointer import Recorder
from hiitd.store.crash_recovery import RESUME_WINDOW_S, Action, recover, resume_t0
from hiitd.store.db import Store
from hiitd.store.rows import last_t

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.coach.engine import Engine
    from hiitd.coach.events import Event
    from hiitd.runtime.telemetry import Outgoing
    from hiitd.settings import StorageSettings
    from hiitd.store.workout_catalog import WorkoutCatalog
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

log = structlog.get_logger(__name__)

CHECK_EVERY_S = 0.25  # how often the checkpoint task looks whether one is due
RETENTION_EVERY_S = 24 * 3600.0


@dataclass(frozen=True, slots=True)
class StoreOpening:
    """The session store as opening it turned out: the store, or why there is none."""

    store: Store | None
    error: StoreError | None = None


def open_checked(state_dir: Path) -> StoreOpening:
    """Open the store for the daemon: examined, quick-checked, a damaged file moved aside.

    Reads the whole file (``PRAGMA quick_check``): run it off the event loop.
    """
    try:
        return StoreOpening(Store.open(state_dir, repair=True, quick_check=True))
    except StoreError as exc:
        return StoreOpening(None, exc)


class RecordingService:
    """Records the engine's sessions into the store in ``state_dir``."""

    def __init__(
        self,
        storage: StorageSettings,
        engine: Engine,
        clock: Clock,
        wall: Callable[[], float],
        *,
        monotonic: Callable[[], float] = time.monotonic,
        opening: StoreOpening | None = None,
    ) -> None:
        """``opening``: the store opened (and examined) off the loop by the caller; without
        it the store is opened here (tools, tests). See ``store``."""
        self.state_dir = state_dir = storage.state_dir
        self._storage = storage
        self._engine = engine
        self._clock = clock
        self._wall = wall
        self._monotonic = monotonic
        self._boot = boot_id()
        builder = RecordBuilder(
            profile=lambda: engine.profile,
            planned=lambda: engine.steps,
            wall_at=lambda t: wall() - (clock.now() - t),
        )
        opening = opening or open_checked(state_dir)
        self.recorder = Recorder(builder, state_dir, wall=wall, store=opening.store)
        if opening.error is not None:
            self.recorder.open_failed(opening.error)
        # None when it cannot be opened: the recorder retries at each checkpoint.
        self.store: Store | None = opening.store
        # What opening did to a damaged file (moved aside): said until the next start.
        self.store_note = None if opening.store is None else opening.store.note
        if self.store_note is not None:
            log.error("store_moved_aside", note=self.store_note, state_dir=str(state_dir))
        self._newest_wall = self._read_newest_wall()
        self._steps = StepWatch(wall, monotonic)

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
            "store_note": self.store_note,
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
            self._follow_clock_steps(now)
            cp = self.recorder.take_checkpoint(now)
            if cp is None:
                continue
            point = self._engine.resume_point(now)
            await asyncio.to_thread(self.recorder.write, cp)
            wall = self._wall()
            self._newest_wall = max(self._newest_wall or wall, wall)
            await asyncio.to_thread(
                resume_file.write, self.state_dir, point, wall=wall, boot=self._boot,
                mono=self._monotonic(), rate=self._clock.rate,
            )  # fmt: skip

    def _follow_clock_steps(self, now: float) -> None:
        """The wall clock was set (NTP's first sync): the running session's start follows it."""
        step = self._steps.stepped()
        builder = self.recorder.builder
        if step is None or builder.current is None or not builder.active:
            return
        start_wall = self._wall() - (now - builder.current.t0)
        builder.reanchor(start_wall)
        log.warning(
            "clock_stepped",
            step_s=round(step, 1),
            session_id=builder.current.session_id,
            start_wall=start_wall,
            consequence="the session's times follow the new wall clock",
        )

    def clock_view(self) -> ClockView:
        """Whether the wall clock may be believed now (diagnostics, retention)."""
        sync = sync_state(self._storage.clock_sync_file)
        return judge(sync, self._wall(), self._newest_wall)

    def _read_newest_wall(self) -> float | None:
        if self.store is None:
            return None
        try:
            return self.store.newest_wall()
        except StoreError:
            return None

    async def maintenance(self, retention_days: int | None) -> None:
        """Once a day: drop raw samples past the retention (summaries stay).

        Never in the first hour after start (``retention_start_delay_s``), and
        never while the wall clock cannot be believed or is more than a day
        beyond the newest session (runtime/wall_clock.py): pruning deletes by
        age, and a clock that is ahead would delete what is not old.
        """
        store = self.store
        if store is None:
            return
        await asyncio.sleep(self._storage.retention_start_delay_s)
        while True:
            now_wall = self._wall()
            why = retention_blocked(self.clock_view(), now_wall, self._newest_wall)
            if why is not None:
                log.warning("retention_deferred", reason=why, retry_in_s=RETENTION_EVERY_S)
            else:
                await self._prune(store, retention_days, now_wall)
            await asyncio.sleep(RETENTION_EVERY_S)

    async def _prune(self, store: Store, retention_days: int | None, now_wall: float) -> None:
        try:
            pruned = await asyncio.to_thread(store.prune_samples, retention_days, now_wall=now_wall)
        except StoreError as exc:
            log.warning("retention_failed", error=str(exc))
        else:
            if pruned:
                log.info("samples_pruned", sessions=pruned, retention_days=retention_days)

    def recover(self, catalog: WorkoutCatalog, *, resume: bool = True) -> list[Event]:
        """At start-up: continue the session a crash interrupted, or close it as interrupted.

        Resumed when its last checkpoint is recent on the monotonic clock of
        this boot (systemd restarted us; the runner is still out there) and the
        engine's resume point matches it; the downtime becomes a pause in the
        record. Across a reboot the downtime cannot be measured: closed.
        Returns the engine's events (the ``resumed`` cue and state) to publish.
        """
        store = self.store
        if store is None:
            return []
        now, now_wall = self._clock.now(), self._wall()
        newest = max(store.unfinished(), key=lambda r: r.start_wall, default=None)
        stored = None if newest is None else resume_file.read(self.state_dir, newest.session_id)
        gap = math.inf if stored is None else stored.gap_s(self._boot, self._monotonic())
        window = RESUME_WINDOW_S if resume else -1.0
        try:
            decision = recover(store, now_wall, resume_window_s=window, gap_s=gap)
            if decision.action is not Action.RESUME or decision.session is None:
                if decision.closed:
                    log.warning("sessions_interrupted", sessions=list(decision.closed))
                return []
            assert stored is not None  # a finite gap needs a stored point
            sid, point = decision.session.session_id, stored.point
            events = self._engine.restore_from(catalog.get(point.workout), point, now)
        except (HiitdError, ValueError) as exc:
            log.warning("session_not_resumed", error=str(exc))
            if newest is not None and store.mark_interrupted(newest.session_id, wall=now_wall):
                log.warning("sessions_interrupted", sessions=[newest.session_id])
            return []
        record = store.load_for_resume(sid)
        gap_s = gap * stored.rate
        last = last_t(record)
        self.recorder.resume(record, resume_t0(record, now, gap_s), (last, last + gap_s))
        log.info(
            "session_resumed", session_id=sid, step_index=point.step_index, gap_s=round(gap, 1)
        )
        return events

    def close(self) -> None:
        """A final checkpoint; a running session stays resumable."""
        self.recorder.close(self._clock.now())
