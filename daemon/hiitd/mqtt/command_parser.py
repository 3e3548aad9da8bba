"""Commands arriving on ``<base>/cmd/<action>``: parsed and checked here, pure.

A payload is empty, a plain string (a workout name, a rating, a check-in's
seconds), or a JSON object. The workout name ``next`` means the plan's
recommended session (``<base>/plan/next``); the daemon resolves it. Anything
else gets a ``CommandError`` whose message goes back on ``cmd/result``; the
engine never sees a malformed command. A workout is named, never a path: a
message on the broker must not make the daemon read files (docs/security.md).
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass
from typing import Any, Final

ACTIONS: Final = (
    "start", "pause", "resume", "skip", "lap", "stop", "workout", "rpe", "checkin",
    "confirm-max-hr", "health",
)  # fmt: skip
MAX_PAYLOAD_BYTES: Final = 4096  # a command is a word or a small object; more is abuse
_NAME = re.compile(r"^[\w][\w .+()'-]{0,79}$")  # a catalogue name, never a path
_KEYS: Final = {"workout", "id", "rpe", "duration_s", "proposal", "max_hr", "status", "note"}
HEALTH: Final = ("ill", "injured", "ok")  # cmd/health: what the runner reports
MAX_NOTE: Final = 200
NEXT: Final = "next"  # the workout name meaning "the plan's recommended session"
# A resting check-in: 2 minutes by default (the measurement); 60 s is the
# shortest whose lnRMSSD agrees with longer recordings at rest (Esco & Flatt,
# J Sports Sci Med 2014; 13: 535-41); more than 5 minutes adds nothing but boredom.
CHECKIN_DEFAULT_S: Final = 120
CHECKIN_MIN_S: Final = 60
CHECKIN_MAX_S: Final = 300


_HEALTH_FORM: Final = '\'health\' needs ill, injured or ok (or {"status": "ill", "note": "TEXT"})'
_CONFIRM_FORM: Final = (
    '\'confirm-max-hr\' needs {"proposal": ID, "max_hr": BPM} as published on '
    "profile/max_hr_proposal"
)


class CommandError(ValueError):
    """A command that cannot be carried out as given; the message says why."""


@dataclass(frozen=True, slots=True)
class ParsedCommand:
    """An action and, for ``start``/``workout``, the workout's catalogue name."""

    action: str
    workout: str | None = None
    request_id: str | None = None  # echoed in cmd/result so a caller can match replies
    rpe: int | None = None  # ``rpe``: the last session's rating, 0-10
    duration_s: int | None = None  # ``checkin``: how long to measure
    proposal: str | None = None  # ``confirm-max-hr``: the proposal's id ...
    max_hr: int | None = None  # ... and its value, both as published
    status: str | None = None  # ``health``: ill, injured or ok ...
    note: str | None = None  # ... and an optional note


def _check_name(name: object) -> str:
    if not isinstance(name, str) or not _NAME.match(name.strip()) or ".." in name:
        raise CommandError(
            f"workout must be a workout name from 'hiitd workouts list', got {name!r:.60}"
        )
    return name.strip()


def _check_rpe(value: object) -> int:
    # "7", 7 and 7.0 are fine; 7.5, "hard" and true are not (bool is an int in Python).
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdecimal() else value  # "²" is a digit, not a decimal
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= 10:
        raise CommandError(f"rpe must be a whole number from 0 to 10, got {value!r:.40}")
    return value


def _check_duration(value: object) -> int:
    # 120, "120" and 120.0 are fine; 90.5, "2 min", "¹²⁰" and true are not.
    if isinstance(value, str):
        value = value.strip()
        value = int(value) if value.isdecimal() else value
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    if (
        isinstance(value, bool)
        or not isinstance(value, int)
        or not CHECKIN_MIN_S <= value <= CHECKIN_MAX_S
    ):
        raise CommandError(
            f"duration_s must be whole seconds from {CHECKIN_MIN_S} to {CHECKIN_MAX_S}, "
            f"got {value!r:.40}"
        )
    return value


def _check_status(value: object) -> str:
    if not isinstance(value, str) or value.strip().lower() not in HEALTH:
        raise CommandError(
            f"status must be one of {', '.join(HEALTH)}, got {value!r:.40}; " + _HEALTH_FORM
        )
    return value.strip().lower()


def _check_note(value: object) -> str | None:
    if value is None:
        return None
    if not isinstance(value, str) or len(value) > MAX_NOTE:
        raise CommandError(f"note must be text of at most {MAX_NOTE} characters")
    return value.strip() or None


