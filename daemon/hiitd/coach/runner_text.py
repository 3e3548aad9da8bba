"""Paces and times as runners write them: ``4:30`` per km, ``25:00``, ``1:35:20``. Pure."""

from __future__ import annotations

import re

_PACE = re.compile(r"^(\d{1,2}):([0-5]\d)$")
_DURATION = re.compile(r"^(?:(\d+):)?(\d{1,2}):([0-5]\d(?:\.\d+)?)$")


def parse_pace(text: str) -> float:
    """Turn ``"4:30"`` (min:s per km) into seconds per km."""
    match = _PACE.match(text.strip())
    if not match:
        raise ValueError(f"pace must look like 4:30 (minutes:seconds per km), got {text!r}")
    return int(match[1]) * 60 + int(match[2])


def parse_duration(text: str) -> float:
    """Turn ``"25:00"`` or ``"1:35:20"`` into seconds."""
    match = _DURATION.match(text.strip())
    if not match:
        raise ValueError(f"time must look like 25:00 or 1:35:20, got {text!r}")
    hours = int(match[1] or 0)
    return hours * 3600 + int(match[2]) * 60 + float(match[3])
