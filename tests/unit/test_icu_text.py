"""The intervals.icu text importer: the documented examples import; nonsense is refused whole."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING

import pytest
from fuzz_rig import fuzz
from hypothesis import given
from hypothesis import strategies as st

from hiitd.coach.workout_model import DurationType, Intensity, Reference, TargetType
from hiitd.errors import WorkoutError
from hiitd.workouts.icu_text import parse_icu_text

if TYPE_CHECKING:
    from pathlib import Path


def _examples(shared_data: Path) -> dict[str, str]:
    """The complete examples: fenced blocks under 'Complete examples', and the forum example."""
    md = shared_data / "text_workouts" / "intervals_icu_run_syntax__gesteves_domestique.md"
    complete = md.read_text().split("## Complete examples", 1)[1]
    found = dict(re.findall(r"### (.+?)\n```\n(.*?)```", complete, re.DOTALL))
    notes = (shared_data / "text_workouts" / "NOTES_intervals_icu_builder.md").read_text()
    found["forum"] = notes.split("Example from the post:\n", 1)[1]
    assert len(found) == 5
    return found


def test_every_complete_example_imports(shared_data: Path) -> None:
    """All five complete examples in shared/data import."""
    for title, text in _examples(shared_data).items():
        assert parse_icu_text(text, title).expand()


def test_1km_repeats(shared_data: Path) -> None:
    """1 km repeats: warmup, 6 x (1 km @ 4:15/km + 2 min easy), cooldown = 14 steps."""
    text = _examples(shared_data)["Running 1km Repeats"]
    planned = parse_icu_text(text, "x.txt").expand()
    assert len(planned) == 14
    warm = planned[0].step
    assert (warm.duration.type, warm.duration.value, warm.intensity) == (
        DurationType.TIME, 600, Intensity.WARMUP,
    )  # fmt: skip
    assert warm.target.low == pytest.approx(1000 / 360)  # 6:00/km
    assert warm.target.high == pytest.approx(1000 / 330)  # 5:30/km
    rep = planned[1].step
    assert (rep.duration.type, rep.duration.value) == (DurationType.DISTANCE, 1000)
    assert rep.target.low == pytest.approx(1000 / 255)
    assert planned[2].step.intensity is Intensity.RECOVERY
    assert planned[2].step.duration.value == 120
    assert (planned[11].rep, planned[11].rep_count) == (6, 6)
    assert planned[13].step.intensity is Intensity.COOLDOWN


def test_track_session_reads_m_as_minutes(shared_data: Path) -> None:
    """Track session: 0.8 km/0.4 km reps; its '100m' strides are 100 MINUTES, as the syntax says."""
    planned = parse_icu_text(
        _examples(shared_data)["Running Track Session (800m Repeats)"]
    ).expand()
    assert len(planned) == 1 + 8 + 10 + 1
    assert planned[1].step.duration.value == 6000  # the example's own ambiguity, kept visible
    assert [p.step.duration.value for p in planned[9:11]] == [800, 400]
    assert all(p.step.duration.type is DurationType.DISTANCE for p in planned[9:11])


def test_tempo_ramps(shared_data: Path) -> None:
    """Tempo run: 15 min ramp from 6:30/km to 5:30/km, 20 min at 4:30/km, 10 min ramp down."""
    planned = parse_icu_text(_examples(shared_data)["Running Tempo Run"]).expand()
    assert [p.step.duration.value for p in planned] == [900, 1200, 600]
    warm = planned[0].step
    assert warm.target.low == pytest.approx(1000 / 390)
    assert warm.ramp_to is not None
    assert warm.ramp_to.low == pytest.approx(1000 / 330)


def test_relative_targets_and_units() -> None:
    """% Pace, HR zones, % HR, % LTHR, pace zones, bpm, spm/rpm, mtr/km/mi and 5m30s/1h/1m30."""
    text = """Warmup
