"""The composition root: every service built with what it needs, run as named tasks.

Read top to bottom: ``Daemon.__init__`` builds the services in dependency
order, each given its collaborators in its constructor (nothing is wired
afterwards); ``Daemon.run`` starts them in one TaskGroup. Shutdown is
cancellation: SIGTERM cancels the main task, the TaskGroup cancels every
child, the link publishes ``offline`` on its way out and the recorder writes
a final checkpoint. The data flow is drawn in docs/architecture.md.
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
from hiitd.coach.events import SessionEnded
from hiitd.coach.profile import profile_from_settings
from hiitd.mqtt.broker_link import MqttLink
from hiitd.mqtt.discovery import ha_status_topic
from hiitd.mqtt.topics import Topics
from hiitd.runtime.checkin_service import CheckinService
from hiitd.runtime.coach_service import Coach
from hiitd.runtime.command_intake import CommandIntake
from hiitd.runtime.diagnostics import Diagnostics
from hiitd.runtime.durable_outbox import DurableOutbox
from hiitd.runtime.ha_presence import HomeAssistantPresence
from hiitd.runtime.import_folder import ImportFolder
from hiitd.runtime.inbox import Inbox
from hiitd.runtime.outlet import Outlet
from hiitd.runtime.plan_service import PlanService
from hiitd.runtime.post_session import PostSession
from hiitd.runtime.profile_service import ProfileService
from hiitd.runtime.recording_service import RecordingService, StoreOpening, open_checked
from hiitd.runtime.sample_pump import SamplePump, SampleQueue
from hiitd.runtime.telemetry import Outgoing, Telemetry
from hiitd.runtime.voice_service import build_voice
from hiitd.store import learned_file
from hiitd.store.workout_catalog import WorkoutCatalog

if TYPE_CHECKING:
    from collections.abc import Callable, Coroutine

    from hiitd.coach.events import Event
    from hiitd.runtime.checkin_desk import CheckinDesk
    from hiitd.runtime.coach_service import Planner
    from hiitd.runtime.sdnotify import Notifier
    from hiitd.settings import Settings
    from hiitd_drivers.clock import Clock
    from hiitd_drivers.samples import Sample

    Source = Callable[
        [Callable[[Sample], None], Callable[[float], float]], Coroutine[Any, Any, None]
    ]

log = structlog.get_logger(__name__)

FINISH_LINGER_S = 0.5  # wall seconds for the last live messages before a demo exits
FINISH_DRAIN_S = 30.0  # at most this long for the outbox and the saved files


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


class Daemon:
    """One athlete's coach, from the sensors to the broker."""

    def __init__(
        self,
        settings: Settings,
        clock: Clock,
        source: Source,
        opts: RunOptions | None = None,
        *,
        opening: StoreOpening | None = None,
    ) -> None:
        opts = self.opts = opts or RunOptions()
        self.settings, self.clock, self.source, wall = settings, clock, source, opts.wall
        topics = self.topics = Topics(settings.mqtt.prefix, settings.athlete.id)
        state_dir = settings.storage.state_dir
        self.finished = asyncio.Event()
        self.inbox = Inbox()
        self.link = MqttLink(
            settings.mqtt,
            topics,
            on_command=self.inbox.command,
            on_message={ha_status_topic(settings.mqtt.discovery_prefix): self.inbox.ha_message},
            clock=wall,
        )
        engine = build_engine(settings)
        self.catalog = WorkoutCatalog(state_dir, engine.profile)
        self.recording = RecordingService(settings.storage, engine, clock, wall, opening=opening)
        self.outbox = DurableOutbox(self.recording.store, self.link)
        self.outlet = Outlet(self.link, self.outbox, opts.printer)
        self.plan = PlanService(
            self.recording.store, settings.plan, wall, self.outlet, topics,
            athlete=settings.athlete, state_dir=state_dir,
        )  # fmt: skip
        self.post_session = PostSession(
            self.recording, clock, self.outlet, topics, on_kept=self.plan.refresh,
            base_timeout_s=settings.storage.analysis_timeout_s,
        )  # fmt: skip
        folder = settings.storage.import_dir
        self.import_folder = None if folder is None else ImportFolder(
            folder, settings, self.recording.store, self.outlet, topics=topics,
            on_kept=self.plan.refresh, scan_s=settings.storage.import_scan_s,
        )  # fmt: skip
        self.checkins = CheckinService(
            topics, clock, wall, hr_enabled=settings.ble.hr.enabled, recording=self.recording,
            plan=self.plan, plan_config=settings.plan, outlet=self.outlet,
        )  # fmt: skip
        self.profile = ProfileService(
            state_dir, engine, self.catalog, self.outlet, topics, wall=wall
        )
        # Spoken cues ([voice]); None when off, or when it cannot work here (logged).
        self.voice = build_voice(settings.voice, engine, clock) if settings.voice.enabled else None
        voice_observer = [] if self.voice is None else [self.voice.on_events]
        self.coach = Coach(
            engine, self.catalog, topics, wall,
            listeners=[self.profile.on_event, self._note_end, *opts.listeners],
            observers=[self.recording.on_events, *voice_observer],
            results=self.post_session, plan=self.plan, checkins=self.checkins.desk,
            max_hr=self.profile,
        )  # fmt: skip
        self.commands = CommandIntake(self.inbox, self.coach, self.recording, self.outlet, clock)
        self.home_assistant = HomeAssistantPresence(self.inbox, settings, self.catalog, self.link)
        self.queue, self.telemetry = SampleQueue(), Telemetry(topics)
        self.diagnostics = Diagnostics(
            self.recording, self.telemetry, self.link, topics, wall=wall, monotonic=time.monotonic
        )
        self.pump = SamplePump(
            self.queue, telemetry=self.telemetry, recording=self.recording,
            checkins=self.checkins.desk, coach=self.coach, outlet=self.outlet,
            clock=clock, wall=wall,
        )  # fmt: skip

    async def run(self) -> None:
        """Run until cancelled (or, with ``exit_when_finished``, until the session ends)."""
        opts, retention = self.opts, self.settings.storage.sample_retention_days
        log.info("hiitd_starting", base_topic=self.topics.base, broker=self.settings.mqtt.url)
        try:
            async with asyncio.TaskGroup() as tg:
                tg.create_task(self.link.run(), name="mqtt-link")
                tg.create_task(self._start_then_pump(), name="sample-pump")
                tg.create_task(self.pump.tick(), name="engine-ticker")
                tg.create_task(self.commands.run(), name="commands")
                tg.create_task(self.home_assistant.run(), name="ha-status")
                tg.create_task(self.recording.checkpoints(), name="checkpoints")
                tg.create_task(self.diagnostics.run(), name="diagnostics")
                tg.create_task(self.outbox.run(), name="outbox")
                tg.create_task(self.post_session.run(), name="post-session")
                tg.create_task(self.plan.run(), name="plan")
                if self.voice is not None:
                    tg.create_task(self.voice.run(), name="voice")
                tg.create_task(self.checkins.run(), name="checkins")
                if self.import_folder is not None:
                    tg.create_task(self.import_folder.run(), name="import-folder")
                tg.create_task(self.recording.maintenance(retention), name="maintenance")
                tg.create_task(self.source(self.queue.put, self._target_speed), name="sources")
                if opts.start_workout is not None:
                    tg.create_task(self._autostart(opts.start_workout), name="autostart")
                if opts.exit_when_finished:
                    tg.create_task(self._until_finished(), name="until-finished")
                if opts.notifier is not None:
                    tg.create_task(opts.notifier.watchdog_loop(), name="sd-watchdog")
                    opts.notifier.notify("READY=1\nSTATUS=running")
        except* _SessionOver:
            log.info("session_over")
        finally:
            if opts.notifier is not None:
                opts.notifier.notify("STOPPING=1")
            self.recording.close()
            log.info("hiitd_stopped", dropped_samples=self.queue.dropped)

    # ------------------------------------------------------------- the tasks' parts

    async def _start_then_pump(self) -> None:
        # Discovery first, then the state dashboards show; a session a crash
        # interrupted continues here (or is closed as interrupted).
        await self.home_assistant.announce()
        now, send = self.clock.now(), self.outlet.send
        send(self.telemetry.initial(self.settings.ble.enabled_roles()))
        send(self.coach.initial(now))
        self.profile.announce()
        restored = self.recording.recover(self.catalog, resume=self.opts.resume)
        send(self.coach.publish_events(restored, now))
        await self.pump.pump()

    def _target_speed(self, now: float) -> float:
        # What the simulated runner tries to run: the step's target, standing still
        # before a session starts and after it ends.
        speed = self.coach.engine.target_speed(now)
        return 0.0 if speed is None else speed

    def _note_end(self, event: Event) -> None:
        if isinstance(event, SessionEnded):
            self.finished.set()

    async def _autostart(self, name: str) -> None:
        async with asyncio.timeout(30):
            await self.link.wait_connected()
        self.outlet.send(self.coach.start(name, self.clock.now()))

    async def _until_finished(self) -> None:
        await self.finished.wait()
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(FINISH_DRAIN_S):
                await self.post_session.drained()
                await self.outbox.idle()
                if self.voice is not None:
                    await self.voice.quiet()  # the last words are heard, not cut
        await asyncio.sleep(FINISH_LINGER_S)
        raise _SessionOver


