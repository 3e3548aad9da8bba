"""The coach heard: real espeak-ng speech and tones, through the file sink, on the engine's clock.

The engine runs a workout on an explicit clock (samples and ticks 1 s apart, at
a fractional offset so no step change falls on a tick); the voice service turns
its cues into WAV files and ``utterances.jsonl`` exactly as ``hiitd demo
--voice-out`` does. Under CI=true a missing espeak-ng or aplay fails these tests.
"""

from __future__ import annotations

import asyncio
import itertools
import json
import os
import subprocess
import sys
import wave
from typing import TYPE_CHECKING, Any

import pytest
from structlog.testing import capture_logs

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command, Cue, CueEvent, CueKind, Priority
from hiitd.coach.profile import AthleteProfile
from hiitd.coach.speech import spoken_s
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Repeat,
    Step,
    Target,
    TargetType,
    Workout,
)
from hiitd.runtime.voice_service import VoiceError, VoiceService, build_voice, check_output
from hiitd.settings import VoiceSettings
from hiitd.voice.audio import from_wav
from hiitd.voice.schedule import Started
from hiitd.voice.sinks import AlsaSink, FileSink
from hiitd.voice.synth import Cached, EspeakNg
from hiitd_drivers.clock import MonotonicClock
from hiitd_drivers.samples import FootpodSample, HeartRateSample

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

pytestmark = pytest.mark.integration

PROFILE = AthleteProfile(
    max_hr=190, max_hr_estimated=False, resting_hr=55, lthr=170, threshold_speed_mps=3.9,
    vdot=None,
)  # fmt: skip
T0 = 0.37  # the start command's time: no step change falls on a tick
COUNTDOWN_S = 10.0


def _step(
    intensity: Intensity, seconds: float, target: Target | None = None, name: str = ""
) -> Step:
    return Step(intensity, Duration(DurationType.TIME, seconds), target or Target(), name=name)


WORKOUT = Workout(
    "voice",
    (
        _step(Intensity.WARMUP, 40),
        Repeat(
            2,
            (
                _step(Intensity.ACTIVE, 30, Target(TargetType.SPEED, 3.8, 4.2), "Fast"),
                _step(Intensity.REST, 20),
            ),
        ),
        _step(Intensity.COOLDOWN, 30),
    ),
)
# Step changes on the engine's clock: the countdown, then the steps back to back.
CHANGES = [T0 + COUNTDOWN_S + s for s in (0, 40, 70, 90, 120, 140, 170)]
WORK_STARTS = [CHANGES[0], CHANGES[1], CHANGES[3]]  # the session's start and each work step
END = CHANGES[-1]


@pytest.fixture
def espeak(executable: Callable[..., str]) -> EspeakNg:
    return EspeakNg(executable("espeak-ng"))


