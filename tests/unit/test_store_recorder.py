"""The recorder: in-memory record, checkpoints every few seconds, survives a failing store."""

from __future__ import annotations

import itertools
import sqlite3
from typing import TYPE_CHECKING

import pytest
from store_rig import WALL0, Session
from structlog.testing import capture_logs

from hiitd.record.session_record import SessionStatus
from hiitd.store import schema
from hiitd.store.checkpointer import Recorder
from hiitd.store.crash_recovery import resume_t0
from hiitd.store.db import Store
from hiitd_drivers.samples import HeartRateSample

if TYPE_CHECKING:
    from pathlib import Path


def recorded(tmp_path: Path, **kw: float) -> tuple[Session, Recorder, list[float]]:
    """A session whose events and samples go through a Recorder; the times it checkpointed."""
    s = Session()
    rec = Recorder(s.builder, tmp_path, wall=lambda: WALL0 + s.now, **kw)
    written: list[float] = []

    def events(evs: list, now: float) -> None:
        rec.on_events(evs, now)
        if rec.maybe_checkpoint(now):
            written.append(now)

    s.sink_events, s.sink_sample = events, rec.on_sample
    return s, rec, written


def stored_hr(tmp_path: Path) -> int:
    with sqlite3.connect(tmp_path / schema.FILE_NAME) as conn:
        return int(conn.execute("SELECT count(*) FROM hr_samples").fetchone()[0])


def test_checkpoints_come_every_checkpoint_s_and_at_the_end(tmp_path: Path) -> None:
    """A running session is written every 2 s, the end at once, then nothing more."""
    s, rec, written = recorded(tmp_path)
    s.cmd("start")
    s.run(20)
    assert all(b - a >= 2.0 for a, b in itertools.pairwise(written))
    assert 9 <= len(written) <= 11
    s.run(230)  # to the end of the 4-minute workout
    builder_rec = s.builder.record()
    assert builder_rec is not None
    assert builder_rec.status is SessionStatus.FINISHED
    assert written[-1] == builder_rec.end_t  # the end was written when it happened
    n = len(written)
    s.run(10)  # idle after the session: nothing to write
    assert len(written) == n
    rec.close(s.now)
    with Store.open(tmp_path) as store:
        assert store.load(builder_rec.session_id) == builder_rec


def test_an_ended_session_is_kept_when_the_next_starts_at_once(tmp_path: Path) -> None:
    """A stop followed by a start before any checkpoint still stores the first session's end."""
    s, rec, _ = recorded(tmp_path, checkpoint_s=5.0)
    s.cmd("start")
    s.run(3)
    first = s.builder.record()
    assert first is not None
    s.sink_events = rec.on_events  # no checkpoints between the stop and the next start
    s.cmd("stop")
    s.cmd("start")
    s.run(2)
    assert rec.checkpoint(s.now)
    with Store.open(tmp_path) as store:
        ids = [r.session_id for r in store.list_sessions()]
        assert first.session_id in ids
        assert store.load(first.session_id).status is SessionStatus.STOPPED
        assert len(ids) == 2


def test_the_checkpoint_interval_is_at_most_five_seconds(tmp_path: Path) -> None:
    """A longer interval would break 'at most the last few seconds': refused."""
    with pytest.raises(ValueError, match="checkpoint_s"):
        Recorder(Session().builder, tmp_path, checkpoint_s=6.0)


def test_a_failing_store_is_logged_once_and_caught_up_later(tmp_path: Path) -> None:
    """With the state dir unusable, coaching goes on; once fixed, the whole session is stored."""
    state = tmp_path / "state"
    state.write_text("a file where the state directory should be")
    s, rec, written = recorded(state, retry_s=10.0)
    with capture_logs() as logs:
        assert rec.open_store() is None
        s.cmd("start")
        s.run(30)
        assert written == []
        assert rec.store is None
        errors = [e for e in logs if e["event"] == "store_unavailable"]
        assert len(errors) == 1
        assert "check free space / permissions" in errors[0]["error"]
        assert 2 <= rec.failures <= 5  # retried every retry_s, not every checkpoint
        state.unlink()
        state.mkdir()
        s.run(10)
        assert written
        assert any(e["event"] == "store_recovered" for e in logs)
    assert stored_hr(state) >= 38  # the samples from before the fix are there too
    builder_rec = s.builder.record()
    assert builder_rec is not None
    assert rec.close(s.now)
    with Store.open(state) as store:
        assert store.load(builder_rec.session_id) == builder_rec


def test_close_reports_what_could_not_be_written(tmp_path: Path) -> None:
    """A final checkpoint that fails returns False and logs the unsaved sessions."""
    (tmp_path / schema.FILE_NAME).mkdir()
    s, rec, _ = recorded(tmp_path)
    s.cmd("start")
    s.run(3)
    with capture_logs() as logs:
        assert not rec.close(s.now)
    assert any(e["event"] == "store_unsaved_at_exit" for e in logs)


def test_a_stale_checkpoint_written_late_changes_nothing(tmp_path: Path) -> None:
    """Checkpoints are written in order: an older one written after a newer one is skipped."""
    s, rec, _ = recorded(tmp_path)
    s.sink_events = rec.on_events
    s.cmd("start")
    s.run(4)
    old = rec.take_checkpoint(s.now)
    s.run(4)
    new = rec.take_checkpoint(s.now)
    assert old is not None
    assert new is not None
    assert rec.write(new)
    assert rec.write(old)  # nothing to do
    assert stored_hr(tmp_path) == 8


def test_resume_continues_the_stored_session_after_a_gap(tmp_path: Path) -> None:
    """A restarted daemon resumes: new points follow the stored ones, the downtime is a gap."""
    s, rec, _ = recorded(tmp_path)
    s.cmd("start")
    s.run(30)
    rec.close(s.now)  # the daemon stops; the session stays running in the store
    before = s.builder.record()
    assert before is not None
    # A new daemon: its monotonic clock starts again (now=1000), 20 s after the last point.
    # (The engine has no restore yet: the samples go to the recorder directly.)
    s2 = Session()
    rec2 = Recorder(s2.builder, tmp_path)
    with Store.open(tmp_path) as store:
        stored = store.load_for_resume(before.session_id)
    rec2.resume(stored, resume_t0(stored, now=1000.0, gap_s=20.0))
    for now in range(1001, 1011):
        rec2.on_sample(HeartRateSample(now, 150, (400.0,), contact=True), now)
        rec2.maybe_checkpoint(now)
    rec2.close(1010.0)
    with Store.open(tmp_path) as store:
        back = store.load(before.session_id)
    assert back.hr[:30] == before.hr
    assert [p.t for p in back.hr[30:]] == [51.0 + i for i in range(10)]
    assert len({p.t for p in back.hr}) == len(back.hr) == 40
    assert back.status is SessionStatus.RUNNING
