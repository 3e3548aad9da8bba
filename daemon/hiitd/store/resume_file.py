"""``resume.json``: where the running session stands, for a restart to continue it.

Written after every checkpoint: the engine's resume point, and when it was
written on the monotonic clock of this boot (``boot``, ``mono``) and in clock
seconds per real second (``rate``). After a crash, the real downtime is the
monotonic time since then, within the same boot; across a reboot it cannot be
measured (the monotonic clock restarts, the wall clock of a Pi without RTC is
not to be believed) and the session is closed as interrupted. The wall time
is kept for people reading the file, never for a decision.
"""

from __future__ import annotations

import json
import math
from dataclasses import dataclass
from typing import TYPE_CHECKING

import structlog

from hiitd.coach.session_resume import ResumePoint

if TYPE_CHECKING:
    from pathlib import Path

log = structlog.get_logger(__name__)

FILE_NAME = "resume.json"


@dataclass(frozen=True, slots=True)
class Stored:
    """A resume point and when it was written."""

    point: ResumePoint
    boot: str | None
    mono: float | None  # time.monotonic() of that boot when written
    rate: float = 1.0  # the daemon's clock seconds per real second (tests accelerate it)

    def gap_s(self, boot: str | None, mono_now: float) -> float:
        """Real seconds since it was written; ``inf`` when that cannot be measured."""
        if self.boot is None or boot != self.boot or self.mono is None:
            return math.inf
        return mono_now - self.mono


def write(state_dir: Path, point: ResumePoint | None, *, wall: float, boot: str | None,
          mono: float, rate: float) -> None:  # fmt: skip
    """Keep ``point`` (None: no session under way, the file goes); a failure is logged."""
    path = state_dir / FILE_NAME
    try:
        if point is None:
            path.unlink(missing_ok=True)
            return
        doc = {"wall": wall, "boot": boot, "mono": mono, "rate": rate, "point": point.to_payload()}
        tmp = path.with_suffix(".tmp")
        tmp.write_text(json.dumps(doc), encoding="utf-8")
        tmp.replace(path)
    except OSError as exc:
        log.debug("resume_point_not_written", error=str(exc))


def read(state_dir: Path, session_id: str) -> Stored | None:
    """The stored point of ``session_id``, or None (no file, another session, unreadable)."""
    try:
        doc = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
        point = ResumePoint.from_payload(doc["point"])
        boot, mono, rate = doc.get("boot"), doc.get("mono"), doc.get("rate", 1.0)
    except (OSError, ValueError, KeyError, TypeError, AttributeError):
        return None
    if point.session_id != session_id:
        return None
    boot = boot if isinstance(boot, str) else None
    mono = float(mono) if isinstance(mono, int | float) and math.isfinite(mono) else None
    rate = float(rate) if isinstance(rate, int | float) and rate > 0 else 1.0
    return Stored(point, boot, mono, rate)
