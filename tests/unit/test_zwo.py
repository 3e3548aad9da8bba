"""The .zwo importer: every shared file imports; hostile and broken XML is refused whole."""

from __future__ import annotations

import time
from typing import TYPE_CHECKING

import pytest
from fuzz_rig import fuzz
from hypothesis import given
from hypothesis import strategies as st

from hiitd.coach.workout_model import DurationType, Intensity, Reference, TargetType
from hiitd.errors import WorkoutError
from hiitd.workouts.loader import load_workout_file
from hiitd.workouts.zwo import RACE_M, parse_zwo

if TYPE_CHECKING:
    from pathlib import Path


def _zwo(body: str, head: str = "<sportType>run</sportType>") -> bytes:
    return f"<workout_file><name>t</name>{head}<workout>{body}</workout></workout_file>".encode()


def _files(shared_data: Path) -> list[Path]:
    files = sorted((shared_data / "zwo_workouts").glob("*.zwo"))
    assert len(files) >= 13
    return files


def test_every_shared_zwo_imports(shared_data: Path) -> None:
    """Every .zwo in shared/data imports through the loader with a name and steps."""
    for path in _files(shared_data):
        workout = load_workout_file(path)
        assert workout.name
        assert workout.source == str(path)
        assert workout.expand()


def test_intervalst_with_cues_unrolls_into_timed_steps(shared_data: Path) -> None:
    """Welcome back: IntervalsT 3 x 240/60 s gives 6 steps; block-relative cues land per rep."""
    path = shared_data / "zwo_workouts" / "zwomaker__slowcomeback_w1_welcomeback.zwo"
    steps = [p.step for p in load_workout_file(path).expand()]
    assert len(steps) == 8
    assert [s.duration.value for s in steps] == [120, 240, 60, 240, 60, 240, 60, 120]
    assert all(s.duration.type is DurationType.TIME for s in steps)
    assert [s.intensity for s in steps[1:3]] == [Intensity.ACTIVE, Intensity.RECOVERY]
    warm = steps[0]
    assert warm.intensity is Intensity.WARMUP
    assert warm.target.relative is not None
    assert warm.target.relative.reference is Reference.PCT_RACE_SPEED
    assert warm.target.relative.low == pytest.approx(20)
    assert warm.target.relative.race_m == RACE_M[0]  # no pace attribute: zwo-editor's default
    assert warm.ramp_to is not None
    assert warm.ramp_to.relative is not None
    assert warm.ramp_to.relative.low == pytest.approx(40)
    assert [c.offset_s for c in warm.text_cues] == [20, 90, 110]
    # offsets 120, 290, 590, 830 from the block start: rep 1 on, rep 1 off, rep 2 off, rep 3 on
    assert [(c.offset_s, c.text[:4]) for c in steps[1].text_cues] == [(120, "Easy")]
    assert [c.offset_s for c in steps[2].text_cues] == [50]
    assert [c.offset_s for c in steps[4].text_cues] == [50]
    assert [c.offset_s for c in steps[5].text_cues] == [230]
    assert steps[7].text_cues[0].offset_s == 60


def test_intervalst_without_cues_is_a_repeat(shared_data: Path) -> None:
    """Slow 600: IntervalsT Repeat=4 600/50 becomes a Repeat, 2 + 8 expanded steps."""
    path = shared_data / "zwo_workouts" / "zwomaker__slowcomeback_w1_slow600.zwo"
    planned = load_workout_file(path).expand()
    assert len(planned) == 10
    assert [p.step.duration.value for p in planned[1:3]] == [600, 50]
    assert (planned[1].rep, planned[1].rep_count) == (1, 4)
    assert planned[8].rep == 4
    on = planned[1].step.target.relative
    assert on is not None
    assert on.low == pytest.approx(50)
    assert on.high == pytest.approx(50)


