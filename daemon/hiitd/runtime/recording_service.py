"""The daemon's recording side: checkpoints, the outbox, session results and exports.

Glue between the coach (engine events), the recorder (SQLite checkpoints every
2 s), the outbox (cues, step summaries and results stored first, marked
delivered only once the broker acknowledged them) and the post-session work
(metrics, the stored summary, the chart and FIT file beside it). Nothing here
may stop the coaching: a store that fails is logged and retried, and durable
messages then go out through the link's in-memory queue instead.
"""

from __future__ import annotations

import asyncio
import contextlib
import ctypes
import ctypes.util
import json
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.coach.session_resume import ResumePoint
from hiitd.errors import HiitdError, MqttError, StoreError
from hiitd.record.record_builder import RecordBuilder
from hiitd.runtime.analysis_child import Job, analyse_in_child
from hiitd.store.checkpointer import Recorder
from hiitd.store.crash_recovery import RESUME_WINDOW_S, Action, recover, resume_t0

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.coach.events import Event
    from hiitd.mqtt.broker_link import MqttLink
    from hiitd.record.session_record import SessionRecord
    from hiitd.runtime.coach_service import Coach
    from hiitd.runtime.telemetry import Outgoing
    from hiitd.store.db import Store
    from hiitd.store.rows import OutboxItem
    from hiitd.workouts.catalog import WorkoutCatalog
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

log = structlog.get_logger(__name__)

OUTBOX_BATCH = 50
OUTBOX_RETRY_S = 0.5  # the link is reconnecting; its own backoff paces the retries
OUTBOX_STORE_RETRY_S = 10.0
DELIVERED_KEEP_S = 7 * 24 * 3600.0  # delivered outbox rows are kept a week for diagnosis


@dataclass
class _Finished:
    record: SessionRecord  # its points are views on the builder's columns
    result: dict[str, Any]  # the engine's summary; the metrics are added after the analysis


