"""The checkpointer: the in-memory record builder, written to the store every few seconds.

Per sample the cost is the builder's (an append to a list); SQLite is touched
only at checkpoints, every ``checkpoint_s`` (2 s) while a session runs and at
once when it ends. A daemon kill therefore loses at most the samples since the
last checkpoint; a power cut at most those since the last *durable* one (every
``durable_s``, and every session end; see schema.py).

Threads: ``on_events``, ``on_sample`` and ``take_checkpoint`` run on the event
loop (they touch the builder); ``write`` touches only frozen snapshots and the
store, so the loop may run it in a worker::

    cp = recorder.take_checkpoint(now)
    if cp is not None:
        await asyncio.to_thread(recorder.write, cp)

``maybe_checkpoint(now)`` does both in the caller's thread (tests, replay).

A store that fails (disk full, read-only state directory) never stops the
coaching: the error is logged once, the builder keeps the whole session in
memory, and writing is retried every ``retry_s``; as a checkpoint writes
everything the file lacks, nothing recorded meanwhile is lost unless the daemon
stops before the store comes back.
"""

from __future__ import annotations

import threading
import time
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from hiitd.coach.events import State, StateChanged
from hiitd.errors import StoreError
from hiitd.record.session_record import SessionRecord, SessionStatus
from hiitd.store.db import Store

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.coach.events import Event
    from hiitd.record.record_builder import RecordBuilder
    from hiitd_drivers.samples import Sample

log = structlog.get_logger(__name__)

CHECKPOINT_S = 2.0  # a kill loses at most this much of a session (plus one sample)
MAX_CHECKPOINT_S = 5.0  # Principle 1 promises "at most the last few seconds"
DURABLE_S = 30.0  # a power cut loses at most about this much (one fsync per 30 s)
RETRY_S = 10.0  # after a store failure, try again this often (not every checkpoint)


@dataclass(frozen=True, slots=True)
class Checkpoint:
    """Frozen snapshots to write: ended sessions first, then the running one."""

    records: tuple[SessionRecord, ...]
    durable: bool
    now: float  # source-clock time it was taken
    seq: int