def parse_command(action: str, payload: bytes) -> ParsedCommand:
    """Turn a topic's action and a payload into a command, or raise CommandError."""
    if action not in ACTIONS:
        raise CommandError(f"unknown action {action!r:.40}; expected one of {', '.join(ACTIONS)}")
    if len(payload) > MAX_PAYLOAD_BYTES:
        raise CommandError(f"payload of {len(payload)} bytes is too large (limit 4096)")
    try:
        text = payload.decode("utf-8").strip()
    except UnicodeDecodeError:
        raise CommandError("payload is not UTF-8 text") from None
    if not text:
        if action == "workout":
            raise CommandError("'workout' needs a workout name as payload")
        if action == "rpe":
            raise CommandError("'rpe' needs a rating from 0 to 10 as payload")
        if action == "checkin":
            return ParsedCommand(action, duration_s=CHECKIN_DEFAULT_S)
        if action == "confirm-max-hr":
            raise CommandError(_CONFIRM_FORM)
        if action == "health":
            raise CommandError(_HEALTH_FORM)
        return ParsedCommand(action)
    if text.startswith(("{", "[", '"')):
        try:
            doc: Any = json.loads(text)
        except ValueError as exc:
            raise CommandError(f"payload is not valid JSON: {exc}") from None
        except RecursionError:  # "[[[[..." within the size limit
            raise CommandError("payload is not valid JSON: nested too deeply") from None
        if isinstance(doc, str):
            text = doc
        elif not isinstance(doc, dict):
            raise CommandError('a JSON payload must be an object like {"workout": "NAME"}')
        else:
            return _from_object(action, doc)
    if action == "rpe":
        return ParsedCommand(action, rpe=_check_rpe(text))
    if action == "checkin":
        return ParsedCommand(action, duration_s=_check_duration(text))
    if action == "confirm-max-hr":
        raise CommandError(_CONFIRM_FORM)
    if action == "health":
        return ParsedCommand(action, status=_check_status(text))
    if action not in {"start", "workout"}:
        raise CommandError(f"'{action}' takes no payload, got {text!r:.40}")
    return ParsedCommand(action, _check_name(text))


def _from_object(action: str, doc: dict[str, Any]) -> ParsedCommand:
    unknown = sorted(set(doc) - _KEYS)
    if unknown:
        raise CommandError(
            f"unknown field(s) {', '.join(unknown)}; allowed: {', '.join(sorted(_KEYS))}"
        )
    request_id = doc.get("id")
    if request_id is not None and (not isinstance(request_id, str) or len(request_id) > 64):
        raise CommandError("id must be a string of at most 64 characters")
    workout = doc.get("workout")
    if workout is not None and action not in {"start", "workout"}:
        raise CommandError(f"'{action}' takes no workout")
    if workout is None and action == "workout":
        raise CommandError('\'workout\' needs {"workout": "NAME"}')
    if ("rpe" in doc) != (action == "rpe"):
        raise CommandError("'rpe' needs {\"rpe\": 0-10}; other actions take no rpe")
    if ("duration_s" in doc) and action != "checkin":
        raise CommandError(f"'{action}' takes no duration_s (only 'checkin' does)")
    if ("proposal" in doc or "max_hr" in doc) != (action == "confirm-max-hr"):
        raise CommandError(_CONFIRM_FORM + "; other actions take no proposal or max_hr")
    if ("status" in doc or "note" in doc) != (action == "health"):
        raise CommandError(_HEALTH_FORM + "; other actions take no status or note")
    if action == "health":
        status, note = _check_status(doc.get("status")), _check_note(doc.get("note"))
        return ParsedCommand(action, request_id=request_id, status=status, note=note)
    if action == "confirm-max-hr":
        return _confirm(doc, request_id)
    if action == "rpe":
        return ParsedCommand(action, rpe=_check_rpe(doc["rpe"]), request_id=request_id)
    if action == "checkin":
        duration = _check_duration(doc.get("duration_s", CHECKIN_DEFAULT_S))
        return ParsedCommand(action, request_id=request_id, duration_s=duration)
    return ParsedCommand(action, None if workout is None else _check_name(workout), request_id)


def _confirm(doc: dict[str, Any], request_id: str | None) -> ParsedCommand:
    proposal, max_hr = doc.get("proposal"), doc.get("max_hr")
    if not isinstance(proposal, str) or not 0 < len(proposal) <= 80:
        raise CommandError(f"proposal must be the proposal's id (a string), got {proposal!r:.40}")
    if isinstance(max_hr, bool) or not isinstance(max_hr, int) or not 100 <= max_hr <= 250:
        raise CommandError(f"max_hr must be whole beats per minute, got {max_hr!r:.40}")
    return ParsedCommand("confirm-max-hr", request_id=request_id, proposal=proposal, max_hr=max_hr)
