"""The coach, heard: each cue spoken through the sound card (or written to WAV files).

The service is an observer of the coach (``Coach.observers``): it sees every
batch of engine events with the engine's time, and its task (``run``) turns them
into sound. The cue stream is already disciplined by the engine's speech budget;
here it is only made audible:

* speech from the configured engine (``voice/synth.py``), cached by text;
* the countdown as tones, not words: three short beeps on the last three
  seconds before each work step, the session's start and its end, and a long
  one on the change itself, planned from the step's remaining time so each
  falls on its second (re-planned after a pause);
* one voice (``voice/schedule.py``): priority order, a safety cue interrupting
  anything, stale cues dropped and logged, nothing overlapping;
* a sink (``voice/sinks.py``): ``aplay`` on an ALSA device in real time, or WAV
  files on the session clock (``output = "file:DIR"``), where synthesis takes no
  time, so a demo at 20x gives the timeline of a real session.

A missing engine or a bad device is one clear log line: coaching goes on,
on MQTT, without voice.
"""

from __future__ import annotations

import asyncio
import contextlib
import shutil
from dataclasses import dataclass, field
from math import inf
from typing import TYPE_CHECKING

import structlog

from hiitd.coach.events import CueEvent, CueKind, Event, State, StateChanged
from hiitd.coach.workout_model import Intensity
from hiitd.voice.audio import BEEP_S, GO_HZ, GO_S, TONE_HZ, tone
from hiitd.voice.schedule import Schedule, Utterance
from hiitd.voice.sinks import AlsaSink, FileSink, Sink, alsa_devices
from hiitd.voice.synth import Cached, Synth, SynthError, find_engine

if TYPE_CHECKING:
    from hiitd.coach.engine import Engine
    from hiitd.settings import VoiceSettings
    from hiitd.voice.audio import Pcm
    from hiitd_drivers.clock import Clock

log = structlog.get_logger(__name__)

BEEPS = (3, 2, 1)  # seconds before the change: a short beep each, then a long one at 0
PLAN_AHEAD_S = 6.0  # tones are planned once the change is this close
REPLAN_S = 0.02  # a change that moved more than this (a pause) is planned again


class VoiceError(ValueError):
    """A voice setting that cannot work here; the message names the key."""


def check_output(output: str, devices: list[str]) -> None:
    """``VoiceError`` unless ``output`` is a file folder or a device ``aplay -L`` lists."""
    if output.startswith("file:"):
        return
    names = set(devices) | {d.split(":", 1)[0] for d in devices}
    if output in names or output.split(":", 1)[0] in names:
        return
    found = ", ".join(devices) if devices else "none (is alsa-utils installed? aplay -L)"
    raise VoiceError(f"voice.output: no ALSA device {output!r}; devices found: {found}")


def build_voice(settings: VoiceSettings, engine: Engine, clock: Clock) -> VoiceService | None:
    """The voice service the settings ask for, or None (logged once) when it cannot work."""
    try:
        synth = find_engine(
            settings.engine, rate=settings.rate, volume=settings.volume,
            language=settings.language, piper_model=settings.piper_model,
        )  # fmt: skip
        sink = open_sink(settings)
    except (SynthError, VoiceError, OSError) as exc:
        log.error(  # noqa: TRY400 - the reason is the message; no traceback for a setting
            "voice_unavailable", error=str(exc), note="coaching goes on without voice"
        )
        return None
    log.info("voice_ready", engine=synth.name, output=settings.output)
    return VoiceService(settings, engine, clock, Cached(synth), sink)


def open_sink(settings: VoiceSettings) -> Sink:
    """The file sink for ``file:DIR``, else ``aplay`` on the ALSA device (checked)."""
    folder = settings.folder
    if folder is not None:
        return FileSink(folder)
    aplay = shutil.which("aplay")
    if aplay is None:
        raise VoiceError("voice.output: aplay is not installed: sudo apt-get install alsa-utils")
    check_output(settings.output, alsa_devices(aplay))
    return AlsaSink(settings.output, aplay)


@dataclass
class _Batch:
    now: float
    cues: list[CueEvent] = field(default_factory=list)
    steps: list[int] = field(default_factory=list)
    tones: list[tuple[str, float, bool]] = field(default_factory=list)  # (id, due, long)
    retract: list[str] = field(default_factory=list)


