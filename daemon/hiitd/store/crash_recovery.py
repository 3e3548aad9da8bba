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


def decide(
    unfinished: list[SessionRow],
    now_wall: float,
    resume_window_s: float,
    *,
    gap_s: float | None = None,
) -> Recovery:
    """Resume the newest unfinished session if its last checkpoint is recent; close the rest.

    ``gap_s`` is the real time since that checkpoint measured on the monotonic
    clock (within one boot; the daemon passes ``inf`` when it cannot be
    measured: another boot, no resume point). Without it the wall clocks are
    compared, and a last checkpoint "in the future" means the wall clock is
    not to be trusted (a Pi without RTC boots with the time it saved at
    shutdown until NTP syncs): such a session is closed, not resumed.
    """
    if not unfinished:
        return Recovery(Action.NONE)
    newest = max(unfinished, key=lambda r: r.start_wall)
    others = tuple(r.session_id for r in unfinished if r is not newest)
    last = newest.last_checkpoint_wall
    if gap_s is None and last is not None:
        gap_s = now_wall - last
    if gap_s is not None and 0.0 <= gap_s <= resume_window_s:
        return Recovery(Action.RESUME, newest, others)
    return Recovery(Action.INTERRUPTED, newest, (newest.session_id, *others))


def recover(
    store: Store,
    now_wall: float,
    *,
    resume_window_s: float = RESUME_WINDOW_S,
    gap_s: float | None = None,
) -> Recovery:
    """Decide, and close what is not resumed (``mark_interrupted``). Raises StoreError."""
    decision = decide(store.unfinished(), now_wall, resume_window_s, gap_s=gap_s)
    for session_id in decision.closed:
        store.mark_interrupted(session_id, wall=now_wall)
    return decision


def resume_t0(record: SessionRecord, now: float, gap_s: float) -> float:
    """The source-clock time of the record's ``t = 0`` for ``RecordBuilder.resume``.

    New points continue ``gap_s`` (the downtime, on the monotonic clock) after
    the last stored point: the downtime stays a gap in the record (honest
    data), whatever the wall clock did meanwhile (a 9-hour NTP step must not
    become 9 hours of running).
    """
    return now - (last_t(record) + max(0.0, gap_s))
