"""What the daemon may believe of the wall clock: a Raspberry Pi has no real-time clock.

A Pi boots with the time it saved at shutdown (or 1970), and steps to the
true time when NTP syncs, or never when it is offline. So durations and
scheduling run on the monotonic clock (the engine, the recorder, crash
resume), and the wall clock is used for labels and day buckets only; what
could destroy data (retention pruning) waits until the wall clock can be
believed (docs/architecture.md, "Time").

Whether it is synchronised is read from files, not asked of the kernel through
a syscall the unit's seccomp filter may block: systemd-timesyncd creates
``/run/systemd/timesync/synchronized`` once it has synchronised. Its directory
without the file means timesyncd runs and has not synced yet; neither means no
timesyncd (another NTP client, or a machine with a battery-backed clock): the
state is then ``unknown``. A wall time earlier than the newest stored record is
never believed, whatever the state says; no clock value is kept as a floor.
"""

from __future__ import annotations

import enum
import os
import uuid
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Final

if TYPE_CHECKING:
    from collections.abc import Callable

BOOT_ID_FILE: Final = Path("/proc/sys/kernel/random/boot_id")
DAY_S: Final = 86400.0
# The wall clock moved by more than this against the monotonic one: it was set
# (NTP's first sync, a manual date). Ordinary slewing is milliseconds.
STEP_S: Final = 2.0


class Sync(enum.StrEnum):
    """Whether the wall clock is synchronised."""

    SYNCHRONIZED = "synchronized"
    UNSYNCHRONIZED = "unsynchronized"
    UNKNOWN = "unknown"


def boot_id(path: Path = BOOT_ID_FILE) -> str | None:
    """An id of this boot (monotonic times compare only within one), or None.

    The kernel's, where /proc/sys can be read. Under the unit's ``ProcSubset=pid``
    it cannot: then a token kept in ``$RUNTIME_DIRECTORY`` (a tmpfs the unit keeps
    across restarts, ``RuntimeDirectoryPreserve=restart``, and a reboot empties).
    """
    try:
        return path.read_text(encoding="ascii").strip() or None
    except OSError:
        pass
    runtime = os.environ.get("RUNTIME_DIRECTORY")
    if not runtime:
        return None
    token = Path(runtime.split(":")[0]) / "boot_id"
    try:
        if not token.exists():
            token.write_text(uuid.uuid4().hex, encoding="ascii")
        return token.read_text(encoding="ascii").strip() or None
    except OSError:
        return None


def sync_state(flag_file: Path) -> Sync:
    """Synchronised when ``flag_file`` exists; unsynchronised when only its folder does."""
    if flag_file.exists():
        return Sync.SYNCHRONIZED
    if flag_file.parent.is_dir():
        return Sync.UNSYNCHRONIZED
    return Sync.UNKNOWN


@dataclass(frozen=True, slots=True)
class ClockView:
    """The wall clock as judged now: its sync state, and why it is not believed (or None)."""

    sync: Sync
    distrust: str | None

    def to_payload(self) -> dict[str, object]:
        """For ``diagnostics``: ``clock`` is the state, ``clock_note`` why it is not trusted."""
        return {"clock": self.sync.value, "clock_note": self.distrust}


def judge(sync: Sync, now_wall: float, newest_wall: float | None) -> ClockView:
    """Whether the wall clock may be believed, given the newest time the store holds.

    Behind the newest record, an unsynchronised or unknown clock is not
    believed; a synchronised one is, and the records were written with a
    wrong clock (they are never pruned early: pruning deletes the old).
    """
    if sync is Sync.UNSYNCHRONIZED:
        return ClockView(sync, "not synchronised yet (timesyncd has no sync)")
    behind = newest_wall is not None and now_wall < newest_wall
    if behind and sync is not Sync.SYNCHRONIZED:
        return ClockView(sync, "behind the newest stored record: it cannot be the right time")
    return ClockView(sync, None)


def retention_blocked(view: ClockView, now_wall: float, newest_wall: float | None) -> str | None:
    """Why raw samples must not be pruned now (None: they may be).

    Pruning deletes by age, so a clock that is ahead deletes what is not old:
    not while the clock is not believed, and never with a "now" more than a
    day beyond the newest session (a clock 400 days ahead would prune all).
    """
    if view.distrust is not None:
        return f"the clock is {view.distrust}"
    if newest_wall is not None and now_wall > newest_wall + DAY_S:
        return "the clock is more than a day beyond the newest session"
    return None


class StepWatch:
    """Notices the wall clock being set: its offset to the monotonic clock jumps."""

    def __init__(self, wall: Callable[[], float], monotonic: Callable[[], float]) -> None:
        self._wall = wall
        self._monotonic = monotonic
        self._offset = wall() - monotonic()

    def stepped(self) -> float | None:
        """The step in seconds since the last call, when it is more than ``STEP_S``."""
        offset = self._wall() - self._monotonic()
        step = offset - self._offset
        self._offset = offset
        return step if abs(step) > STEP_S else None
