"""What hiitd learns about the athlete and keeps across restarts (``learned.json``).

Today: a maximum heart rate observed cleanly above the profile's (the engine
decides what is clean). The configured value stays the floor; a learned higher
one is used from the next session on.
"""

from __future__ import annotations

import json
import os
import tempfile
from pathlib import Path

import structlog

from hiitd.coach.profile import AthleteProfile, raise_max_hr

log = structlog.get_logger(__name__)
FILE_NAME = "learned.json"


def load_max_hr(state_dir: Path) -> int | None:
    """The learned max HR, or None (no file, or a file we cannot trust)."""
    try:
        data = json.loads((state_dir / FILE_NAME).read_text(encoding="utf-8"))
    except FileNotFoundError:
        return None
    except (OSError, ValueError) as exc:
        log.warning("learned_unreadable", file=str(state_dir / FILE_NAME), error=str(exc))
        return None
    value = data.get("max_hr") if isinstance(data, dict) else None
    return value if isinstance(value, int) and 120 <= value <= 240 else None


def apply(profile: AthleteProfile, state_dir: Path) -> AthleteProfile:
    """The profile with a learned max HR applied when it is higher."""
    learned = load_max_hr(state_dir)
    if learned is None or learned <= profile.max_hr:
        return profile
    return raise_max_hr(profile, learned)


def save_max_hr(state_dir: Path, bpm: int) -> None:
    """Keep a newly learned max HR (atomically; a failure is logged, coaching goes on)."""
    try:
        state_dir.mkdir(parents=True, exist_ok=True)
        fd, tmp = tempfile.mkstemp(dir=state_dir, prefix=".learned.", suffix=".tmp")
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump({"max_hr": bpm}, fh)
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(state_dir / FILE_NAME)
    except OSError as exc:
        log.warning("learned_not_saved", max_hr=bpm, error=str(exc))
