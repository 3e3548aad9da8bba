"""No settings error ever says a secret: a canary through every secret and every error path."""

from __future__ import annotations

import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from pathlib import Path

CANARY = "Canary-7f3e!pw"


def _hiitd(env: dict[str, str], *args: str) -> tuple[int, str]:
    """Run the command line; its exit status and everything it wrote."""
    done = subprocess.run(
        [sys.executable, "-m", "hiitd", *args],
        env=env,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    return done.returncode, done.stdout + done.stderr


@pytest.fixture
def env(tmp_path: Path) -> dict[str, str]:
    """A clean environment: no HIITD_* from the caller, a state directory of our own."""
    clean = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    return clean | {"STATE_DIRECTORY": str(tmp_path / "state")}


def _cases(tmp_path: Path) -> list[tuple[str, dict[str, str], tuple[str, ...]]]:
    """(what, extra environment, command line) for every path that rejects settings."""
    secret_file = tmp_path / "password"
    secret_file.write_text(CANARY, encoding="utf-8")
    cert = tmp_path / "cert.pem"
    cert.write_text("not a real certificate", encoding="utf-8")
    toml = tmp_path / "hiitd.toml"
    toml.write_text(f'[mqtt]\npassword = "{CANARY}"\nkeepalive_s = 1\n', encoding="utf-8")
    pw = {"HIITD_MQTT__PASSWORD": CANARY}
    return [
        ("password and password_file", pw | {"HIITD_MQTT__PASSWORD_FILE": str(secret_file)}, ()),
        ("cert_file without key_file", pw | {"HIITD_MQTT__CERT_FILE": str(cert)}, ()),
        ("a bad key beside the password", pw | {"HIITD_MQTT__KEEPALIVE_S": "1"}, ()),
        ("an unknown key beside the password", pw | {"HIITD_MQTT__PASWORD": CANARY}, ()),
        ("credentials in the URL", {"HIITD_MQTT__URL": f"mqtt://u:{CANARY}@host"}, ()),
        ("a bad port in a URL", {"HIITD_MQTT__URL": f"mqtt://u:{CANARY}@host:x"}, ()),
        ("--broker with credentials", {}, ("--broker", f"mqtt://u:{CANARY}@host")),
        ("--broker with a bad port", {}, ("--broker", f"mqtt://u:{CANARY}@host:x")),
        ("--broker beside a bad password pair",
         pw | {"HIITD_MQTT__PASSWORD_FILE": str(secret_file)}, ("--broker", "mqtt://h")),
        ("a TOML file with the password", {}, ("--config", str(toml))),
    ]  # fmt: skip


def test_every_settings_error_names_the_key_and_never_the_secret(
    env: dict[str, str], tmp_path: Path
) -> None:
    """Each bad configuration exits 78 naming the problem; the canary appears nowhere."""
    for what, extra, args in _cases(tmp_path):
        code, output = _hiitd(env | extra, "config", "check", *args)
        assert code == 78, f"{what}: exit {code}: {output}"
        assert "invalid configuration" in output or "hiitd:" in output, what
        assert CANARY not in output, f"{what} printed the secret: {output}"


def test_config_check_masks_the_password(env: dict[str, str]) -> None:
    """A valid configuration with a password prints it masked, text and JSON."""
    for fmt in ((), ("--json",)):
        code, output = _hiitd(env | {"HIITD_MQTT__PASSWORD": CANARY}, "config", "check", *fmt)
        assert code == 0, output
        assert CANARY not in output
        assert "**********" in output