async def _coach(
    tmp_path: Path, synth: EspeakNg, *, until: float = END + 2, bpm: float = 150.0
) -> list[dict[str, Any]]:
    """Run WORKOUT with a steady runner; the voice's lines from utterances.jsonl."""
    engine = Engine(PROFILE, CoachConfig(countdown_s=COUNTDOWN_S))
    voice = VoiceService(
        VoiceSettings(enabled=True, output=f"file:{tmp_path}"),
        engine, MonotonicClock(), Cached(synth), FileSink(tmp_path),
    )  # fmt: skip
    voice.on_events(engine.load(WORKOUT, 0.0), 0.0)
    voice.on_events(engine.command(Command("start"), T0).events, T0)
    now, distance = T0, 0.0
    while now < until:
        now += 1.0
        distance += 3.0
        events = engine.sample(FootpodSample(now, 3.0, 170.0, distance_m=distance), now)
        events += engine.sample(HeartRateSample(now, round(bpm), (60000 / bpm,), True), now)
        events += engine.tick(now)
        voice.on_events(events, now)
    await voice.flush()
    lines = (tmp_path / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


async def test_every_utterance_is_real_sound_of_a_plausible_length_and_none_overlap(
    tmp_path: Path, espeak: EspeakNg
) -> None:
    said = await _coach(tmp_path, espeak)
    played = [x for x in said if "dropped" not in x]
    speech = [x for x in played if x["kind"] != "tone"]
    assert len(speech) >= 6
    for x in played:
        with wave.open(str(tmp_path / x["file"]), "rb") as w:
            assert (w.getnchannels(), w.getsampwidth()) == (1, 2)
            seconds = w.getnframes() / w.getframerate()
        assert seconds == pytest.approx(x["duration_s"], abs=0.01)
        pcm = from_wav((tmp_path / x["file"]).read_bytes())
        assert pcm.peak() > 3000, f"{x['file']} ({x['text']}) is silent"
        if x["kind"] == "tone":
            assert x["duration_s"] in (0.12, 0.35)
        else:  # espeak-ng at 175 words a minute: near the budget's own estimate
            estimate = spoken_s(x["text"], 175)
            assert 0.4 * estimate <= x["duration_s"] <= 2.0 * estimate, x
    starts = sorted(played, key=lambda x: x["started_at"])
    for a, b in itertools.pairwise(starts):
        assert a["started_at"] + a["duration_s"] <= b["started_at"] + 1e-6, (a, b)


async def test_countdown_tones_fall_on_the_seconds_before_each_work_step_and_the_end(
    tmp_path: Path, espeak: EspeakNg
) -> None:
    """Three short beeps 3, 2 and 1 s before the session's start, each work step and the
    end, and a long tone on the change, each within 50 ms of its second; the engine's
    spoken "3, 2, 1" is not said as words."""
    said = await _coach(tmp_path, espeak)
    tones = [x for x in said if x["kind"] == "tone" and "dropped" not in x]
    for change in [*WORK_STARTS, END]:
        near = [x for x in tones if change - 3.5 < x["started_at"] < change + 0.5]
        offsets = [round(x["started_at"] - change, 3) for x in near]
        assert offsets == pytest.approx([-3.0, -2.0, -1.0, 0.0], abs=0.05), (change, near)
        assert [x["duration_s"] for x in near] == [0.12, 0.12, 0.12, 0.35]
    assert not [x for x in said if x["kind"] == "countdown"]
    assert len(tones) == 4 * 4


async def test_a_safety_cue_interrupts_a_long_utterance(tmp_path: Path, espeak: EspeakNg) -> None:
    engine = Engine(PROFILE, CoachConfig())
    voice = VoiceService(
        VoiceSettings(enabled=True, output=f"file:{tmp_path}", beeps=False),
        engine, MonotonicClock(), Cached(espeak), FileSink(tmp_path),
    )  # fmt: skip
    long = "Interval 3 of 8. 4 minutes at 4:05 to 4:20 per km. Run tall, relax the shoulders."
    safety = "Slow down now: heart rate 196, above your ceiling of 190."
    voice.on_events([CueEvent(_cue("a", CueKind.STEP_START, long, Priority.STEP))], 10.0)
    voice.on_events([CueEvent(_cue("b", CueKind.SAFETY_HR_CEILING, safety, Priority.SAFETY))], 11.5)
    await voice.flush()
    lines = [json.loads(x) for x in (tmp_path / "utterances.jsonl").read_text().splitlines()]
    assert [(x["cue_id"], x["started_at"], x["interrupted"]) for x in lines] == [
        ("a", 10.0, True),
        ("b", 11.5, False),
    ]
    assert lines[0]["duration_s"] == pytest.approx(1.5, abs=0.001)
    cut = from_wav((tmp_path / lines[0]["file"]).read_bytes())
    assert cut.duration_s == pytest.approx(1.5, abs=0.001)


async def test_a_stale_correction_is_dropped_and_logged(tmp_path: Path, espeak: EspeakNg) -> None:
    """A correction that waited behind a long announcement past the voice's stale_s."""
    engine = Engine(PROFILE, CoachConfig())
    voice = VoiceService(
        VoiceSettings(enabled=True, output=f"file:{tmp_path}", beeps=False, stale_s=1.0),
        engine, MonotonicClock(), Cached(espeak), FileSink(tmp_path),
    )  # fmt: skip
    long = "Interval 3 of 8. 4 minutes at 4:05 to 4:20 per km. Run tall, relax the shoulders."
    fix = "Pick it up: 4:46 per km, target 4:05 to 4:20."
    voice.on_events([CueEvent(_cue("a", CueKind.STEP_START, long, Priority.STEP))], 10.0)
    voice.on_events([CueEvent(_cue("b", CueKind.SPEED_UP, fix, Priority.CORRECTION))], 10.2)
    with capture_logs() as logs:
        await voice.flush()
    lines = [json.loads(x) for x in (tmp_path / "utterances.jsonl").read_text().splitlines()]
    assert lines[1]["cue_id"] == "b"
    assert lines[1]["dropped"].startswith("waited ")
    (logged,) = [e for e in logs if e["event"] == "voice_dropped"]
    assert (logged["id"], logged["text"]) == ("b", fix)


def _cue(cid: str, kind: CueKind, text: str, priority: Priority) -> Cue:
    return Cue(id=cid, kind=kind, priority=priority, text=text, reason="test", step_index=1)


def test_a_missing_engine_is_one_log_line_and_no_voice(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No espeak-ng on the PATH: build_voice says so once and returns None (coaching goes
    on on MQTT); piper without a model says which key is wrong."""
    monkeypatch.setenv("PATH", str(tmp_path))
    engine = Engine(PROFILE, CoachConfig())
    with capture_logs() as logs:
        assert build_voice(VoiceSettings(enabled=True), engine, MonotonicClock()) is None
    (line,) = [e for e in logs if e["event"] == "voice_unavailable"]
    assert "espeak-ng is not installed: sudo apt-get install espeak-ng" in line["error"]


def test_an_unknown_device_names_the_key_and_lists_the_devices(
    executable: Callable[..., str],
) -> None:
    executable("aplay")
    with pytest.raises(VoiceError) as err:
        check_output("hdmi-nowhere", ["null", "default", "plughw:CARD=Headphones,DEV=0"])
    assert str(err.value) == (
        "voice.output: no ALSA device 'hdmi-nowhere'; devices found: null, default, "
        "plughw:CARD=Headphones,DEV=0"
    )
    check_output("plughw:CARD=Headphones,DEV=0", ["plughw:CARD=Headphones,DEV=0"])
    check_output("bluealsa:DEV=00:11:22:33:44:55,PROFILE=a2dp", ["bluealsa"])
    proc = subprocess.run(
        [sys.executable, "-m", "hiitd", "voice", "test", "--output", "hdmi-nowhere", "--json"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 78, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["error"].startswith("voice.output: no ALSA device 'hdmi-nowhere'; devices found:")
    assert "null" in doc["devices"]


def test_voice_test_speaks_a_sample_to_a_folder(
    tmp_path: Path, executable: Callable[..., str]
) -> None:
    """``hiitd voice test --output file:DIR``: the countdown tones and the sample, as WAVs."""
    executable("espeak-ng")
    proc = subprocess.run(
        [sys.executable, "-m", "hiitd", "voice", "test", "--output", f"file:{tmp_path}"],
        capture_output=True, text=True, timeout=60, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stdout + proc.stderr
    assert "voice: said 'Interval 1 of 4." in proc.stdout
    lines = [json.loads(x) for x in (tmp_path / "utterances.jsonl").read_text().splitlines()]
    assert [x["kind"] for x in lines] == ["tone", "pause", "tone", "sample"]
    sample = from_wav((tmp_path / lines[-1]["file"]).read_bytes())
    assert sample.peak() > 3000
    assert 2.0 < sample.duration_s < 8.0


TIMELINE_WORKOUT = """\
name = "voice-timeline"

[[step]]
intensity = "warmup"
time = "0:40"

[[step]]
intensity = "active"
name = "Fast"
time = "0:30"
pace = ["4:00", "4:30"]

[[step]]
intensity = "cooldown"
time = "0:20"
"""


def _demo_voice(
    tmp_path: Path, mosquitto_url: str, speed: float, workout: Path
) -> list[dict[str, Any]]:
    out = tmp_path / f"voice-{speed:g}"
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    env["STATE_DIRECTORY"] = str(tmp_path / f"state-{speed:g}")
    proc = subprocess.run(
        [sys.executable, "-m", "hiitd", "demo", "--broker", mosquitto_url, "--workout",
         str(workout), "--speed", f"{speed:g}", "--voice-out", str(out), "--json"],
        capture_output=True, text=True, timeout=120, env=env, check=False,
    )  # fmt: skip
    assert proc.returncode == 0, proc.stderr[-2000:]
    lines = (out / "utterances.jsonl").read_text(encoding="utf-8").splitlines()
    return [json.loads(line) for line in lines]


def test_the_demo_voice_timeline_does_not_depend_on_the_demo_speed(
    tmp_path: Path, executable: Callable[..., str], mosquitto: Any
) -> None:
    """``hiitd demo --voice-out`` at 8x and at 32x: the same utterances, the tones at the same
    session times and the speech within a tick (the file sink runs on the session clock)."""
    executable("espeak-ng")
    workout = tmp_path / "timeline.toml"
    workout.write_text(TIMELINE_WORKOUT, encoding="utf-8")
    slow, fast = (_demo_voice(tmp_path, mosquitto.url, s, workout) for s in (8, 32))

    def timeline(lines: list[dict[str, Any]]) -> list[tuple[str, str, float]]:
        t0 = min(x["started_at"] for x in lines if "started_at" in x)
        return [(x["kind"], x["text"], x["started_at"] - t0) for x in lines if "started_at" in x]

    # The tones and announcements; not the summaries and corrections, whose figures come
    # from the simulated runner, whose samples follow the wall clock's jitter.
    fixed = {"tone", "step_start", "halfway"}
    a = [x for x in timeline(slow) if x[0] in fixed]
    b = [x for x in timeline(fast) if x[0] in fixed]
    assert [(k, t) for k, t, _ in a] == [(k, t) for k, t, _ in b]
    assert any(k == "tone" for k, _, _ in a)
    assert any(k == "step_start" for k, _, _ in a)
    for (kind, text, x), (_, _, y) in zip(a, b, strict=True):
        assert abs(x - y) <= (0.05 if kind == "tone" else 1.0), (kind, text, x, y)


async def test_on_a_sound_card_a_safety_cue_kills_the_playing_utterance(
    espeak: EspeakNg, executable: Callable[..., str]
) -> None:
    """The real-time path: aplay on ALSA's null device, a long announcement playing, then a
    safety cue: the announcement's player is stopped and the safety cue is played."""
    sink = AlsaSink("null", executable("aplay"))
    voice = VoiceService(
        VoiceSettings(enabled=True, output="null", beeps=False),
        Engine(PROFILE, CoachConfig()), MonotonicClock(), Cached(espeak), sink,
    )  # fmt: skip
    task = asyncio.create_task(voice.run())
    try:
        long = "Interval 3 of 8. 4 minutes at 4:05 to 4:20 per km. Run tall, relax the shoulders."
        voice.on_events(
            [CueEvent(_cue("a", CueKind.STEP_START, long, Priority.STEP))], voice.clock.now()
        )
        async with asyncio.timeout(20):
            while not any(isinstance(h, Started) for h in voice.happened):
                await asyncio.sleep(0.01)
            safety = "Slow down now: heart rate 196, above your ceiling of 190."
            cue = _cue("b", CueKind.SAFETY_HR_CEILING, safety, Priority.SAFETY)
            voice.on_events([CueEvent(cue)], voice.clock.now())
            await voice.quiet()
    finally:
        task.cancel()
        await asyncio.gather(task, return_exceptions=True)
    story = [
        (type(h).__name__, h.utterance.cue_id, getattr(h, "interrupted", None))
        for h in voice.happened
    ]
    assert story == [
        ("Started", "a", None),
        ("Ended", "a", True),
        ("Started", "b", None),
        ("Ended", "b", False),
    ]
    assert len(sink.first_frame_at) == 2  # both reached aplay
