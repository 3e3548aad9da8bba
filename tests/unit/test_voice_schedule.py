"""The voice's schedule and its sounds (voice/schedule.py, voice/audio.py): pure rules."""

from __future__ import annotations

import struct

import pytest

from hiitd.voice.audio import AudioError, Pcm, from_wav, silence, tone
from hiitd.voice.schedule import Dropped, Ended, Schedule, Started, Utterance

RATE = 22050


def _say(
    cue_id: str, at: float, seconds: float, priority: int = 2, step: int | None = 1
) -> Utterance:
    return Utterance(cue_id, "step_start", cue_id, priority, step, at, tone(440, seconds))


def _beep(cue_id: str, at: float) -> Utterance:
    return Utterance(cue_id, "tone", "(beep)", 2, None, at, tone(880, 0.12), tone=True)


def _story(happenings: list[object]) -> list[tuple[str, str, float, float | None]]:
    out: list[tuple[str, str, float, float | None]] = []
    for h in happenings:
        match h:
            case Started(utterance=u, at=t):
                out.append(("start", u.cue_id, round(t, 3), None))
            case Ended(utterance=u, started_at=t, duration_s=d, interrupted=cut):
                out.append(("cut" if cut else "end", u.cue_id, round(t, 3), round(d, 3)))
            case Dropped(utterance=u, at=t):
                out.append(("drop", u.cue_id, round(t, 3), None))
    return out


def test_one_voice_in_priority_order_never_overlapping() -> None:
    """Three cues at once: the step cue, then the correction, then the notice, each after
    the last ended."""
    s = Schedule()
    s.offer(_say("notice", 10.0, 1.0, priority=0))
    s.offer(_say("correction", 10.0, 2.0, priority=1))
    s.offer(_say("announce", 10.0, 1.5, priority=2))
    assert _story(s.advance(20.0)) == [
        ("start", "announce", 10.0, None),
        ("end", "announce", 10.0, 1.5),
        ("start", "correction", 11.5, None),
        ("end", "correction", 11.5, 2.0),
        ("start", "notice", 13.5, None),
        ("end", "notice", 13.5, 1.0),
    ]


def test_a_safety_cue_interrupts_a_long_utterance_and_nothing_interrupts_it() -> None:
    s = Schedule()
    s.offer(_say("long", 10.0, 4.0))
    s.offer(_say("safety", 11.25, 2.0, priority=3))
    s.offer(_say("safety2", 12.0, 1.0, priority=3))
    assert _story(s.advance(20.0)) == [
        ("start", "long", 10.0, None),
        ("cut", "long", 10.0, 1.25),
        ("start", "safety", 11.25, None),
        ("end", "safety", 11.25, 2.0),
        ("start", "safety2", 13.25, None),
        ("end", "safety2", 13.25, 1.0),
    ]


def test_a_correction_whose_step_ended_while_it_waited_is_dropped() -> None:
    s = Schedule()
    s.offer(_say("announce", 10.0, 4.0, step=1))
    s.offer(_say("correction", 10.5, 2.0, priority=1, step=1))
    s.step_changed(2, 12.0)
    out = s.advance(20.0)
    drops = [h for h in out if isinstance(h, Dropped)]
    assert [(d.utterance.cue_id, d.reason) for d in drops] == [
        ("correction", "its step ended before it could be said")
    ]


def test_a_cue_that_waited_too_long_is_dropped_as_stale() -> None:
    s = Schedule(stale_s=3.0)
    s.offer(_say("long", 10.0, 5.0, step=None))
    s.offer(_say("late", 10.0, 1.0, priority=1, step=None))
    drops = [h for h in s.advance(30.0) if isinstance(h, Dropped)]
    assert [(d.utterance.cue_id, d.at) for d in drops] == [("late", 15.0)]
    assert "waited 5.0 s" in drops[0].reason


def test_a_countdown_tone_is_heard_on_its_second_cutting_speech_short() -> None:
    s = Schedule()
    s.offer(_say("summary", 8.0, 3.0))
    for n, at in ((3, 10.0), (2, 11.0), (1, 12.0)):
        s.offer(_beep(f"beep{n}", at))
    assert _story(s.advance(20.0)) == [
        ("start", "summary", 8.0, None),
        ("cut", "summary", 8.0, 2.0),
        ("start", "beep3", 10.0, None),
        ("end", "beep3", 10.0, 0.12),
        ("start", "beep2", 11.0, None),
        ("end", "beep2", 11.0, 0.12),
        ("start", "beep1", 12.0, None),
        ("end", "beep1", 12.0, 0.12),
    ]


def test_a_tone_behind_a_safety_cue_is_dropped_not_played_late() -> None:
    s = Schedule()
    s.offer(_say("safety", 9.5, 3.0, priority=3))
    s.offer(_beep("beep3", 10.0))
    out = s.advance(20.0)
    (drop,) = [h for h in out if isinstance(h, Dropped)]
    assert drop.utterance.cue_id == "beep3"
    assert drop.reason == "2.50 s late for its second"


def test_next_wake_and_retract() -> None:
    """Future tones wake the schedule at their second; a retracted plan (a pause) is gone."""
    s = Schedule()
    s.offer(_beep("g:beep1", 30.0))
    assert s.advance(20.0) == []
    assert s.next_wake() == 30.0
    s.retract("g:")
    assert s.next_wake() == float("inf")


def test_wav_round_trip_and_a_streaming_header() -> None:
    """espeak-ng --stdout writes placeholder sizes: the data runs to the end of the bytes."""
    beep = tone(880, 0.12)
    assert from_wav(beep.wav()) == beep
    assert beep.duration_s == pytest.approx(0.12, abs=1 / RATE)
    assert beep.peak() > 10000
    assert silence(0.5).peak() == 0
    header = (
        b"RIFF" + struct.pack("<I", 0x7FFFFFFF) + b"WAVE"
        + b"fmt " + struct.pack("<IHHIIHH", 16, 1, 1, RATE, 2 * RATE, 2, 16)
        + b"data" + struct.pack("<I", 0x7FFFFFFF)
    )  # fmt: skip
    pcm = from_wav(header + beep.data)
    assert pcm == Pcm(RATE, beep.data)
    with pytest.raises(AudioError, match="not a WAV"):
        from_wav(b"ID3\x04 not a wav file")
    stereo = header.replace(struct.pack("<HH", 1, 1), struct.pack("<HH", 1, 2), 1)
    with pytest.raises(AudioError, match="2 channels"):
        from_wav(stereo + beep.data)
