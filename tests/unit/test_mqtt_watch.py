"""hiitd watch: one readable line per message."""

from __future__ import annotations

import json
from datetime import UTC

from hiitd.mqtt.watch import as_json_line, format_message

BASE = "hiitd/anna"
TS = 1700000584.0  # 22:23:04 UTC


def line(topic: str, doc: object, **kw: float) -> str:
    payload = doc if isinstance(doc, bytes) else json.dumps(doc).encode()
    return format_message(f"{BASE}/{topic}", payload, BASE, tz=UTC, **kw)


def test_hr_line() -> None:
    """Heart rate shows bpm, RR and battery."""
    doc = {"ts": TS, "bpm": 148, "rr_ms": [402.3, 398.4], "contact": True, "battery": 87}
    assert line("hr", doc) == "22:23:04  hr       148 bpm  rr 402,398 ms  battery 87%"


def test_hr_without_contact() -> None:
    """No contact is shown as no data, not 0."""
    doc = {"ts": TS, "bpm": None, "rr_ms": [], "contact": False, "battery": None}
    assert line("hr", doc) == "22:23:04  hr       -- bpm (no contact)"


def test_footpod_line() -> None:
    """Footpod shows speed, pace as m:ss /km and cadence."""
    doc = {
        "ts": TS,
        "speed_mps": 3.846,
        "pace_s_per_km": 260.0,
        "cadence_spm": 172.0,
        "stride_m": None,
        "distance_m": None,
    }
    assert line("footpod", doc) == "22:23:04  footpod  3.85 m/s  4:20 /km  172 spm"


def test_footpod_still() -> None:
    """A still runner has no pace."""
    doc = {"ts": TS, "speed_mps": 0.0, "pace_s_per_km": None, "cadence_spm": 0.0}
    assert "--:-- /km" in line("footpod", doc)


def test_status_and_availability_use_receipt_time() -> None:
    """Plain-text status lines take the receipt time."""
    assert line("status", b"online", received=TS) == "22:23:04  status   online"
    assert line("hr/availability", b"offline", received=TS) == "22:23:04  hr       sensor offline"


def test_no_time_known() -> None:
    """Without ts or receipt time the clock column says so."""
    assert line("status", b"offline").startswith("--:--:--  status")


def test_session_state_line() -> None:
    """Session state shows state, step, time left and zone."""
    doc = {
        "ts": TS,
        "state": "running",
        "workout": "4x4",
        "step": {"index": 2, "count": 9, "name": "Rep 2", "remaining_s": 45.2},
        "zone": "in",
        "elapsed_s": 754,
    }
    assert line("session/state", doc) == (
        "22:23:04  state    running  step 3/9 Rep 2  0:45 left  zone in  elapsed 12:34"
    )


def test_cue_and_command_result() -> None:
    """Cues show kind and text; command results say ok or why not."""
    assert line("session/cue", {"ts": TS, "kind": "speed_up", "text": "Faster"}) == (
        "22:23:04  cue      [speed_up] Faster"
    )
    fail = {"ts": TS, "action": "pause", "ok": False, "error": "not running"}
    assert line("cmd/result", fail).endswith("result   pause failed: not running")


def test_generic_json_fallback() -> None:
    """Other JSON topics show key=value pairs without ts."""
    doc = {"ts": TS, "session_id": "s1", "laps": [1, 2]}
    assert line("plan/next", doc) == "22:23:04  plan/next session_id=s1  laps=[1,2]"


def test_the_result_is_one_short_line_and_raw_shows_it_all() -> None:
    """The result was one 2.8 KB line; now its headline (``--raw``: everything)."""
    doc = {
        "ts": TS, "workout": "norwegian-4x4", "completed": True, "moving_s": 2580,
        "distance_m": 7712, "compliance": {"in_pct": 81.4}, "analysed": True,
        "steps": [{"index": i, "name": "x" * 40} for i in range(30)],
    }  # fmt: skip
    assert line("session/result", doc) == (
        "22:23:04  result   norwegian-4x4  completed  43 min  7.71 km  "
        "81 % of the work in target  analysed"
    )
    assert "steps=" in line("session/result", doc, raw=True)
    long = line("plan/next", {"ts": TS, "why": "y" * 500})
    assert long.endswith(" B; --raw for all)")
    assert len(long) < 400


def test_binary_and_empty_payloads() -> None:
    """A chart is summed up ("PNG 55 KB"), not tens of kilobytes of hex; --raw shows hex."""
    png = b"\x89PNG\r\n\x1a\n" + bytes(56_000)
    assert line("session/chart", png, received=TS).endswith("session/chart PNG 55 KB")
    assert line("x", b"\xff\x00", received=TS).endswith("x        binary 2 B")
    assert line("x", b"\xff\x00", received=TS, raw=True).endswith("x        0xff00")
    assert line("x", b"", received=TS).endswith("(empty)")


def test_json_line() -> None:
    """--json gives one object per message with the payload parsed."""
    doc = json.loads(as_json_line("t", b'{"bpm":1}', retained=True, received=2.0))
    assert doc == {"ts": 2.0, "topic": "t", "retained": True, "payload": {"bpm": 1}}
    assert json.loads(as_json_line("t", b"online", retained=False, received=2.0))["payload"] == (
        "online"
    )


def test_import_line() -> None:
    """A file of the watched import folder: what became of it, in its own words."""
    doc = {"ts": TS, "status": "failed", "message": "/in/cut.fit: not imported: truncated"}
    assert line("session/import", doc) == (
        "22:23:04  import   failed: /in/cut.fit: not imported: truncated"
    )
