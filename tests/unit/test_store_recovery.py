"""Start-up recovery: resume a recent unfinished session or close it; re-seeding the builder."""

from __future__ import annotations

import dataclasses
from typing import TYPE_CHECKING

from store_rig import WALL0, Session

from hiitd.record.record_builder import RecordBuilder
from hiitd.record.session_record import SessionStatus
from hiitd.store.crash_recovery import Action, decide, recover, resume_t0
from hiitd.store.db import Store
from hiitd.store.rows import SessionRow

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.coach.events import Event
    from hiitd_drivers.samples import Sample


def row(session_id: str, start: float, last: float | None) -> SessionRow:
    return SessionRow(session_id, "w", start, "running", 10.0, None, False, None, last)


def test_nothing_unfinished_means_nothing_to_do() -> None:
    """No running session: action none."""
    assert decide([], WALL0, 120).action is Action.NONE


def test_a_recent_checkpoint_is_resumed_and_older_sessions_closed() -> None:
    """The newest session, checkpointed 60 s ago, resumes; any older unfinished one is closed."""
    got = decide(
        [row("old", WALL0 - 9000, WALL0 - 8000), row("new", WALL0, WALL0)], WALL0 + 60, 120
    )
    assert got.action is Action.RESUME
    assert got.session is not None
    assert got.session.session_id == "new"
    assert got.closed == ("old",)


def test_an_old_checkpoint_is_closed_as_interrupted() -> None:
    """Past the resume window the session is closed, not resumed."""
    got = decide([row("s", WALL0, WALL0)], WALL0 + 121, 120)
    assert (got.action, got.closed) == (Action.INTERRUPTED, ("s",))


def test_a_checkpoint_in_the_future_is_not_trusted() -> None:
    """A wall clock behind the last checkpoint (no RTC, before NTP) cannot time the gap: close."""
    got = decide([row("s", WALL0, WALL0 + 30)], WALL0, 120)
    assert got.action is Action.INTERRUPTED
    assert decide([row("s", WALL0, None)], WALL0, 120).action is Action.INTERRUPTED


def test_recover_closes_in_the_store_what_it_does_not_resume(tmp_path: Path) -> None:
    """recover() marks interrupted sessions in the file and leaves a resumed one running."""
    s = Session()
    s.cmd("start")
    s.run(10)
    rec = s.builder.record()
    assert rec is not None
    with Store.open(tmp_path) as store:
        store.save(rec, wall=WALL0 + 10)
        store.save(dataclasses.replace(rec, session_id="older", start_wall=WALL0 - 5000))
        got = recover(store, WALL0 + 20)
        assert got.action is Action.RESUME
        assert [r.session_id for r in store.unfinished()] == [rec.session_id]
        assert store.load("older").status is SessionStatus.INTERRUPTED
        got = recover(store, WALL0 + 10 + 121)
        assert got.action is Action.INTERRUPTED
        assert store.unfinished() == []
        assert store.load(rec.session_id).end_t == 10.0


def test_resume_t0_keeps_the_downtime_as_a_gap_and_never_goes_back() -> None:
    """New points continue after the monotonic gap, never before the stored ones."""
    s = Session()
    s.cmd("start")
    s.run(30)
    rec = s.builder.record()
    assert rec is not None
    assert 5.0 - resume_t0(rec, now=5.0, gap_s=70.0) == 100.0
    assert 5.0 - resume_t0(rec, now=5.0, gap_s=-1000.0) == 30.0


def test_a_resumed_builder_records_what_the_uninterrupted_one_does() -> None:
    """Re-seeded mid-step with the same t0, a builder ends with the original's record."""
    s = Session()
    s.devices()
    s.cmd("start")
    s.run(70)  # inside step 1
    original = s.builder
    partial = original.record()
    assert partial is not None
    assert original.current is not None
    resumed = RecordBuilder(
        profile=lambda: s.engine.profile, planned=lambda: s.engine.steps, wall_at=lambda t: t
    )
    resumed.resume(partial, original.current.t0)

    def events(evs: list[Event], now: float) -> None:
        original.on_events(evs, now)
        resumed.on_events(evs, now)

    def sample(x: Sample, now: float) -> None:
        original.on_sample(x, now)
        resumed.on_sample(x, now)

    s.sink_events, s.sink_sample = events, sample
    s.run(200)
    assert resumed.record() == original.record()
    final = resumed.record()
    assert final is not None
    assert final.status is SessionStatus.FINISHED
    assert [st.index for st in final.steps] == [0, 1, 2, 3]
