"""Sound as bytes: 16-bit mono PCM, WAV in and out, and the countdown's tones.

Pure: no I/O, no event loop. The synthesis engines give WAV (espeak-ng) or raw
PCM (piper); the sinks play or write ``Pcm``; the tones are made here, so a
countdown never waits for a speech engine.
"""

from __future__ import annotations

import io
import math
import struct
import wave
from array import array
from dataclasses import dataclass

RATE = 22050  # espeak-ng's and most piper voices' sample rate
TONE_HZ = 880.0  # the countdown's short beeps ("3", "2", "1")
GO_HZ = 1320.0  # the long tone as the step changes
BEEP_S = 0.12
GO_S = 0.35
_FADE_S = 0.005  # no click at either end


class AudioError(ValueError):
    """Audio bytes that are not what they claim."""


@dataclass(frozen=True, slots=True)
class Pcm:
    """Signed 16-bit little-endian mono samples at ``rate`` Hz."""

    rate: int
    data: bytes

    @property
    def duration_s(self) -> float:
        """Seconds of sound."""
        return len(self.data) / 2 / self.rate

    def cut(self, seconds: float) -> Pcm:
        """The first ``seconds`` (an utterance interrupted by a safety cue)."""
        n = max(0, min(len(self.data) // 2, round(seconds * self.rate)))
        return Pcm(self.rate, self.data[: 2 * n])

    def peak(self) -> int:
        """The largest absolute sample (0: silence)."""
        samples = array("h", self.data[: len(self.data) // 2 * 2])
        return max((abs(x) for x in samples), default=0)

    def scaled(self, volume_pct: int) -> Pcm:
        """Louder or softer by ``volume_pct`` % (100: as is), clipped."""
        if volume_pct == 100:
            return self
        samples = array("h", self.data[: len(self.data) // 2 * 2])
        k = volume_pct / 100.0
        out = array("h", (max(-32768, min(32767, round(x * k))) for x in samples))
        return Pcm(self.rate, out.tobytes())

    def wav(self) -> bytes:
        """A WAV file of it."""
        buf = io.BytesIO()
        with wave.open(buf, "wb") as w:
            w.setnchannels(1)
            w.setsampwidth(2)
            w.setframerate(self.rate)
            w.writeframes(self.data)
        return buf.getvalue()


def from_wav(data: bytes) -> Pcm:
    """The PCM of a WAV file. espeak-ng's ``--stdout`` writes a streaming header whose
    sizes are placeholders, so the data chunk runs to the end of the bytes given."""
    if len(data) < 12 or data[:4] != b"RIFF" or data[8:12] != b"WAVE":
        raise AudioError("not a WAV file (no RIFF/WAVE header)")
    pos, rate, fmt_seen = 12, 0, False
    while pos + 8 <= len(data):
        tag, size = data[pos : pos + 4], struct.unpack_from("<I", data, pos + 4)[0]
        body = pos + 8
        if tag == b"fmt ":
            fmt, channels, rate, _, _, bits = struct.unpack_from("<HHIIHH", data, body)
            if fmt != 1 or channels != 1 or bits != 16:
                raise AudioError(
                    f"WAV format {fmt}, {channels} channels, {bits} bits: want PCM mono 16"
                )
            fmt_seen = True
        elif tag == b"data":
            if not fmt_seen:
                raise AudioError("WAV data before its format")
            end = min(len(data), body + size)
            return Pcm(rate, data[body : body + (end - body) // 2 * 2])
        pos = body + size + (size & 1)
    raise AudioError("WAV file without a data chunk")


def tone(hz: float, seconds: float, volume_pct: int = 100, rate: int = RATE) -> Pcm:
    """A sine tone with short fades (a beep that does not click)."""
    n = round(seconds * rate)
    fade = max(1, round(_FADE_S * rate))
    amp = 0.5 * 32767 * max(0, min(200, volume_pct)) / 100.0
    samples = array("h")
    for i in range(n):
        env = min(1.0, i / fade, (n - 1 - i) / fade)
        samples.append(
            max(-32768, min(32767, round(amp * env * math.sin(2 * math.pi * hz * i / rate))))
        )
    return Pcm(rate, samples.tobytes())


def silence(seconds: float, rate: int = RATE) -> Pcm:
    """Nothing, for ``seconds``."""
    return Pcm(rate, bytes(2 * round(seconds * rate)))
