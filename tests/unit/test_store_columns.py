"""The builder's compact point columns: the same points back, views that never change."""

from __future__ import annotations

import pickle

import pytest
from store_rig import full_session

from hiitd.record.point_columns import HrColumns, PodColumns
from hiitd.record.session_record import HrPoint, PodPoint

HR = (
    HrPoint(0.0, 61, (1001.953125, 987.3046875), True),
    HrPoint(1.0, None, (), None),  # no contact: None, never zero
    HrPoint(2.0, 0, (), False),
    HrPoint(3.5, 182, (329.1015625,), None),
)
POD = (
    PodPoint(0.0, 3.1, 172.0, 1.08, 12.5),
    PodPoint(0.5, 0.0, 0.0, None, None),
    PodPoint(1.0, 3.2, 174.5, None, 13.9),
)


def test_every_field_comes_back_exactly() -> None:
    assert tuple(HrColumns(HR).view()) == HR
    assert tuple(PodColumns(POD).view()) == POD


def test_a_view_keeps_its_points_while_the_columns_grow() -> None:
    cols = HrColumns(HR[:2])
    view = cols.view()
    cols.append(9.0, 150, (400.0,), True)
    assert len(view) == 2
    assert tuple(view) == HR[:2]
    assert len(cols.view()) == 3
    assert cols.view()[-1] == HrPoint(9.0, 150, (400.0,), True)


def test_a_view_reads_like_a_tuple() -> None:
    view = PodColumns(POD).view()
    assert view[-1] == POD[-1]
    assert view[1:] == POD[1:]
    assert view[::2] == POD[::2]
    assert view == POD
    assert view == POD
    assert view != POD[:2]
    assert hash(view) == hash(POD)
    with pytest.raises(IndexError):
        view[3]
    with pytest.raises(IndexError):
        view[-4]


def test_a_view_pickles_to_the_same_points() -> None:
    # The post-session analysis gets the record through a pipe (runtime/analysis_child.py).
    view = HrColumns(HR).view()
    assert tuple(pickle.loads(pickle.dumps(view))) == HR  # noqa: S301


def test_the_builder_record_materializes_to_the_stored_values() -> None:
    record = full_session().builder.record()
    assert record is not None
    assert not isinstance(record.hr, tuple)
    plain = record.materialized()
    assert isinstance(plain.hr, tuple)
    assert isinstance(plain.pod, tuple)
    assert plain == record
    assert any(p.bpm is None for p in plain.hr)  # the dropout stayed a gap
    assert plain.materialized() is plain