def test_luishpinto_pace_index_selects_5k(shared_data: Path) -> None:
    """Pyramid: pace="1" is 5 km speed; 1 + 2 + 10 + 2 + 1 = 16 steps, IntervalsT 5 x 200/200."""
    path = shared_data / "zwo_workouts" / "luishpinto__pyramid.zwo"
    planned = load_workout_file(path).expand()
    assert len(planned) == 16
    steady = planned[1].step
    assert steady.target.type is TargetType.SPEED
    assert steady.target.relative is not None
    assert steady.target.relative.race_m == 5000
    assert steady.target.relative.low == pytest.approx(90.509331)
    assert [p.step.duration.value for p in planned[3:5]] == [200, 200]
    cool = planned[-1].step
    assert cool.intensity is Intensity.COOLDOWN
    assert cool.ramp_to is not None


def test_undeclared_distance_can_be_forced(shared_data: Path) -> None:
    """luishpinto files hold metres without <durationType>: time by default, distance on request."""
    data = (shared_data / "zwo_workouts" / "luishpinto__speed-test.zwo").read_bytes()
    assert parse_zwo(data).expand()[1].step.duration.type is DurationType.TIME
    forced = parse_zwo(data, distance=True).expand()
    assert [(p.step.duration.type, p.step.duration.value) for p in forced] == [
        (DurationType.DISTANCE, 1000),
        (DurationType.DISTANCE, 2700),
        (DurationType.DISTANCE, 1000),
    ]


def test_distoffset_cues_make_a_distance_workout(shared_data: Path) -> None:
    """Negative 3000: distoffset cues mark metres; the 30 distance cues are counted, not placed."""
    path = shared_data / "zwo_workouts" / "zwomaker__slowcomeback_negative3000.zwo"
    workout = load_workout_file(path)
    planned = workout.expand()
    assert [p.step.duration.value for p in planned] == [400, 1000, 1000, 1000, 800]
    assert all(p.step.duration.type is DurationType.DISTANCE for p in planned)
    assert "30 text cues left out" in workout.description
    assert workout.tags == ("zwomaker", "running")


def test_letter_case_and_junk_attributes_are_tolerated() -> None:
    """TextEvent/FreeRide/MaxEffort in any case, junk pace and unknown attributes import."""
    body = (
        '<SteadyState Duration="60" power="0.9" Pace="8268" Foo="x">'
        '<TextEvent TimeOffset="10" message="go"/><gameplayevent/></SteadyState>'
        '<Freeride Duration="30"/><MAXEFFORT Duration="10"/>'
    )
    planned = parse_zwo(_zwo(body)).expand()
    assert len(planned) == 3
    assert planned[0].step.text_cues[0].text == "go"
    assert planned[0].step.target.relative is not None
    assert planned[0].step.target.relative.race_m == RACE_M[0]
    assert planned[1].step.target.type is TargetType.OPEN
    assert planned[2].step.cue == "Max effort"


def test_top_level_textevent_is_placed_by_workout_time() -> None:
    """A textevent directly in <workout> goes to the step running at that time."""
    body = '<SteadyState Duration="60" Power="1"/><SteadyState Duration="60" Power="1"/>'
    body += '<textevent timeoffset="75" message="half"/>'
    planned = parse_zwo(_zwo(body)).expand()
    assert planned[1].step.text_cues[0].offset_s == 15


@pytest.mark.parametrize(
    ("data", "position"),
    [
        (_zwo('<SteadyState Duration="-60" Power="1"/>'), "<SteadyState> #1 (line 1)"),
        (_zwo('<SteadyState Duration="nan" Power="1"/>'), "<SteadyState> #1 (line 1)"),
        (
            _zwo('<Warmup Duration="60" PowerLow="0.5" PowerHigh="0.6"/><Swim Duration="1"/>'),
            "<Swim> #2 (line 1)",
        ),
        (_zwo('<IntervalsT Repeat="0" OnDuration="1" OffDuration="1"/>'), "<IntervalsT> #1"),
        (_zwo('<IntervalsT Repeat="1000000" OnDuration="1" OffDuration="1"/>'), "<IntervalsT> #1"),
        (_zwo('<SteadyState Duration="60" Power="-1"/>'), "<SteadyState> #1 (line 1)"),
        (_zwo('<SteadyState Duration="60"/>', head=""), "<sportType>"),
        (b"<workout_file><name>t</name><sportType>run</sportType><workout><Ramp", "line 1, column"),
        (b"", "line 1"),
        (b"<root/>", "line 1"),
    ],
)
def test_bad_files_are_rejected_with_position(data: bytes, position: str) -> None:
    """Negative/NaN durations, unknown timing elements, bad repeats, bike files, broken XML."""
    with pytest.raises(WorkoutError) as info:
        parse_zwo(data, "bad.zwo")
    assert info.value.source == "bad.zwo"
    assert info.value.position is not None
    assert info.value.position.startswith(position)