class _SessionOver(Exception):  # noqa: N818 - a signal to leave the TaskGroup, not an error
    """Raised inside the TaskGroup to end a run whose session finished (the demo)."""


async def supervise(
    settings: Settings, clock: Clock, source: Source, options: RunOptions | None = None
) -> None:
    """Build the daemon and run it until cancelled (or its session ends, for the demo).

    The store is opened first, off the event loop: opening examines the file and
    reads every page once (store/integrity.py), seconds on a year of data.
    """
    opening = await asyncio.to_thread(open_checked, settings.storage.state_dir)
    await Daemon(settings, clock, source, options, opening=opening).run()


def build_engine(settings: Settings) -> Engine:
    """The engine for the configured athlete, with what was learned about them."""
    state_dir = settings.storage.state_dir
    profile = learned_file.apply(profile_from_settings(settings.athlete), state_dir)
    for note in profile.notes:
        log.info("athlete_profile", note=note)
    # A prefix unique to this daemon run keeps cue and session ids unique across
    # restarts (the engine's own clock restarts at boot), so consumers may dedupe on them.
    return Engine(profile, settings.coach, session_prefix=uuid.uuid4().hex[:8])


def build_coach(
    settings: Settings,
    topics: Topics,
    wall: Callable[[], float],
    *,
    checkins: CheckinDesk | None = None,
    plan: Planner | None = None,
) -> Coach:
    """A coach with no recording (tests, tools): the engine and the workout catalogue."""
    engine = build_engine(settings)
    catalog = WorkoutCatalog(settings.storage.state_dir, engine.profile)
    return Coach(engine, catalog, topics, wall, checkins=checkins, plan=plan)