@dataclass
class Recording:
    """Records the coach's sessions and delivers what must not be lost."""

    state_dir: Path
    coach: Coach
    clock: Clock
    wall: Callable[[], float]
    sub_sport: str = "generic"
    recorder: Recorder = field(init=False)
    store: Store | None = field(init=False)
    _wake: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    _finished: asyncio.Queue[_Finished] = field(init=False, default_factory=asyncio.Queue)
    _outbox_idle: asyncio.Event = field(init=False, default_factory=asyncio.Event)
    # Told the store's health whenever it changes (app.py: retained <base>/diagnostics).
    on_health: Callable[[dict[str, Any]], None] | None = field(init=False, default=None)
    # Sends the coach's messages (app.py): the session result, once analysed.
    send: Callable[[list[Outgoing]], None] | None = field(init=False, default=None)
    # Told each session id once its summary and metrics are kept (app.py: <base>/plan/next).
    on_kept: Callable[[str], None] | None = field(init=False, default=None)
    _health_said: tuple[str, str | None] | None = field(init=False, default=None)

    def __post_init__(self) -> None:
        engine = self.coach.engine
        builder = RecordBuilder(
            profile=lambda: engine.profile,
            planned=lambda: engine.steps,
            wall_at=lambda t: self.wall() - (self.clock.now() - t),
            sub_sport=self.sub_sport,
        )
        self.recorder = Recorder(builder, self.state_dir, wall=self.wall)
        self.store = self.recorder.open_store()
        self.coach.observers.append(self.recorder.on_events)
        self.coach.take_result = self._take_result
        self._wake.set()  # deliver what a previous run left in the outbox

    # ------------------------------------------------------------ the loop side

    def on_sample(self, sample: Sample, now: float) -> None:
        """Into the in-memory record (no I/O)."""
        self.recorder.on_sample(sample, now)

    def send_durable(self, out: Outgoing, link: MqttLink) -> bool:
        """Store ``out`` in the outbox for the delivery task; False when the store is down."""
        if self.store is None:
            return False
        try:
            self.store.enqueue(out.topic, out.payload, qos=max(out.qos, 1), retain=out.retain)
        except StoreError as exc:
            log.warning("outbox_unavailable", topic=out.topic, error=str(exc))
            return False
        if out.retain:
            link.hold_retained(out.topic, out.payload, qos=max(out.qos, 1))
        self._outbox_idle.clear()
        self._wake.set()
        return True

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
                action[:40], payload[:512], ok, error, session_id=self.coach.engine.session_id
            )
        except StoreError as exc:
            log.debug("command_not_logged", error=str(exc))

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
            await asyncio.sleep(24 * 3600)

    def _take_result(self, body: dict[str, Any]) -> bool:
        """The session ended: its result goes out once the analysis added its metrics."""
        record = self.recorder.builder.record()
        if record is None:
            return False  # nothing recorded: the coach publishes the bare result now
        self._finished.put_nowait(_Finished(record, body))
        return True

    # ------------------------------------------------------------------ tasks

    def health(self) -> dict[str, Any]:
        """The store's health: ``store`` is ``ok`` or ``unavailable``, ``error`` says why."""
        error = self.recorder.last_error
        return {
            "ts": self.wall(),
            "store": "ok" if error is None else "unavailable",
            "error": error,
            "failures": self.recorder.failures,
            "consequence": None
            if error is None
            else "coaching goes on; the session is kept "
            "in memory and written once the store works again",
        }

    def _tell_health(self) -> None:
        key = (
            ("ok" if self.recorder.last_error is None else "unavailable"),
            self.recorder.last_error,
        )
        if key != self._health_said and self.on_health is not None:
            self._health_said = key
            self.on_health(self.health())

    async def checkpoints(self) -> None:
        """Write a checkpoint whenever one is due (every 2 s of session time).

        With it, the engine's resume point goes to ``resume.json``: after a crash
        the engine continues from there (see ``recover``). A change in the
        store's health is told to ``on_health``.
        """
        while True:
            self._tell_health()
            await asyncio.sleep(0.25)
            now = self.clock.now()
            cp = self.recorder.take_checkpoint(now)
            if cp is None:
                continue
            point = self.coach.engine.resume_point(now)
            await asyncio.to_thread(self.recorder.write, cp)
            await asyncio.to_thread(_write_resume_point, self.state_dir, point, self.wall())

    def recover(self, catalog: WorkoutCatalog, *, resume: bool = True) -> list[Event]:
        """At start-up: continue the session a crash interrupted, or close it as interrupted.

        Resumed when its last checkpoint is recent (systemd restarted us; the
        runner is still out there) and the engine's resume point matches it.
        Returns the engine's events (the ``resumed`` cue and state) to publish.
        """
        store = self.store
        if store is None:
            return []
        now, now_wall = self.clock.now(), self.wall()
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
                workout = catalog.get(point.workout)
                events = self.coach.engine.restore_from(workout, point, now)
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

    async def outbox(self, link: MqttLink) -> None:
        """Deliver stored messages in order; each is marked delivered after the broker's ack."""
        store = self.store
        if store is None:
            return
        while True:
            await self._wake.wait()
            self._wake.clear()
            try:
                while items := await asyncio.to_thread(store.pending, OUTBOX_BATCH):
                    for item in items:
                        await self._deliver(link, store, item)
                await asyncio.to_thread(store.prune_delivered, DELIVERED_KEEP_S)
            except StoreError as exc:
                # The messages stay in the file; try again (a full disk may clear).
                log.warning("outbox_read_failed", error=str(exc), retry_s=OUTBOX_STORE_RETRY_S)
                await asyncio.sleep(OUTBOX_STORE_RETRY_S)
                self._wake.set()
                continue
            if not self._wake.is_set():
                self._outbox_idle.set()

    async def _deliver(self, link: MqttLink, store: Store, item: OutboxItem) -> None:
        while True:
            await link.wait_connected()
            try:
                await link.publish_confirmed(
                    item.topic, item.payload, qos=item.qos, retain=item.retain
                )
            except MqttError as exc:
                log.debug("outbox_retry", id=item.id, topic=item.topic, error=str(exc))
                with contextlib.suppress(StoreError):
                    await asyncio.to_thread(store.note_attempt, item.id)
                await asyncio.sleep(OUTBOX_RETRY_S)
                continue
            # On the loop, not in a worker: a cancellation (SIGTERM) between the ack
            # and this mark would otherwise resend the message at the next start.
            with contextlib.suppress(StoreError):
                store.mark_delivered(item.id)
            return

    async def post_session(self, link: MqttLink | None = None) -> None:
        """After each session: its metrics, the result, the summary, the chart and FIT file.

        The analysis runs in a child process (analysis.py: its memory goes back
        to the system); the result, with the metrics, then goes out through the
        outbox like any durable message, and the chart to ``session/chart``
        through ``link``, retained (Home Assistant's image entity shows it).
        """
        while True:
            # One session per call: its record (every point) is not kept alive
            # by this frame while we wait, possibly hours, for the next one.
            await self._post_one(await self._finished.get(), link)

    async def _post_one(self, done: _Finished, link: MqttLink | None) -> None:
        record, sid = done.record, done.record.session_id
        ended = record.start_wall + (record.end_t or 0.0)
        result = {
            **done.result,
            "start_wall": record.start_wall,
            "end_wall": ended,
            "status": record.status.value,
        }
        sent = False
        try:
            # Taken here, on the loop: the builder is the loop's (recorder.py); only
            # the frozen checkpoint goes to the worker, so the session is stored
            # before its summary.
            cp = self.recorder.take_checkpoint(self.clock.now(), force=True)
            if cp is not None and self.store is not None:
                await asyncio.to_thread(self.recorder.write, cp)
            folder = self.state_dir / "exports"
            with contextlib.suppress(OSError):  # the child names each file it cannot write
                await asyncio.to_thread(folder.mkdir, parents=True, exist_ok=True)
            job = Job(record, folder)
            analysis = await analyse_in_child(job, cache_dir=self.state_dir / "cache")
            for error in analysis.errors:
                log.warning("analysis_failed", session_id=sid, error=error)
            metrics = analysis.metrics
            if metrics is not None:
                result = {**result, **_key_figures(metrics), "metrics": metrics}
            self._send_result(result)
            sent = True
            if self.store is not None:
                await asyncio.to_thread(self.store.set_summary, sid, result, metrics)
            log.info("session_saved", session_id=sid, folder=str(folder))
            if link is not None and analysis.chart is not None:
                link.set_retained(self.coach.topics.session_chart, analysis.chart)
            if self.on_kept is not None:
                self.on_kept(sid)
            _return_freed_memory()
        except (HiitdError, OSError, ValueError) as exc:
            log.warning("post_session_failed", session_id=sid, error=str(exc))
        finally:
            if not sent:  # failed or cancelled (the daemon stops): the result, bare, not lost
                self._send_result(result)
            # Stored (or held by the recorder until the store works again): the
            # builder no longer needs the finished session's points.
            self.recorder.release_ended(sid)
            self._finished.task_done()  # drained() joins the queue

    def _send_result(self, body: dict[str, Any]) -> None:
        if self.send is not None:
            self.send([self.coach.result_message(body)])

    async def drained(self) -> None:
        """Return once the finished sessions are kept and the outbox is empty."""
        await self._finished.join()
        if self.store is not None:
            await self._outbox_idle.wait()

    def close(self) -> None:
        """A final checkpoint; a running session stays resumable."""
        self.recorder.close(self.clock.now())


