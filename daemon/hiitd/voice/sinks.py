"""Where the voice goes: an ALSA device (through ``aplay``), or WAV files in a folder.

* ``AlsaSink``: one ``aplay`` process per utterance, fed the PCM on stdin and
  killed when a safety cue or a countdown tone cuts it short. ``output`` is any
  ALSA device name: ``default`` (PipeWire's or the system's default),
  ``plughw:CARD=Headphones,DEV=0``, ``bluealsa``, ``null`` (for benchmarks).
* ``FileSink`` (``output = "file:DIR"``): each utterance as a WAV file, and one
  line per utterance in ``DIR/utterances.jsonl`` (``cue_id``, ``kind``, ``text``,
  ``queued_at``, ``started_at``, ``duration_s``, ``interrupted``, ``file``; or
  ``dropped`` with the reason), times on the session clock.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import re
import shutil
import subprocess
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Protocol

import structlog

from hiitd.voice.schedule import Dropped, Ended, Happening, Started, Utterance

if TYPE_CHECKING:
    from pathlib import Path

log = structlog.get_logger(__name__)


class Sink(Protocol):
    """Plays (or writes) what the schedule decided."""

    async def act(self, happening: Happening) -> None:
        """Carry out one start, end or drop."""
        ...

    async def close(self) -> None:
        """Stop what still plays; flush files."""
        ...


def _dropped_log(d: Dropped) -> None:
    u = d.utterance
    log.info("voice_dropped", id=u.cue_id, kind=u.kind, text=u.text, reason=d.reason)


@dataclass
class FileSink:
    """WAV files and ``utterances.jsonl`` in ``folder`` (created)."""

    folder: Path
    count: int = 0
    _lines: list[str] = field(default_factory=list)

    def __post_init__(self) -> None:
        self.folder.mkdir(parents=True, exist_ok=True)

    async def act(self, happening: Happening) -> None:
        """Write an ended utterance's sound and line; a dropped one's line."""
        match happening:
            case Ended(utterance=u, started_at=t, duration_s=d, interrupted=cut):
                self.count += 1
                name = f"{self.count:04d}-{_slug(u.kind)}.wav"
                (self.folder / name).write_bytes(u.sound.cut(d).wav())
                self._line(u, started_at=round(t, 3), duration_s=round(d, 3),
                           interrupted=cut, file=name)  # fmt: skip
            case Dropped(utterance=u, at=t, reason=why):
                _dropped_log(happening)
                self._line(u, dropped=why, at=round(t, 3))
            case _:
                pass

    def _line(self, u: Utterance, **more: object) -> None:
        doc = {"cue_id": u.cue_id, "kind": u.kind, "text": u.text,
               "queued_at": round(u.queued_at, 3), **more}  # fmt: skip
        with (self.folder / "utterances.jsonl").open("a", encoding="utf-8") as f:
            f.write(json.dumps(doc) + "\n")

    async def close(self) -> None:
        """Nothing is held open."""


def _slug(kind: str) -> str:
    return re.sub(r"[^a-z0-9_]+", "-", kind.lower()) or "cue"


@dataclass
class AlsaSink:
    """``aplay -D device``, one process per utterance."""

    device: str
    aplay: str = "aplay"
    playing: asyncio.subprocess.Process | None = None
    first_frame_at: list[float] = field(default_factory=list)  # loop times (the benchmark)

    async def act(self, happening: Happening) -> None:
        """Start playing, cut short, or log a drop."""
        match happening:
            case Started(utterance=u):
                await self._start(u)
            case Ended(interrupted=True):
                await self._stop()
            case Ended():
                await self._reap()
            case Dropped():
                _dropped_log(happening)

    async def _start(self, u: Utterance) -> None:
        await self._reap()
        cmd = [self.aplay, "-q", "-D", self.device, "-t", "raw", "-f", "S16_LE",
               "-r", str(u.sound.rate), "-c", "1"]  # fmt: skip
        try:
            proc = await asyncio.create_subprocess_exec(
                *cmd, stdin=asyncio.subprocess.PIPE, stderr=asyncio.subprocess.PIPE
            )
        except OSError as exc:
            log.warning("voice_output_failed", device=self.device, error=str(exc))
            return
        self.playing = proc
        assert proc.stdin is not None
        try:
            proc.stdin.write(u.sound.data)
            await proc.stdin.drain()
            self.first_frame_at.append(asyncio.get_running_loop().time())
            proc.stdin.close()
        except (BrokenPipeError, ConnectionResetError):
            err = await proc.stderr.read() if proc.stderr else b""
            log.warning("voice_output_failed", device=self.device,
                        error=err.decode("utf-8", "replace").strip()[-300:])  # fmt: skip

    async def _stop(self) -> None:
        proc, self.playing = self.playing, None
        if proc is not None and proc.returncode is None:
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            await proc.wait()

    async def _reap(self) -> None:
        proc = self.playing
        if proc is not None and proc.returncode is not None:
            self.playing = None

    async def close(self) -> None:
        """Stop what still plays."""
        await self._stop()


def alsa_devices(aplay: str | None = None) -> list[str]:
    """The ALSA playback devices ``aplay -L`` lists (empty without aplay)."""
    exe = aplay or shutil.which("aplay")
    if exe is None:
        return []
    try:
        out = subprocess.run(  # noqa: S603 - a fixed program and arguments
            [exe, "-L"], capture_output=True, text=True, timeout=10, check=False
        ).stdout
    except (OSError, subprocess.TimeoutExpired):
        return []
    return [line for line in out.splitlines() if line and not line[0].isspace()]
