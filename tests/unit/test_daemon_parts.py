"""Small daemon parts: sd_notify over a real socket, log masking, bindings, decode CLI."""

from __future__ import annotations

import io
import json
import socket
from typing import TYPE_CHECKING

import pytest
import structlog

from hiitd.cli.cli_support import EX_CONFIG, EX_DATAERR, EX_OK
from hiitd.cli.main import main
from hiitd.errors import ConfigError
from hiitd.logs import MASK, configure_logging
from hiitd.runtime.sdnotify import Notifier
from hiitd.store import bindings_file as bindings
from hiitd_drivers.samples import Role

if TYPE_CHECKING:
    from pathlib import Path


def test_notifier_sends_to_the_socket(tmp_path: Path) -> None:
    """READY=1 arrives on the datagram socket named by NOTIFY_SOCKET."""
    path = tmp_path / "notify"
    with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as server:
        server.bind(str(path))
        n = Notifier({"NOTIFY_SOCKET": str(path), "WATCHDOG_USEC": "30000000"})
        assert n.enabled
        assert n.watchdog_s == 30.0
        n.notify("READY=1")
        assert server.recv(100) == b"READY=1"


def test_notifier_is_silent_without_systemd() -> None:
    """Without NOTIFY_SOCKET nothing is sent and no watchdog is due."""
    n = Notifier({})
    assert not n.enabled
    assert n.watchdog_s is None
    n.notify("READY=1")


def test_notifier_ignores_a_watchdog_meant_for_another_process() -> None:
    """WATCHDOG_PID of another process disables our watchdog pings."""
    n = Notifier({"NOTIFY_SOCKET": "@x", "WATCHDOG_USEC": "1000000", "WATCHDOG_PID": "1"})
    assert n.watchdog_s is None


def test_logs_mask_secret_keys_in_json() -> None:
    """A key that looks like a secret is masked in the JSON log line."""
    out = io.StringIO()
    configure_logging("info", "json", stream=out)
    fields = {"password": "hunter2", "token": "abc"}
    structlog.get_logger("t").info("connecting", host="b", **fields)
    line = json.loads(out.getvalue().strip().splitlines()[-1])
    assert line["event"] == "connecting"
    assert line["password"] == MASK
    assert line["token"] == MASK
    assert "hunter2" not in out.getvalue()


def test_bindings_round_trip(tmp_path: Path) -> None:
    """What pair saves, run loads, atomically and per role."""
    saved = {Role.HR: bindings.StoredBinding("AA:BB:CC:DD:EE:FF", "Polar H10 1")}
    bindings.save(tmp_path, saved)
    assert bindings.load(tmp_path) == saved
    assert not list(tmp_path.glob(".bindings.*"))


def test_corrupt_bindings_say_what_to_do(tmp_path: Path) -> None:
    """A damaged bindings file is a ConfigError telling the user to re-pair."""
    (tmp_path / bindings.FILE_NAME).write_text("{not json", encoding="utf-8")
    with pytest.raises(ConfigError, match="re-run 'hiitd pair'"):
        bindings.load(tmp_path)


def test_decode_cli_prints_documented_fields(capsys: pytest.CaptureFixture[str]) -> None:
    """hiitd decode 2a37 16485401ec02 --json gives bpm 72, contact, RR raw [340, 748]."""
    assert main(["decode", "2a37", "16485401ec02", "--json"]) == EX_OK
    out = json.loads(capsys.readouterr().out)
    assert out["bpm"] == 72
    assert out["contact"] is True
    assert out["rr_raw"] == [340, 748]


def test_decode_cli_reports_a_truncated_payload(capsys: pytest.CaptureFixture[str]) -> None:
    """A truncated payload prints an object with error and hex, exit status 65."""
    assert main(["decode", "0x2A53", "02", "--json"]) == EX_DATAERR
    out = json.loads(capsys.readouterr().out)
    assert out["hex"] == "02"
    assert out["error"]


def test_config_check_exit_78(
    monkeypatch: pytest.MonkeyPatch, capsys: pytest.CaptureFixture[str]
) -> None:
    """A bad environment value stops config check with exit 78 and the key named."""
    monkeypatch.setenv("HIITD_BLE__WATCHDOG_S", "-1")
    assert main(["config", "check"]) == EX_CONFIG
    assert "ble.watchdog_s" in capsys.readouterr().err


def test_learned_max_hr_is_kept_and_applied(tmp_path: Path) -> None:
    """A learned max HR survives a restart and raises (never lowers) the profile's."""
    from hiitd.coach.profile import AthleteProfile  # noqa: PLC0415
    from hiitd.store import learned_file as learned  # noqa: PLC0415

    profile = AthleteProfile(180, True, 50, None, None, None)
    assert learned.apply(profile, tmp_path) == profile
    learned.save_max_hr(tmp_path, 188)
    raised = learned.apply(profile, tmp_path)
    assert (raised.max_hr, raised.max_hr_estimated) == (188, False)
    higher = AthleteProfile(195, False, 50, None, None, None)
    assert learned.apply(higher, tmp_path).max_hr == 195
    (tmp_path / learned.FILE_NAME).write_text("{broken", encoding="utf-8")
    assert learned.apply(profile, tmp_path) == profile
