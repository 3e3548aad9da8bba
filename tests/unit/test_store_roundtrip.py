"""Property: any record, saved whole or in growing checkpoints, reads back equal."""

from __future__ import annotations

import dataclasses
import tempfile
from pathlib import Path

from hypothesis import given, settings
from hypothesis import strategies as st

from hiitd.record.session_record import (
    AthleteSnapshot,
    CueRecord,
    DeviceRecord,
    HrPoint,
    PauseRecord,
    PodPoint,
    SessionRecord,
    SessionStatus,
    StepRecord,
)
from hiitd.store.db import Store

# NaN is excluded only because NaN != NaN would fail the equality; it is stored
# as NULL and read back as NaN. Infinities and -0.0 round-trip exactly.
floats = st.floats(allow_nan=False)
opt_floats = st.none() | floats
text = st.text(st.characters(exclude_categories=["Cs"]), max_size=20)  # no lone surrogates
opt_text = st.none() | text
ints = st.integers(-(2**63), 2**63 - 1)

hr_points = st.builds(
    HrPoint,
    floats,
    st.none() | st.integers(0, 255),
    st.lists(floats, max_size=4).map(tuple),
    st.none() | st.booleans(),
)
pod_points = st.builds(PodPoint, floats, floats, floats, opt_floats, opt_floats)
steps = st.builds(
    StepRecord,
    index=ints,
    name=text,
    label=text,
    intensity=text,
    start_t=floats,
    end_t=opt_floats,
    duration_type=text,
    duration_value=opt_floats,
    target_type=text,
    target_low=opt_floats,
    target_high=opt_floats,
    ended_by=opt_text,
)
pauses = st.builds(PauseRecord, floats, opt_floats, st.booleans())
cues = st.builds(CueRecord, floats, text, text, text, st.none() | ints)
devices = st.builds(
    DeviceRecord, text, opt_text, opt_text, opt_text, opt_text, opt_text, opt_text, st.none() | ints
)
athletes = st.builds(
    AthleteSnapshot,
    st.integers(0, 300),
    st.none() | st.integers(0, 300),
    st.none() | st.integers(0, 300),
    st.none() | st.integers(0, 150),
    opt_text,
    opt_floats,
    opt_floats,
    opt_floats,
)
records = st.builds(
    SessionRecord,
    session_id=text,
    workout=opt_text,
    start_wall=floats,
    status=st.sampled_from(SessionStatus),
    end_t=opt_floats,
    athlete=athletes,
    hr=st.lists(hr_points, max_size=30).map(tuple),
    pod=st.lists(pod_points, max_size=30).map(tuple),
    steps=st.lists(steps, max_size=5).map(tuple),
    pauses=st.lists(pauses, max_size=3).map(tuple),
    cues=st.lists(cues, max_size=5).map(tuple),
    devices=st.lists(devices, max_size=3).map(tuple),
    sub_sport=text,
    rpe=st.none() | st.integers(0, 10),
)


def prefix(rec: SessionRecord, k: float) -> SessionRecord:
    """The record as it was earlier: a leading share ``k`` of every growing list."""

    def cut(items: tuple[object, ...]) -> tuple[object, ...]:
        return items[: int(len(items) * k)]

    return dataclasses.replace(
        rec,
        hr=cut(rec.hr),
        pod=cut(rec.pod),
        cues=cut(rec.cues),
        steps=cut(rec.steps),
        pauses=cut(rec.pauses),
        devices=cut(rec.devices),
        status=SessionStatus.RUNNING,
        end_t=None,
        rpe=None,
    )  # type: ignore[arg-type]


@settings(max_examples=100, deadline=None)
@given(records, st.lists(st.floats(0, 1), max_size=3).map(sorted))
def test_any_record_round_trips_through_checkpoints(rec: SessionRecord, cuts: list[float]) -> None:
    """Saving earlier states of a record, then the record, stores exactly the record."""
    with tempfile.TemporaryDirectory() as d:
        with Store.open(Path(d)) as store:
            for k in cuts:
                store.save(prefix(rec, k))
            store.save(rec)
            assert store.load(rec.session_id) == rec
            assert store.integrity_check() == "ok"
        with Store.open(Path(d)) as store:
            assert store.load(rec.session_id) == rec