class VoiceService:
    """Cues to sound (see the module docstring)."""

    def __init__(
        self,
        settings: VoiceSettings,
        engine: Engine,
        clock: Clock,
        synth: Synth,
        sink: Sink,
    ) -> None:
        self.settings, self.engine, self.clock = settings, engine, clock
        self.synth, self.sink = synth, sink
        self.virtual = isinstance(sink, FileSink)  # the session clock, not the wall
        self.schedule = Schedule(stale_s=settings.stale_s)
        self._inbox: asyncio.Queue[_Batch] = asyncio.Queue()
        self._planned: dict[str, float] = {}  # tone group id -> the change it counts down to
        self._step_index: int | None = None
        self._idle = asyncio.Event()  # nothing queued, nothing playing (quiet)
        self._short = tone(TONE_HZ, BEEP_S, settings.volume)
        self._long = tone(GO_HZ, GO_S, settings.volume)
        self.happened: list[object] = []  # for tests and the benchmark (bounded below)

    # ---------------------------------------------- the observer (synchronous)

    def on_events(self, events: list[Event], now: float) -> None:
        """The coach's events at ``now`` (engine clock): queued for ``run``."""
        batch = _Batch(now)
        if self.settings.beeps:
            self._plan_tones(batch, now)
        for e in events:
            if isinstance(e, CueEvent):
                if e.cue.kind is CueKind.COUNTDOWN:
                    self._countdown_cue(batch, e, now)
                else:
                    batch.cues.append(e)
            elif isinstance(e, StateChanged):
                step = e.snapshot.step
                index = None if step is None else step.index
                running = e.snapshot.state is State.RUNNING
                if running and index is not None and index != self._step_index:
                    batch.steps.append(index)
                self._step_index = index
        self._idle.clear()
        self._inbox.put_nowait(batch)

    def _countdown_cue(self, batch: _Batch, e: CueEvent, now: float) -> None:
        """The engine's countdown: the tones were planned from the clock; when they could
        not be (a distance step), a beep now."""
        if not self.settings.beeps:
            return
        group, _ = self._next_change(now)
        if group in self._planned:
            return
        batch.tones.append((f"{e.cue.id}:tone", now, False))

    def _plan_tones(self, batch: _Batch, now: float) -> None:
        """Tones on the seconds before the next change that deserves them: the session's
        start, a work step's start, the session's end."""
        group, change = self._next_change(now)
        for old, planned in list(self._planned.items()):
            if old != group or change is None:
                if planned > now + 0.1:  # it did not happen as planned (pause, skip)
                    batch.retract.append(old)
                del self._planned[old]
        if group is None or change is None or change - now > PLAN_AHEAD_S:
            return
        known = self._planned.get(group)
        if known is not None and abs(known - change) <= REPLAN_S:
            return
        if known is not None:
            batch.retract.append(group)
        self._planned[group] = change
        for n in BEEPS:
            if change - n >= now - 0.05:
                batch.tones.append((f"{group}:beep{n}", change - n, False))
        batch.tones.append((f"{group}:beep0", change, True))

    def _next_change(self, now: float) -> tuple[str | None, float | None]:
        """The tone group and the engine time of the next change to count down to."""
        s = self.engine.session
        if s.state is State.COUNTDOWN:
            return f"{s.session_id}:start", s.countdown_end
        run = s.run
        if s.state is not State.RUNNING or run is None:
            return None, None
        nxt = run.ps.index + 1
        if nxt < len(s.steps) and s.steps[nxt].step.intensity is not Intensity.ACTIVE:
            return None, None
        left = run.remaining_s(s.moving_s)
        return f"{s.session_id}:{run.ps.index}", None if left is None else now + left

    # ------------------------------------------------------------------ task

    async def run(self) -> None:
        """Until cancelled: sound for each batch, on time."""
        try:
            while True:
                if self.virtual:  # the session clock: each batch at its own time
                    await self._step(await self._inbox.get())
                    continue
                wake = self.schedule.next_wake()
                batch = None
                if wake == inf:
                    batch = await self._inbox.get()
                else:
                    delay = max(0.0, (wake - self.clock.now()) / self.clock.rate)
                    with contextlib.suppress(TimeoutError):
                        async with asyncio.timeout(delay):
                            batch = await self._inbox.get()
                if batch is not None:
                    await self._take(batch)
                await self._advance(self.clock.now())
        finally:
            await self.flush()

    async def quiet(self) -> None:
        """Return once everything queued has been played (the file sink: taken in)."""
        await self._idle.wait()

    async def flush(self) -> None:
        """What is queued taken in; the file sink written to the end; the sink closed."""
        while not self._inbox.empty():
            await self._step(self._inbox.get_nowait())
        if self.virtual:
            await self._advance(inf)
        await self.sink.close()

    async def _step(self, batch: _Batch) -> None:
        await self._take(batch)
        await self._advance(batch.now if self.virtual else self.clock.now())

    async def _take(self, batch: _Batch) -> None:
        for group in batch.retract:
            self.schedule.retract(group)
        for index in batch.steps:
            self.schedule.step_changed(index, batch.now)
        for tone_id, due, long in batch.tones:
            self.schedule.offer(self._tone(tone_id, due, long))
        for e in batch.cues:
            c = e.cue
            try:
                sound = await self.synth.synthesize(c.text)
            except SynthError as exc:
                log.warning("voice_synthesis_failed", id=c.id, text=c.text, error=str(exc))
                continue
            ready = None if self.virtual else self.clock.now()
            self.schedule.offer(
                Utterance(
                    cue_id=c.id,
                    kind=c.kind.value,
                    text=c.text,
                    priority=int(c.priority),
                    step_index=c.step_index,
                    queued_at=batch.now,
                    sound=sound,
                    ready_at=ready,
                    length_s=self._length(sound),
                )
            )

    def _tone(self, tone_id: str, due: float, long: bool) -> Utterance:
        sound = self._long if long else self._short
        return Utterance(
            cue_id=tone_id, kind="tone", text="(long tone)" if long else "(beep)",
            priority=2, step_index=None, queued_at=due, sound=sound, tone=True,
            length_s=self._length(sound),
        )  # fmt: skip

    def _length(self, sound: Pcm) -> float | None:
        # On a speaker the sound takes real seconds: more clock seconds on a fast clock.
        return None if self.virtual else sound.duration_s * self.clock.rate

    async def _advance(self, now: float) -> None:
        for happening in self.schedule.advance(now):
            self.happened.append(happening)
            del self.happened[:-2000]
            await self.sink.act(happening)
        playing = self.schedule.current is not None or any(
            not p.tone or p.queued_at <= now for p in self.schedule.pending
        )
        if self._inbox.empty() and (self.virtual or not playing):
            self._idle.set()