def test_billion_laughs_is_refused_quickly() -> None:
    """An entity-expansion bomb is refused before any expansion, in well under a second."""
    ents = '<!ENTITY a0 "lol">' + "".join(
        f'<!ENTITY a{i} "{"&a" + str(i - 1) + ";" * 1}' + f"&a{i - 1};" * 9 + '">'
        for i in range(1, 10)
    )
    data = f'<?xml version="1.0"?><!DOCTYPE w [{ents}]><workout_file>&a9;</workout_file>'
    start = time.monotonic()
    with pytest.raises(WorkoutError) as info:
        parse_zwo(data.encode(), "bomb.zwo")
    assert time.monotonic() - start < 1
    assert info.value.source == "bomb.zwo"
    assert info.value.position == "line 1"


def test_external_entity_is_refused(tmp_path: Path) -> None:
    """An external entity (XXE) is refused, and the referenced file is never read."""
    secret = tmp_path / "secret.txt"
    secret.write_text("TOPSECRET")
    data = (
        f'<?xml version="1.0"?>\n<!DOCTYPE w [<!ENTITY x SYSTEM "file://{secret}">]>\n'
        "<workout_file><name>&x;</name></workout_file>"
    )
    with pytest.raises(WorkoutError) as info:
        parse_zwo(data.encode(), "xxe.zwo")
    assert "TOPSECRET" not in str(info.value)
    assert info.value.position == "line 2"


def _error_or_none(data: bytes) -> WorkoutError | None:
    try:
        parse_zwo(data, "r.zwo")
    except WorkoutError as exc:
        return exc
    return None


@fuzz(300)
@given(st.binary(max_size=400))
def test_random_bytes_raise_only_workout_error(data: bytes) -> None:
    """Random bytes either import or raise WorkoutError, never anything else."""
    exc = _error_or_none(data)
    assert exc is None or exc.source == "r.zwo"


@fuzz(300)
@given(
    st.lists(
        st.tuples(
            st.sampled_from(["SteadyState", "Warmup", "IntervalsT", "FreeRide", "Ramp", "x"]),
            st.dictionaries(
                st.sampled_from(
                    [
                        "Duration",
                        "Power",
                        "PowerLow",
                        "PowerHigh",
                        "Repeat",
                        "OnDuration",
                        "OffDuration",
                        "OnPower",
                        "pace",
                    ]
                ),
                st.text(alphabet="0123456789.-e", max_size=6),
            ),
        ),
        max_size=5,
    )
)
def test_random_blocks_raise_only_workout_error(blocks: list[tuple[str, dict[str, str]]]) -> None:
    """Well-formed files with random blocks and attribute values raise only WorkoutError."""
    body = "".join(
        f"<{tag} " + " ".join(f'{k}="{v}"' for k, v in attrs.items()) + "/>"
        for tag, attrs in blocks
    )
    exc = _error_or_none(_zwo(body))
    assert exc is None or exc.position is not None


def test_loader_refuses_oversized_file_before_parsing(tmp_path: Path) -> None:
    """A file over the 1 MB limit is refused by the loader without being parsed."""
    big = tmp_path / "big.zwo"
    big.write_bytes(b" " * 1_000_001)
    with pytest.raises(WorkoutError) as info:
        load_workout_file(big)
    assert info.value.source == str(big)
    assert "larger than" in info.value.reason