class Recorder:
    """Records sessions from engine events and samples into the store in ``state_dir``."""

    def __init__(
        self,
        builder: RecordBuilder,
        state_dir: Path,
        *,
        checkpoint_s: float = CHECKPOINT_S,
        durable_s: float = DURABLE_S,
        retry_s: float = RETRY_S,
        wall: Callable[[], float] = time.time,
        store: Store | None = None,
    ) -> None:
        """``store``: one opened (and examined) already; else it is opened on first use."""
        if not 0.0 < checkpoint_s <= MAX_CHECKPOINT_S:
            raise ValueError(f"checkpoint_s must be in (0, {MAX_CHECKPOINT_S}], not {checkpoint_s}")
        self.builder = builder
        self.state_dir = state_dir
        self.checkpoint_s, self.durable_s, self.retry_s = checkpoint_s, durable_s, retry_s
        self._wall = wall
        self._store: Store | None = store
        self._lock = threading.Lock()  # guards what write() (a worker) shares with the loop
        self._ended: dict[str, SessionRecord] = {}  # ended sessions not yet written
        self._ended_key: tuple[object, ...] | None = None
        self._last_cp: float | None = None
        self._last_durable: float | None = None
        self._retry_at: float | None = None  # source-clock time; None: not failing
        self._outage_logged = False
        self._seq = self._written_seq = 0
        self.failures = 0  # failed writes so far (for the status/diagnostics)
        self.last_error: str | None = None  # why the store fails now; None while it works

    @property
    def store(self) -> Store | None:
        """The open store, or None while it cannot be opened (the outbox task shares it)."""
        return self._store

    # ------------------------------------------------ input, on the event loop

    def on_sample(self, sample: Sample, now: float) -> None:
        """A sample: into the in-memory record (no I/O)."""
        self.builder.on_sample(sample, now)

    def on_events(self, events: list[Event], now: float) -> None:
        """Engine events: into the record; an ended session is queued for writing."""
        for event in events:
            if isinstance(event, StateChanged) and self._replaces(event):
                self._queue_ended()  # keep the old session before the builder drops it
            self.builder.on_events([event], now)
        cur = self.builder.current
        if cur is not None and cur.status is not SessionStatus.RUNNING:
            self._queue_ended()

    def resume(
        self, record: SessionRecord, t0: float, gap: tuple[float, float] | None = None
    ) -> None:
        """Continue a stored unfinished session (see crash_recovery.py); ``gap``: a pause."""
        self.builder.resume(record, t0, gap)

    def _replaces(self, event: StateChanged) -> bool:
        cur, snap = self.builder.current, event.snapshot
        return (
            cur is not None
            and snap.session_id is not None
            and snap.session_id != cur.session_id
            and snap.state in {State.RUNNING, State.PAUSED}
        )

    def _queue_ended(self) -> None:
        cur = self.builder.current
        if cur is None:
            return
        key = (cur.session_id, cur.status, cur.end_t, len(cur.cues), len(cur.steps))
        if key != self._ended_key:  # the same end is queued once
            record = self.builder.record()
            assert record is not None  # current is set
            with self._lock:
                self._ended[record.session_id] = record
            self._ended_key = key

    def release_ended(self, session_id: str) -> None:
        """Drop the builder's copy of a finished session once post-session work is done.

        What is not written yet stays in the recorder's own snapshot
        (``_ended``) until a checkpoint writes it, so nothing is lost; a new
        session starts the builder afresh anyway.
        """
        self.builder.release(session_id)

    # --------------------------------------------------------------- checkpoints

    def take_checkpoint(self, now: float, *, force: bool = False) -> Checkpoint | None:
        """What to write now, if a checkpoint is due (loop thread; cheap)."""
        with self._lock:
            if self._retry_at is not None and now < self._retry_at and not force:
                return None
            records = list(self._ended.values())
            current = self.builder.record() if self.builder.active else None
            interval_due = self._last_cp is None or now - self._last_cp >= self.checkpoint_s
            if current is not None and (interval_due or force):
                records.append(current)
            if not records:
                return None
            last = self._last_durable
            durable = force or bool(self._ended) or last is None or now - last >= self.durable_s
            self._last_cp = now
            self._seq += 1
            return Checkpoint(tuple(records), durable, now, self._seq)

    def write(self, cp: Checkpoint) -> bool:
        """Write a checkpoint (any thread, one at a time); False when the store failed."""
        with self._lock:
            if cp.seq <= self._written_seq:
                return True  # a newer checkpoint was already written: this one is stale
        try:
            store = self._open()
            for i, record in enumerate(cp.records):
                # One fsync for all: syncing the WAL at the last commit persists
                # the commits before it too.
                store.save(
                    record, durable=cp.durable and i == len(cp.records) - 1, wall=self._wall()
                )
        except StoreError as exc:
            self._failed(cp, exc)
            return False
        with self._lock:
            for record in cp.records:
                if self._ended.get(record.session_id) is record:
                    del self._ended[record.session_id]
            self._written_seq = max(self._written_seq, cp.seq)
            if cp.durable:
                self._last_durable = cp.now
            self._retry_at = None
            self.last_error = None
            if self._outage_logged:
                self._outage_logged = False
                log.info("store_recovered", path=str(store.path), failures=self.failures)
        return True

    def maybe_checkpoint(self, now: float) -> bool:
        """Checkpoint if due (every ``checkpoint_s``, at once after a session end); written?"""
        cp = self.take_checkpoint(now)
        return cp is not None and self.write(cp)

    def checkpoint(self, now: float) -> bool:
        """Checkpoint now, durably, whatever the interval; written (or nothing to write)?"""
        cp = self.take_checkpoint(now, force=True)
        return cp is None or self.write(cp)

    def close(self, now: float) -> bool:
        """A final checkpoint, then close the store; False when something was not written.

        A session still running stays ``running`` in the store: the next start
        resumes it or closes it as interrupted (crash_recovery.py).
        """
        ok = self.checkpoint(now)
        if not ok:
            with self._lock:
                lost = [r.session_id for r in self._ended.values()]
            log.error("store_unsaved_at_exit", sessions=lost, active=self.builder.active)
        if self._store is not None:
            self._store.close()
            self._store = None
        return ok

    def open_store(self) -> Store | None:
        """Open the store now (start-up: for ``recover`` and the outbox task); None if it fails.

        A failure is logged (``store_unavailable``) and retried by later checkpoints.
        """
        try:
            return self._open()
        except StoreError as exc:
            self.open_failed(exc)
        return None

    def open_failed(self, exc: StoreError) -> None:
        """Opening failed (here, or for the caller): count, log, retry at later checkpoints."""
        with self._lock:
            self.failures += 1
        self._report(exc)

    def _open(self) -> Store:
        if self._store is None:
            # A retry: the file is examined again (refused, or moved aside if damaged).
            self._store = Store.open(self.state_dir, repair=True)
        return self._store

    def _failed(self, cp: Checkpoint, exc: StoreError) -> None:
        with self._lock:
            self.failures += 1
            self._retry_at = cp.now + self.retry_s
        self._report(exc)

    def _report(self, exc: StoreError) -> None:
        self.last_error = str(exc)
        if not self._outage_logged:  # once per outage: a full disk must not flood the journal
            self._outage_logged = True
            log.error(
                "store_unavailable",
                error=str(exc),
                state_dir=str(self.state_dir),
                retry_s=self.retry_s,
                consequence="coaching continues; the session is kept in memory until writes work",
            )
        else:
            log.debug("store_still_unavailable", error=str(exc), failures=self.failures)