- 10m 70% HR
Main set 8x
- 400mtr 98-103% Pace
- 90s Z1 HR
Tail
- 1.5km Z2 Pace
- 5m30s 95% LTHR
- 1h 140-150bpm
- 1m30 170spm
- 1mi 85rpm
- Recovery jog press lap
"""
    planned = parse_icu_text(text, "t.txt").expand()
    assert len(planned) == 1 + 16 + 6
    rel = [p.step.target.relative for p in planned]
    assert rel[0] is not None
    assert (rel[0].reference, rel[0].low) == (Reference.PCT_MAX_HR, 70)
    assert rel[1] is not None
    assert (rel[1].reference, rel[1].low, rel[1].high) == (Reference.PCT_THRESHOLD_SPEED, 98, 103)
    assert planned[1].step.duration.value == 400
    assert rel[2] is not None
    assert (rel[2].reference, rel[2].low) == (Reference.HR_ZONE, 1)
    assert planned[2].step.intensity is Intensity.RECOVERY
    tail = [p.step for p in planned[17:]]
    assert [s.duration.value for s in tail[:5]] == [1500, 330, 3600, 90, 1609.344]
    assert tail[0].target.relative is not None
    assert tail[0].target.relative.reference is Reference.PACE_ZONE
    assert tail[1].target.relative is not None
    assert tail[1].target.relative.reference is Reference.PCT_LTHR
    assert (tail[2].target.type, tail[2].target.low, tail[2].target.high) == (
        TargetType.HR,
        140,
        150,
    )
    assert (tail[3].target.type, tail[3].target.low) == (TargetType.CADENCE, 170)
    assert tail[4].target.low == 170  # 85 rpm per foot = 170 steps/min
    assert tail[5].duration.type is DurationType.OPEN
    assert tail[5].cue == "Recovery jog"


def test_prompts_and_second_targets_become_cues() -> None:
    """'First 33^Second <!>' gives a start cue and a timed cue; a second target is kept as text."""
    text = "- First 33^Second <!> 10m ramp 4:30-5:00/km pace\n- 5m 5:00/km Pace 180spm"
    first, second = (p.step for p in parse_icu_text(text).expand())
    assert first.cue == "First"
    assert [(c.offset_s, c.text) for c in first.text_cues] == [(33, "Second")]
    assert second.cue == "also 180spm"


@pytest.mark.parametrize(
    ("text", "position"),
    [
        ("asdf qwerty", "line 1"),
        ("Warmup\n- 10 minutes easy", "line 2"),
        ("- 10m Z2", "line 1"),
        ("Main\n\n- 800m 3:20/km Pace", "line 3"),
        ("- 10m 200-100% HR\n- 0s", "line 2"),
        ("5000x\n- 1m", "line 1"),
        ("6x\n\n- 1m", "line 1"),
        ("", "line 1"),
    ],
)
def test_nonsense_is_rejected_with_line(text: str, position: str) -> None:
    """Headers without steps, steps without duration, bare zones, absurd times, bad repeats."""
    with pytest.raises(WorkoutError) as info:
        parse_icu_text(text, "bad.txt")
    assert info.value.source == "bad.txt"
    assert info.value.position == position


def _error_or_none(text: str) -> WorkoutError | None:
    try:
        parse_icu_text(text, "r.txt")
    except WorkoutError as exc:
        return exc
    return None


@fuzz(300)
@given(st.text(max_size=300))
def test_random_text_raises_only_workout_error(text: str) -> None:
    """Random text either imports or raises WorkoutError with a line position."""
    exc = _error_or_none(text)
    assert exc is None or (exc.position or "").startswith(("line", "whole"))


_PIECES = [
    "- ",
    "10m",
    "1km",
    "400mtr",
    "Z2",
    "HR",
    "Pace",
    "98-103%",
    "4:15/km",
    "ramp",
    "press",
    "lap",
    "3x",
    "\n",
    " ",
    "90rpm",
    "0s",
    "99999h",
    "<!>",
    "33^",
    "-",
]


@fuzz(300)
@given(st.lists(st.sampled_from(_PIECES), max_size=30))
def test_random_token_soup_raises_only_workout_error(pieces: list[str]) -> None:
    """Near-valid token soup either imports or raises WorkoutError."""
    _error_or_none(" ".join(pieces))
