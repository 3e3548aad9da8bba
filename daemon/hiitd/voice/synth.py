"""Speech engines: text in, ``Pcm`` out, each a subprocess of a program the user installs.

``Synth`` is the interface: ``name`` and ``async synthesize(text) -> Pcm``.

* ``EspeakNg`` (the default; Debian package ``espeak-ng``): small, fast (about
  40 ms a sentence on a laptop, well under a second on a Pi Zero 2 W), robotic
  but clear, many languages. The text goes on stdin, never on the command line.
* ``Piper`` (optional: a neural voice that sounds human; the ``piper`` program and
  a voice model ``.onnx`` with its ``.onnx.json`` that the user downloads, since
  no model ships with hiitd). Slower: a medium voice takes a few hundred ms a
  sentence on a Pi 4, more on a Zero 2 W.

``Cached`` keeps the sound of the texts said before: countdowns, step names and
most announcements repeat in every session.
"""

from __future__ import annotations

import asyncio
import json
import shutil
from collections import OrderedDict
from dataclasses import dataclass
from pathlib import Path
from typing import Protocol

from hiitd.voice.audio import RATE, AudioError, Pcm, from_wav

SYNTH_TIMEOUT_S = 20.0  # a sentence; a hung engine must not hold the coach's voice


class SynthError(RuntimeError):
    """The engine is missing, failed, or gave no sound."""


class Synth(Protocol):
    """A speech engine."""

    name: str

    async def synthesize(self, text: str) -> Pcm:
        """The sound of ``text``; ``SynthError`` when the engine cannot say it."""
        ...


async def _run(cmd: list[str], text: str) -> bytes:
    try:
        proc = await asyncio.create_subprocess_exec(
            *cmd,
            stdin=asyncio.subprocess.PIPE,
            stdout=asyncio.subprocess.PIPE,
            stderr=asyncio.subprocess.PIPE,
        )
    except OSError as exc:
        raise SynthError(f"cannot run {cmd[0]}: {exc}") from exc
    try:
        async with asyncio.timeout(SYNTH_TIMEOUT_S):
            out, err = await proc.communicate(text.encode("utf-8"))
    except TimeoutError as exc:
        proc.kill()
        await proc.wait()
        raise SynthError(f"{cmd[0]} took longer than {SYNTH_TIMEOUT_S:g} s") from exc
    if proc.returncode != 0:
        why = err.decode("utf-8", "replace").strip().splitlines()
        raise SynthError(f"{cmd[0]} exited with {proc.returncode}: {why[-1] if why else ''}")
    return out


@dataclass
class EspeakNg:
    """espeak-ng: ``rate`` words a minute, ``volume`` % (its amplitude), ``language``."""

    executable: str
    rate: int = 175
    volume: int = 100
    language: str = "en"
    name: str = "espeak-ng"

    async def synthesize(self, text: str) -> Pcm:
        """espeak-ng --stdout, the text on stdin."""
        cmd = [
            self.executable, "--stdout", "-s", str(self.rate), "-a", str(self.volume),
            "-v", self.language,
        ]  # fmt: skip
        out = await _run(cmd, text)
        try:
            pcm = from_wav(out)
        except AudioError as exc:
            raise SynthError(f"espeak-ng gave no sound: {exc}") from exc
        if not pcm.data:
            raise SynthError(f"espeak-ng gave no sound for {text!r}")
        return pcm


@dataclass
class Piper:
    """piper with a voice model the user provides; ``rate`` 175 is the voice's own pace."""

    executable: str
    model: Path
    rate: int = 175
    volume: int = 100
    name: str = "piper"

    def sample_rate(self) -> int:
        """From the model's ``.onnx.json`` (22050 when it does not say)."""
        config = Path(f"{self.model}.json")
        try:
            doc = json.loads(config.read_text(encoding="utf-8"))
            return int(doc.get("audio", {}).get("sample_rate", RATE))
        except (OSError, ValueError, TypeError):
            return RATE

    async def synthesize(self, text: str) -> Pcm:
        """piper --output_raw (the text on stdin): 16-bit mono at the model's rate."""
        scale = max(0.3, min(3.0, 175 / max(1, self.rate)))  # piper's length scale
        cmd = [
            self.executable, "--model", str(self.model), "--output_raw",
            "--length_scale", f"{scale:.2f}",
        ]  # fmt: skip
        out = await _run(cmd, text)
        if len(out) < 2:
            raise SynthError(f"piper gave no sound for {text!r}")
        return Pcm(self.sample_rate(), out[: len(out) // 2 * 2]).scaled(self.volume)


class Cached:
    """Another engine, remembering the last ``size`` texts' sound."""

    def __init__(self, inner: Synth, size: int = 256) -> None:
        self.inner = inner
        self.name = inner.name
        self.size = size
        self.hits = 0
        self._sounds: OrderedDict[str, Pcm] = OrderedDict()

    async def synthesize(self, text: str) -> Pcm:
        """The remembered sound, or the engine's (then remembered)."""
        pcm = self._sounds.get(text)
        if pcm is not None:
            self.hits += 1
            self._sounds.move_to_end(text)
            return pcm
        pcm = await self.inner.synthesize(text)
        self._sounds[text] = pcm
        if len(self._sounds) > self.size:
            self._sounds.popitem(last=False)
        return pcm


ENGINES = ("espeak-ng", "piper")


def find_engine(
    engine: str, *, rate: int, volume: int, language: str, piper_model: Path | None
) -> Synth:
    """The configured engine, or ``SynthError`` saying what is missing and how to get it."""
    if engine == "espeak-ng":
        exe = shutil.which("espeak-ng")
        if exe is None:
            raise SynthError(
                "espeak-ng is not installed: sudo apt-get install espeak-ng "
                "(coaching goes on without voice, on MQTT)"
            )
        return EspeakNg(exe, rate=rate, volume=volume, language=language)
    if engine == "piper":
        exe = shutil.which("piper")
        if exe is None:
            raise SynthError("piper is not installed (see docs/voice.md, 'Another voice')")
        if piper_model is None or not piper_model.is_file():
            raise SynthError(f"voice.piper_model: no voice model at {piper_model}")
        return Piper(exe, piper_model, rate=rate, volume=volume)
    raise SynthError(f"voice.engine: unknown engine {engine!r}; known: {', '.join(ENGINES)}")
