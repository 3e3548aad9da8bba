"""``hiitd demo``: a simulated runner through the real pipeline, coached, on MQTT.

The runner chases the engine's current target (``--sim-effort`` of it), the
engine coaches, everything is published exactly as ``hiitd run`` would, and the
terminal shows what a runner would hear and glance at.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import math
import shutil
import sys
import time
from functools import partial
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiitd.cli.cli_support import print_json, settings_from_args
from hiitd.cli.run_cmd import run_until_signal
from hiitd.coach.compliance import work_phrases
from hiitd.coach.events import CueEvent, Event, Notice, SessionEnded, WorkCompliance
from hiitd.errors import ConfigError
from hiitd.logs import configure_logging
from hiitd.runtime.daemon import RunOptions, supervise
from hiitd_drivers.clock import ScaledClock

if TYPE_CHECKING:
    import argparse

    from hiitd.runtime.telemetry import Outgoing
    from hiitd.settings import Settings

DEFAULT_WORKOUT = "norwegian-4x4"


def _clock_text(seconds: float) -> str:
    s = int(seconds)
    return f"{s // 3600:02d}:{s // 60 % 60:02d}:{s % 60:02d}"


def _pace(pace: float | None) -> str:
    return "--:--" if pace is None else f"{int(pace) // 60}:{int(pace) % 60:02d}"


class DemoPrinter:
    """Readable lines for a person at a terminal: cues as heard, a status line a second."""

    def __init__(self, clock: ScaledClock, *, as_json: bool) -> None:
        self.clock = clock
        self._as_json = as_json
        self._last: dict[str, dict[str, Any]] = {}
        self._printed_at = 0.0

    def _write(self, line: str) -> None:
        sys.stdout.write(line + "\n")
        sys.stdout.flush()

    def on_message(self, out: Outgoing) -> None:
        """Print ``out`` (JSON mode) or fold it into the next status line."""
        text = out.payload.decode("utf-8", "replace")
        try:
            body: Any = json.loads(text)
        except ValueError:
            body = text
        if self._as_json:
            print_json({"topic": out.topic, "payload": body})
            return
        kind = out.topic.rsplit("/", 2)
        if kind[-1] == "availability":
            sensor = "heart-rate strap" if kind[-2] == "hr" else kind[-2]
            self._write(f"{sensor}: {'connected' if text == 'online' else 'not connected'}")
            return
        if isinstance(body, dict):
            self._last[kind[-1]] = body
        now = time.monotonic()
        if now - self._printed_at >= 1.0 and "hr" in self._last:
            self._printed_at = now
            self._write(self.line())

    def on_event(self, event: Event) -> None:
        """Cues as the runner hears them; notices; the session result."""
        if self._as_json:
            return
        match event:
            case CueEvent(cue=cue):
                self._write(f"{_clock_text(self.clock.now())}  >> {cue.text}")
            case Notice(text=text):
                self._write(f"note: {text}")
            case SessionEnded(summary=s):
                self._write(
                    f"session finished: {s.workout}, {_clock_text(s.moving_s)} moving, "
                    f"{s.distance_m / 1000:.2f} km, {_work_words(s.work)}"
                )
            case _:
                pass

    def line(self) -> str:
        """``00:13:12  Interval 2 of 4  2:31 left  HR 148  4:20 /km (4:05-4:20) below``."""
        hr = self._last.get("hr", {})
        pod = self._last.get("footpod", {})
        state = self._last.get("state", {})
        parts = [_clock_text(self.clock.now())]
        step = state.get("step")
        if state.get("state") == "countdown" and state.get("countdown_s") is not None:
            parts.append(f"starting in {math.ceil(state['countdown_s'])} s")
        elif state.get("state") in {"running", "paused"} and step:
            label = step.get("label") or step.get("name") or ""
            left = step.get("remaining_s")
            left_m = step.get("remaining_m")
            if left is not None:
                label += f"  {int(left) // 60}:{int(left) % 60:02d} left"
            elif left_m is not None:
                label += f"  {left_m:.0f} m left"
            parts.append(label)
        bpm = hr.get("bpm")
        parts.append(f"HR {bpm:>3}" if bpm is not None else "HR --")
        parts.append(f"{_pace(pod.get('pace_s_per_km'))} /km")
        if pod.get("cadence_spm") is not None:
            parts.append(f"{pod['cadence_spm']:.0f} spm")
        running = state.get("state") in {"running", "paused"}
        if running and step and step.get("target", {}).get("type") != "open":
            parts.append(f"target {step['target']['text']}: {state.get('zone', 'none')}")
        return "  ".join(parts)


async def _demo(settings: Settings, args: argparse.Namespace, printer: DemoPrinter) -> None:
    from hiitd.mqtt.embedded_broker import broker_reachable, embedded_broker  # noqa: PLC0415
    from hiitd.runtime.sensor_sources import sim_source  # noqa: PLC0415

    clock = printer.clock
    source = partial(sim_source, settings, clock, effort=args.sim_effort, seed=args.seed)
    options = RunOptions(
        printer=printer.on_message,
        listeners=[printer.on_event],
        start_workout=args.workout,
        exit_when_finished=True,
        resume=False,  # a demo starts afresh; an interrupted one is closed as such
    )

    async def go(settings: Settings) -> None:
        sys.stderr.write(
            f"hiitd demo: {args.workout} at {args.speed:g}x, publishing to {settings.mqtt.url}"
            f" under {settings.base_topic}/\n"
            f"  watch it with: {_hiitd_command()} watch --broker {settings.mqtt.url}\n"
            + (
                f"  or: mosquitto_sub -h {settings.mqtt.host} -p {settings.mqtt.port}"
                f" -t '{settings.base_topic}/#' -v\n"
                if shutil.which("mosquitto_sub")
                else ""
            )
            + f"  sessions are recorded in {settings.storage.state_dir}\n"
        )
        if args.duration is None:
            await supervise(settings, clock, source, options)
            return
        with contextlib.suppress(TimeoutError):
            async with asyncio.timeout(args.duration / args.speed):
                await supervise(settings, clock, source, options)

    if await broker_reachable(settings.mqtt):
        await go(settings)
        return
    async with embedded_broker() as url:
        sys.stderr.write(f"hiitd demo: no broker at {settings.mqtt.url}; started one at {url}\n")
        merged = settings.model_dump()
        merged["mqtt"] = {**merged["mqtt"], "url": url, "username": None, "password": None}
        await go(type(settings).model_validate(merged))


DEMO_ATHLETE = {"max_hr": 190, "resting_hr": 55, "threshold_pace": "4:16", "age": 35}


def _with_demo_athlete(settings: Settings) -> Settings:
    """Without pace zones configured, coach the simulated runner's own profile."""
    athlete = settings.athlete
    if athlete.threshold_pace is not None or athlete.race is not None:
        return settings
    sys.stderr.write(
        "hiitd demo: no athlete.threshold_pace configured; coaching the simulated runner's"
        " profile (max HR 190, threshold 4:16 /km)\n"
    )
    merged = settings.model_dump()
    merged["athlete"] = {**merged["athlete"], **DEMO_ATHLETE}
    return type(settings).model_validate(merged)


