"""Start-up after a crash: resume the session that was running, or close it as interrupted.

The decision is pure (``decide``); ``recover`` applies it to the store. A
session whose last checkpoint is recent (the daemon was restarted by systemd,
the runner is still out there) is resumed: the integrator restores the engine
to its step with the same session id, loads the record with
``Store.load_for_resume`` and hands it to ``Recorder.resume``. Anything older,
and every other unfinished session, is closed as interrupted with everything up
to its last checkpoint.
"""

from __future__ import annotations

import enum
from dataclasses import dataclass
from typing import TYPE_CHECKING

from hiitd.store.rows import last_t

if TYPE_CHECKING:
    from hiitd.record.session_record import SessionRecord
    from hiitd.store.db import Store
    from hiitd.store.rows import SessionRow

RESUME_WINDOW_S = 120.0  # a restart by systemd takes seconds; two minutes is still one run


class Action(enum.StrEnum):
    """What to do with the unfinished session found at start-up."""

    NONE = "none"  # nothing was running
    RESUME = "resume"  # continue it
    INTERRUPTED = "interrupted"  # it was closed at its last checkpoint


@dataclass(frozen=True, slots=True)
class Recovery:
    """The decision: ``session`` is the newest unfinished session (None with NONE)."""

    action: Action
    session: SessionRow | None = None
    closed: tuple[str, ...] = ()  # ids closed as interrupted (the session's, with INTERRUPTED)


def decide(unfinished: list[SessionRow], now_wall: float, resume_window_s: float) -> Recovery:
    """Resume the newest unfinished session if its last checkpoint is recent; close the rest.

    A last checkpoint "in the future" means the wall clock is not to be trusted
    (a Pi without RTC boots with the time it saved at shutdown until NTP syncs),
    so the gap cannot be known: such a session is closed, not resumed.
    """
    if not unfinished:
        return Recovery(Action.NONE)
    newest = max(unfinished, key=lambda r: r.start_wall)
    others = tuple(r.session_id for r in unfinished if r is not newest)
    last = newest.last_checkpoint_wall
    if last is not None and 0.0 <= now_wall - last <= resume_window_s:
        return Recovery(Action.RESUME, newest, others)
    return Recovery(Action.INTERRUPTED, newest, (newest.session_id, *others))


def recover(store: Store, now_wall: float, *, resume_window_s: float = RESUME_WINDOW_S) -> Recovery:
    """Decide, and close what is not resumed (``mark_interrupted``). Raises StoreError."""
    decision = decide(store.unfinished(), now_wall, resume_window_s)
    for session_id in decision.closed:
        store.mark_interrupted(session_id, wall=now_wall)
    return decision


def resume_t0(record: SessionRecord, now: float, now_wall: float) -> float:
    """The source-clock time of the record's ``t = 0`` for ``RecordBuilder.resume``.

    New points continue at the real time elapsed since the start, so the
    downtime stays a gap in the record (honest data), and never before the
    stored points (should the wall clock have stepped back).
    """
    return now - max(now_wall - record.start_wall, last_t(record))
