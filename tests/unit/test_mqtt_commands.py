"""Commands from the broker: what is accepted, and the error each bad one gets."""

from __future__ import annotations

import json

import pytest
from fuzz_rig import fuzz
from hypothesis import given
from hypothesis import strategies as st

from hiitd.mqtt.command_parser import MAX_PAYLOAD_BYTES, CommandError, ParsedCommand, parse_command


@pytest.mark.parametrize("action", ["start", "pause", "resume", "skip", "lap", "stop"])
def test_empty_payload_is_the_bare_action(action: str) -> None:
    """An empty payload means the action alone."""
    assert parse_command(action, b"") == ParsedCommand(action)


def test_plain_string_names_a_workout() -> None:
    """A plain string payload for start/workout is the workout's name."""
    assert parse_command("start", b"norwegian-4x4") == ParsedCommand("start", "norwegian-4x4")
    assert parse_command("workout", b" tabata \n") == ParsedCommand("workout", "tabata")


def test_json_object_with_workout_and_request_id() -> None:
    """A JSON object may carry the workout and an id echoed in the reply."""
    payload = json.dumps({"workout": "billat-30-30", "id": "abc"}).encode()
    assert parse_command("start", payload) == ParsedCommand("start", "billat-30-30", "abc")


def test_json_string_is_a_name() -> None:
    """A JSON string payload is accepted as a name too."""
    assert parse_command("workout", b'"gibala-10x60"').workout == "gibala-10x60"


@pytest.mark.parametrize(
    ("action", "payload", "message"),
    [
        ("explode", b"", "unknown action"),
        ("start", b"{not json", "not valid JSON"),
        ("start", b"[1, 2]", "must be an object"),
        ("start", b'{"workout": 5}', "workout must be a workout name"),
        ("start", b'{"speed": 3}', "unknown field"),
        ("pause", b"now please", "takes no payload"),
        ("pause", b'{"workout": "x"}', "takes no workout"),
        ("workout", b"", "needs a workout name"),
        ("workout", b"{}", "needs"),
        ("start", b"../../etc/passwd", "workout must be a workout name"),
        ("start", b"/etc/hiitd/hiitd.toml", "workout must be a workout name"),
        ("start", b"\xff\xfe", "not UTF-8"),
        ("start", b'{"id": 7}', "id must be a string"),
    ],
)
def test_bad_commands_say_why(action: str, payload: bytes, message: str) -> None:
    """Each malformed command raises CommandError with a message naming the problem."""
    with pytest.raises(CommandError, match=message):
        parse_command(action, payload)


def test_oversized_payload_is_refused_before_parsing() -> None:
    """A 1 MB payload is refused by size, not parsed."""
    with pytest.raises(CommandError, match="too large"):
        parse_command("start", b"{" + b" " * (1 << 20) + b"}")
    assert MAX_PAYLOAD_BYTES < 1 << 20


@fuzz(300)
@given(st.text(max_size=12), st.binary(max_size=300))
def test_random_commands_raise_only_command_error(action: str, payload: bytes) -> None:
    """Any action and payload either parse or raise CommandError, never anything else."""
    try:
        parsed = parse_command(action, payload)
    except CommandError:
        return
    assert parsed.action == action


@pytest.mark.parametrize(
    ("payload", "status", "note"),
    [
        (b"ill", "ill", None),
        (b" Injured\n", "injured", None),
        (b'"ok"', "ok", None),
        (b'{"status": "ill", "note": "flu", "id": "r1"}', "ill", "flu"),
        (b'{"status": "ok", "note": "  "}', "ok", None),
    ],
)
def test_health_reports(payload: bytes, status: str, note: str | None) -> None:
    """cmd/health takes ill, injured or ok, plain or as JSON with a note."""
    parsed = parse_command("health", payload)
    assert (parsed.action, parsed.status, parsed.note) == ("health", status, note)


@pytest.mark.parametrize(
    ("payload", "message"),
    [
        (b"", "'health' needs ill, injured or ok"),
        (b"sick", "status must be one of ill, injured, ok, got 'sick'"),
        (b'{"status": 1}', "status must be one of ill, injured, ok, got 1"),
        (b'{"note": "x"}', "needs ill, injured or ok"),
        (b'{"status": "ill", "note": 5}', "note must be text"),
        (b'{"status": "ill", "mood": "bad"}', "unknown field"),
    ],
)
def test_bad_health_reports_say_why(payload: bytes, message: str) -> None:
    """A bad cmd/health names what was wrong."""
    with pytest.raises(CommandError, match=message):
        parse_command("health", payload)


def test_other_actions_take_no_status() -> None:
    """``status`` belongs to cmd/health only."""
    with pytest.raises(CommandError, match="other actions take no status"):
        parse_command("start", b'{"status": "ill"}')
