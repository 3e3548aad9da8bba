"""Voice latency: from a cue's creation to its first audio frame handed to ALSA.

The daemon's voice service in real time (``AlsaSink`` on ALSA's ``null`` device,
``aplay`` as on a Pi) gets one cue at a time, as the coach's observer does, and
the time is taken from the cue's arrival to ``aplay`` holding the first frame of
its sound: synthesis by espeak-ng (new texts, then the same texts again from the
cache), the schedule, ``aplay``'s start. Median and p95, target under 300 ms.
"""

from __future__ import annotations

import asyncio
import shutil
import statistics
import time
from typing import Any

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Cue, CueEvent, CueKind, Priority
from hiitd.coach.profile import AthleteProfile
from hiitd.runtime.voice_service import VoiceService
from hiitd.settings import VoiceSettings
from hiitd.voice.sinks import AlsaSink
from hiitd.voice.synth import Cached, EspeakNg
from hiitd_drivers.clock import MonotonicClock

from .common import say, target

TARGET_MS = 300.0
TEXTS = [
    f"Interval {i} of 8. {m} minutes at 4:{s:02d} to 4:{s + 15:02d} per km."
    for i, m, s in zip(
        range(1, 9), (4, 3, 2, 1, 4, 3, 2, 1), (0, 5, 10, 15, 20, 25, 30, 35), strict=True
    )
] + [
    "Pick it up: 4:46 per km, target 4:05 to 4:20.",
    "Ease back: 3:58 per km, target 4:05 to 4:20.",
    "Halfway, 2 minutes to go.",
    "Rest. Next: Plank.",
]


def _pct(xs: list[float], p: float) -> float:
    xs = sorted(xs)
    return xs[min(len(xs) - 1, round(p * (len(xs) - 1)))]


async def _measure(rounds: int) -> dict[str, list[float]]:
    espeak, aplay = shutil.which("espeak-ng"), shutil.which("aplay")
    if espeak is None or aplay is None:
        raise SystemExit("bench voice: needs espeak-ng and aplay (alsa-utils)")
    profile = AthleteProfile(max_hr=190, max_hr_estimated=False, resting_hr=55, lthr=170,
                             threshold_speed_mps=3.9, vdot=None)  # fmt: skip
    sink = AlsaSink("null", aplay)
    clock = MonotonicClock()
    voice = VoiceService(
        VoiceSettings(enabled=True, output="null", beeps=False),
        Engine(profile, CoachConfig()), clock, Cached(EspeakNg(espeak)), sink,
    )  # fmt: skip
    task = asyncio.create_task(voice.run())
    out: dict[str, list[float]] = {"new text": [], "cached text": []}
    n = 0
    try:
        for r in range(rounds):
            for text in TEXTS:
                n += 1
                cue = Cue(f"b:{n}", CueKind.STEP_START, Priority.STEP, text, "bench", None)
                before = len(sink.first_frame_at)
                t0 = time.monotonic()
                voice.on_events([CueEvent(cue)], clock.now())
                while len(sink.first_frame_at) == before:
                    await asyncio.sleep(0.001)
                out["new text" if r == 0 else "cached text"].append(
                    1000 * (sink.first_frame_at[-1] - t0)
                )
                await voice.quiet()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    return out


def main(rounds: int = 3) -> dict[str, Any]:
    """Cue to first frame on ALSA's null device: medians and p95 in ms."""
    say("voice: cue to first frame on ALSA's null device (espeak-ng, aplay)")
    measured = asyncio.run(_measure(rounds))
    result: dict[str, Any] = {}
    for kind, ms in measured.items():
        med, p95 = statistics.median(ms), _pct(ms, 0.95)
        result[kind] = {"n": len(ms), "median_ms": round(med, 1), "p95_ms": round(p95, 1)}
        say(f"  {kind:12} n={len(ms):3}  median {med:6.1f} ms  p95 {p95:6.1f} ms")
    every = [x for ms in measured.values() for x in ms]
    result["targets"] = [
        target("cue to first frame, p95 (ms)", _pct(every, 0.95), TARGET_MS),
    ]
    return result


if __name__ == "__main__":
    main()
