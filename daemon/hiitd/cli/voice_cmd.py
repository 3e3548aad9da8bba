"""``hiitd voice test|devices``: hear the coach on this machine before a session needs it."""

from __future__ import annotations

import asyncio
import sys
import time
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import EX_CONFIG, EX_OK, EX_UNAVAILABLE, print_json, settings_from_args
from hiitd.runtime.voice_service import VoiceError, open_sink
from hiitd.voice.audio import BEEP_S, GO_HZ, GO_S, TONE_HZ, silence, tone
from hiitd.voice.schedule import Schedule, Utterance
from hiitd.voice.sinks import alsa_devices
from hiitd.voice.synth import SynthError, find_engine

if TYPE_CHECKING:
    import argparse

    from hiitd.settings import VoiceSettings
    from hiitd.voice.audio import Pcm

SAMPLE = "Interval 1 of 4. 4 minutes at 4:05 to 4:20 per km."


def cmd_voice(args: argparse.Namespace) -> int:
    """Speak a sample, or list the devices."""
    settings = settings_from_args(args)
    devices = alsa_devices()
    if args.voice_command == "devices":
        if args.json:
            print_json({"devices": devices})
        else:
            sys.stdout.write("\n".join(devices or ["(no ALSA devices: is alsa-utils installed?)"]))
            sys.stdout.write("\n")
        return EX_OK
    voice = settings.voice
    if args.output:
        voice = voice.model_validate({**voice.model_dump(), "output": args.output})
    result: dict[str, object] = {"engine": voice.engine, "output": voice.output, "devices": devices}
    status = EX_OK
    try:
        result |= asyncio.run(_speak(voice, args.text or SAMPLE))
    except VoiceError as exc:
        result["error"], status = str(exc), EX_CONFIG
    except SynthError as exc:
        result["error"], status = str(exc), EX_UNAVAILABLE
    if args.json:
        print_json(result)
    else:
        _print(result)
    return status


async def _speak(voice: VoiceSettings, text: str) -> dict[str, object]:
    synth = find_engine(
        voice.engine, rate=voice.rate, volume=voice.volume, language=voice.language,
        piper_model=voice.piper_model,
    )  # fmt: skip
    sink = open_sink(voice)
    t0 = time.monotonic()
    speech = await synth.synthesize(text)
    synth_s = time.monotonic() - t0
    # The countdown as a session plays it, then the sample: one after the other.
    parts: list[tuple[str, str, Pcm]] = [
        ("tone", "(beep)", tone(TONE_HZ, BEEP_S, voice.volume)),
        ("pause", "", silence(1.0 - BEEP_S, speech.rate)),
        ("tone", "(long tone)", tone(GO_HZ, GO_S, voice.volume)),
        ("sample", text, speech),
    ]
    schedule, at = Schedule(), 0.0
    for i, (kind, said, sound) in enumerate(parts):
        schedule.offer(Utterance(f"test:{i}", kind, said, 2, None, at, sound))
        at += sound.duration_s
    for happening in schedule.advance(float("inf")):
        await sink.act(happening)
        if hasattr(happening, "duration_s") and voice.folder is None:
            await asyncio.sleep(happening.duration_s)  # let aplay play it through
    await sink.close()
    return {
        "said": text,
        "synthesis_s": round(synth_s, 3),
        "duration_s": round(speech.duration_s, 2),
    }


def _print(result: dict[str, object]) -> None:
    out = sys.stdout
    if "error" in result:
        out.write(f"voice: {result['error']}\n")
    else:
        out.write(
            f"voice: said {result['said']!r} with {result['engine']} on {result['output']} "
            f"({result['duration_s']} s of speech, made in {result['synthesis_s']} s)\n"
        )
    devices = result.get("devices")
    names = [str(d) for d in devices] if isinstance(devices, list) else []
    out.write("ALSA devices found: " + (", ".join(names) or "none") + "\n")