def _own_state_dir(settings: Settings) -> Settings:
    """Demo sessions go to ``<state dir>/demo``: a simulated runner's history is not yours."""
    merged = settings.model_dump()
    merged["storage"] = {**merged["storage"], "state_dir": settings.storage.state_dir / "demo"}
    return type(settings).model_validate(merged)


def _hiitd_command() -> str:
    """How to run hiitd from another terminal: ``hiitd`` when it is on the PATH, else the
    script beside this Python (``.venv/bin/hiitd`` after ``./dev demo``)."""
    if shutil.which("hiitd"):
        return "hiitd"
    beside = Path(sys.executable).parent / "hiitd"
    if beside.is_file():
        try:
            return str(beside.relative_to(Path.cwd()))
        except ValueError:
            return str(beside)
    return f"{sys.executable} -m hiitd"


def _check_flags(args: argparse.Namespace) -> None:
    if args.speed <= 0:
        raise ConfigError(
            f"--speed {args.speed:g}: the clock factor must be above 0 (1 is real time)"
        )
    if not 0.1 <= args.sim_effort <= 1.5:
        raise ConfigError(
            f"--sim-effort {args.sim_effort:g}: must be between 0.1 and 1.5 (1 runs the targets)"
        )
    if args.duration is not None and args.duration <= 0:
        raise ConfigError(f"--duration {args.duration:g}: must be above 0 seconds")


def _check_workout(settings: Settings, name: str) -> None:
    """The demo's workout, found and resolved before a broker or a sensor starts."""
    from hiitd.coach.profile import profile_from_settings  # noqa: PLC0415
    from hiitd.store.workout_catalog import WorkoutCatalog  # noqa: PLC0415

    catalog = WorkoutCatalog(settings.storage.state_dir, profile_from_settings(settings.athlete))
    catalog.find(name)  # WorkoutError (exit 65... as HiitdError) naming what is wrong


def _with_voice(settings: Settings, args: argparse.Namespace) -> Settings:
    """``--voice`` speaks through [voice]; ``--voice-out DIR`` writes WAV files instead."""
    if not args.voice and args.voice_out is None:
        return settings
    voice = {**settings.voice.model_dump(), "enabled": True}
    if args.voice_out is not None:
        voice["output"] = f"file:{args.voice_out}"
    merged = settings.model_dump()
    merged["voice"] = voice
    return type(settings).model_validate(merged)


def cmd_demo(args: argparse.Namespace) -> int:
    """A simulated athlete through the real pipeline; an embedded broker if none answers."""
    _check_flags(args)  # before anything starts (or prints)
    settings = _own_state_dir(_with_demo_athlete(settings_from_args(args)))
    settings = _with_voice(settings, args)
    _check_workout(settings, args.workout)
    # The demo's terminal is for the runner's lines; daemon chatter only with --verbose.
    configure_logging("info" if args.verbose else "warning", settings.log.format)
    printer = DemoPrinter(ScaledClock(args.speed), as_json=args.json)
    return run_until_signal(_demo(settings, args, printer))


def _work_words(work: WorkCompliance | None) -> str:
    """'70 % of the work in target, 25 % above it', or why the work was not scored."""
    if work is None:
        return "no work steps"
    if work.in_pct is None:
        return f"work not scored ({'; '.join(work.unscored) or 'no scored data'})"
    return ", ".join(work_phrases(work))