def _return_freed_memory() -> None:
    """Give the heap's free pages back to the system (glibc only; elsewhere nothing).

    The post-session work (the job's pickle, the child's reply, the summary)
    frees a few megabytes that glibc keeps in its heap between live blocks;
    the soak measured about 2.5 MB of RSS after a 3-hour session returned by this call.
    """
    name = ctypes.util.find_library("c")
    if name is None:
        return
    with contextlib.suppress(OSError, AttributeError):
        ctypes.CDLL(name).malloc_trim(0)


RESUME_FILE = "resume.json"


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


def _key_figures(metrics: dict[str, Any]) -> dict[str, Any]:
    """The figures a dashboard shows without digging into ``metrics``."""
    energy = metrics.get("calories") or {}
    load = metrics.get("load") or {}
    hrv = metrics.get("hrv") or {}
    economy = metrics.get("economy") or {}
    hrr = metrics.get("hrr60") or {}
    return {
        "duration_s": metrics.get("duration_s"),
        "moving_s": metrics.get("moving_s"),
        "distance_m": metrics.get("distance_m"),
        "avg_hr": (metrics.get("hr") or {}).get("avg_bpm"),
        "calories_kcal": energy.get("kcal"),
        "calories_estimate": True,
        "trimp": load.get("trimp"),
        "hrss": load.get("hrss"),
        "hrr60_bpm": [s.get("hrr60_bpm") for s in hrr.get("steps", [])],
        "hrr60_session_bpm": (hrr.get("session") or {}).get("hrr60_bpm"),
        "rmssd_ms": hrv.get("rmssd_ms"),
        "rmssd_withheld": hrv.get("withheld"),
        "efficiency_factor": economy.get("efficiency_factor"),
    }
