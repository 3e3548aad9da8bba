"""The supervisor: one TaskGroup wiring sources -> sample queue -> sinks.

Sources (the BLE links or the simulator) call ``emit(sample)``, which never
blocks: the queue is bounded and drops the oldest sample when a sink falls
behind (a driver must never wait for the broker). One pump task drains the
queue into the sinks (live telemetry and the coach); a ticker lets time pass in
the engine; MQTT commands reach the coach through the link's handler. Shutdown
is cancellation: SIGTERM cancels the main task, the TaskGroup cancels every
child, and the MQTT link publishes ``offline`` on its way out.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
import uuid
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

import structlog

from hiitd.coach.engine import Engine
from hiitd.coach.events import Notice
from hiitd.coach.profile import profile_from_settings
from hiitd.errors import HiitdError, StoreError
from hiitd.mqtt.broker_link import MqttLink
from hiitd.mqtt.discovery import ha_status_topic
from hiitd.mqtt.ha_device import discovery_message
from hiitd.mqtt.payloads import encode
from hiitd.mqtt.ratelimit import TokenBucket, Verdict
from hiitd.mqtt.topics import Topics
from hiitd.runtime.checkin_desk import PROGRESS_EVERY_S, CheckinDesk, CheckinFailed
from hiitd.runtime.coach_service import Coach
from hiitd.runtime.recording_service import Recording
from hiitd.runtime.telemetry import Outgoing, Telemetry
from hiitd.store import learned_file as learned
from hiitd.store import plan_history as plan_io
from hiitd.workouts.catalog import WorkoutCatalog
from hiitd_drivers.samples import Role, Sample

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from hiitd.coach.events import Event
    from hiitd.runtime.sdnotify import Notifier
    from hiitd.settings import Settings
    from hiitd_drivers.clock import Clock

log = structlog.get_logger(__name__)

QUEUE_SIZE = 4096  # about 15 minutes of 1 Hz strap + 2 Hz pod: far beyond any stall
TICK_S = 0.5  # engine clock ticks (source-clock seconds): countdowns land within half a second
FINISH_LINGER_S = 0.5  # wall seconds for the last live messages before a demo exits
FINISH_DRAIN_S = 30.0  # at most this long for the outbox and the saved files


class SampleQueue:
    """A bounded queue whose producer never waits: when full, the oldest sample goes."""

    def __init__(self, maxsize: int = QUEUE_SIZE) -> None:
        self._queue: asyncio.Queue[Sample] = asyncio.Queue(maxsize)
        self.dropped = 0

    def put(self, sample: Sample) -> None:
        """Enqueue without blocking, dropping the oldest sample when full."""
        if self._queue.full():
            self._queue.get_nowait()
            self.dropped += 1
        self._queue.put_nowait(sample)

    async def get(self) -> Sample:
        """Wait for the next sample."""
        return await self._queue.get()


def enabled_roles(settings: Settings) -> tuple[Role, ...]:
    """The sensor roles this daemon should expect."""
    roles = []
    if settings.ble.hr.enabled:
        roles.append(Role.HR)
    if settings.ble.footpod.enabled:
        roles.append(Role.FOOTPOD)
    return tuple(roles)


def build_coach(settings: Settings, topics: Topics, wall: Callable[[], float]) -> Coach:
    """The engine for the configured athlete, with the workout catalogue."""
    profile = learned.apply(profile_from_settings(settings.athlete), settings.storage.state_dir)
    for note in profile.notes:
        log.info("athlete_profile", note=note)
    # A prefix unique to this daemon run keeps cue and session ids unique across
    # restarts (the engine's own clock restarts at boot), so consumers may dedupe on them.
    engine = Engine(profile, settings.coach, session_prefix=uuid.uuid4().hex[:8])
    catalog = WorkoutCatalog(settings.storage.state_dir, profile)
    coach = Coach(engine, catalog, topics, wall)

    def keep_learned(event: Event) -> None:
        if isinstance(event, Notice) and event.code == "max_hr_raised":
            learned.save_max_hr(settings.storage.state_dir, coach.engine.profile.max_hr)

    coach.listeners.append(keep_learned)
    return coach


class _SessionOver(Exception):  # noqa: N818 - a signal to leave the TaskGroup, not an error
    """Raised inside the TaskGroup to end a run whose session finished (the demo)."""


@dataclass
class RunOptions:
    """What differs between ``run`` and ``demo``."""

    notifier: Notifier | None = None
    printer: Callable[[Outgoing], None] | None = None
    listeners: list[Callable[[Event], None]] = field(default_factory=list)
    start_workout: str | None = None  # start this workout once the broker is up
    exit_when_finished: bool = False
    resume: bool = True  # continue a session a crash interrupted (not in the demo)
    wall: Callable[[], float] = time.time


async def supervise(
    settings: Settings,
    clock: Clock,
    source: Callable[
        [Callable[[Sample], None], Callable[[float], float]], Coroutine[Any, Any, None]
    ],
    options: RunOptions | None = None,
) -> None:
    """Run until cancelled (or, with ``exit_when_finished``, until the session ends)."""
    opts = options or RunOptions()
    topics = Topics(settings.mqtt.prefix, settings.athlete.id)
    coach = build_coach(settings, topics, opts.wall)
    coach.listeners.extend(opts.listeners)
    recording = Recording(settings.storage.state_dir, coach, clock, opts.wall)
    finished = asyncio.Event()

    def send(messages: list[Outgoing]) -> None:
        for out in messages:
            if out.durable and recording.send_durable(out, link):
                pass  # the outbox task delivers it, in order, until the broker acknowledges
            elif out.retain:
                link.set_retained(out.topic, out.payload, qos=out.qos)
            else:
                link.publish(out.topic, out.payload, qos=out.qos)
            if opts.printer is not None:
                opts.printer(out)
        if coach.finished:
            finished.set()

    # Real seconds, not the (possibly accelerated) session clock: floods are real.
    limiter = TokenBucket()

    async def on_command(action: str, payload: bytes) -> None:
        verdict = limiter.check(time.monotonic())
        if verdict is Verdict.DENY_AND_SAY:
            log.warning("commands_rate_limited", action=action[:40], denied=limiter.denied)
            send([coach.refuse(action, limiter.message)])
        if verdict is not Verdict.ALLOW:
            return  # neither parsed nor stored: a flood must not reach the SD card
        outs = coach.on_command(action, payload, clock.now())
        recording.log_command(action, payload, outs)
        send(outs)

    async def publish_discovery() -> None:
        roles = enabled_roles(settings)
        try:  # reads the imported workouts (the select's options): off the loop
            message = await asyncio.to_thread(discovery_message, settings, coach.catalog, roles)
        except (HiitdError, OSError, ValueError) as exc:
            log.warning("ha_discovery_failed", error=str(exc))
            return
        link.set_retained(message.topic, message.payload)

    async def on_ha_status(payload: bytes) -> None:
        # Home Assistant came (back) up: discovery first, then the state it shows.
        if payload.strip() == b"online":
            log.info("ha_online", topic=ha_status_topic(settings.mqtt.discovery_prefix))
            await publish_discovery()
            link.resend_retained()

    link = MqttLink(
        settings.mqtt,
        topics,
        on_command=on_command,
        on_message={ha_status_topic(settings.mqtt.discovery_prefix): on_ha_status},
        clock=opts.wall,
    )
    recording.on_health = lambda doc: link.set_retained(topics.diagnostics, encode(doc))
    plan_due = asyncio.Event()
    plan_due.set()  # at start-up, then after each session and each rating
    recording.on_kept = lambda _sid: plan_due.set()
    recording.send = send

    def rate_session(rpe: int) -> str | None:
        if recording.store is None:
            return "the session store is unavailable: the rating is not kept"
        try:  # two tiny statements: fine on the loop (store/db.py)
            sid = plan_io.rate_last_session(recording.store, rpe)
        except StoreError as exc:
            return str(exc)
        log.info("session_rated", session_id=sid, rpe=rpe)
        plan_due.set()
        return None

    coach.rate_session = rate_session

    def store_missing() -> str | None:
        if recording.store is None:
            return "the session store is unavailable: a check-in could not be kept"
        return None

    checkin_wake = asyncio.Event()
    desk = CheckinDesk(
        topics,
        opts.wall,
        hr_enabled=Role.HR in enabled_roles(settings),
        precheck=store_missing,
        on_start=checkin_wake.set,
    )
    coach.checkins = desk

    async def checkins() -> None:
        # One measurement at a time: progress on the daemon's clock, then stored off the loop.
        while True:
            await checkin_wake.wait()
            checkin_wake.clear()
            job = desk.job
            while job is not None and desk.job is job and not job.due(clock.now()):
                await clock.sleep(min(PROGRESS_EVERY_S, job.remaining(clock.now())))
                if desk.job is job and not job.due(clock.now()):
                    send(desk.progress(clock.now()))
            if job is not None and desk.job is job:  # not cancelled meanwhile
                await finish_checkin()

    async def finish_checkin() -> None:
        job = desk.close()
        if job is None:
            return
        try:
            row = job.result(opts.wall())
            store = recording.store
            if store is None:  # it failed while measuring
                raise StoreError(store_missing() or "the session store is unavailable")  # noqa: TRY301
            ready = await asyncio.to_thread(plan_io.keep_checkin, store, row, settings.plan)
        except (CheckinFailed, StoreError) as exc:
            log.warning("checkin_failed", error=str(exc), beats=job.beats)
            send(desk.failed(str(exc)))
            return
        log.info(
            "checkin_stored",
            resting_hr=round(row.resting_hr or 0.0, 1),
            ln_rmssd=row.ln_rmssd,
            beats=row.beats,
            artefact_pct=row.artefact_pct,
            readiness=ready.status,
        )
        send(desk.done(row, ready))
        plan_due.set()

    async def publish_plan() -> None:
        while True:
            await plan_due.wait()
            plan_due.clear()
            store = recording.store
            if store is None:
                continue
            try:  # reads every session's metrics: off the loop
                doc = await asyncio.to_thread(
                    plan_io.next_payload, store, settings.plan, opts.wall()
                )
            except (HiitdError, ValueError) as exc:
                log.warning("plan_failed", error=str(exc))
                continue
            coach.plan_next = doc
            link.set_retained(topics.plan_next, encode(doc))

    telemetry = Telemetry(topics)
    queue = SampleQueue()

    def target_speed(now: float) -> float:
        # What the simulated runner tries to run: the step's target, standing still
        # before a session starts and after it ends.
        speed = coach.engine.target_speed(now)
        return 0.0 if speed is None else speed

    async def pump() -> None:
        await publish_discovery()
        send(telemetry.initial(enabled_roles(settings)))
        send(coach.initial(clock.now()))
        # A session a crash interrupted continues here (or is closed as interrupted).
        restored = recording.recover(coach.catalog, resume=opts.resume)
        send(coach.publish_events(restored, clock.now()))
        while True:
            sample = await queue.get()
            send(telemetry.handle(sample, opts.wall()))
            recording.on_sample(sample, sample.t)
            desk.feed(sample)
            send(coach.on_sample(sample, sample.t))

    async def ticker() -> None:
        while True:
            await clock.sleep(TICK_S)
            send(coach.on_tick(clock.now()))

    async def autostart(name: str) -> None:
        async with asyncio.timeout(30):
            await link.wait_connected()
        send(coach.start(name, clock.now()))

    async def until_finished() -> None:
        await finished.wait()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FINISH_DRAIN_S):
                await recording.drained()
        await asyncio.sleep(FINISH_LINGER_S)
        raise _SessionOver

    log.info("hiitd_starting", base_topic=topics.base, broker=settings.mqtt.url)
    try:
        async with asyncio.TaskGroup() as tg:
            tg.create_task(link.run(), name="mqtt-link")
            tg.create_task(pump(), name="sample-pump")
            tg.create_task(ticker(), name="engine-ticker")
            tg.create_task(recording.checkpoints(), name="checkpoints")
            tg.create_task(recording.outbox(link), name="outbox")
            tg.create_task(recording.post_session(link), name="post-session")
            tg.create_task(publish_plan(), name="plan")
            tg.create_task(checkins(), name="checkins")
            retention = settings.storage.sample_retention_days
            tg.create_task(recording.maintenance(retention), name="maintenance")
            tg.create_task(source(queue.put, target_speed), name="sources")
            if opts.start_workout is not None:
                tg.create_task(autostart(opts.start_workout), name="autostart")
            if opts.exit_when_finished:
                tg.create_task(until_finished(), name="until-finished")
            if opts.notifier is not None:
                tg.create_task(opts.notifier.watchdog_loop(), name="sd-watchdog")
                opts.notifier.notify("READY=1\nSTATUS=running")
    except* _SessionOver:
        log.info("session_over")
    finally:
        if opts.notifier is not None:
            opts.notifier.notify("STOPPING=1")
        recording.close()
        log.info("hiitd_stopped", dropped_samples=queue.dropped)
