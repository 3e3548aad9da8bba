"""``./dev install --root DIR``: the system service's files, owners, modes and accounts.

Run as CI runs (root): owners are checked by number against the tree's own
``etc/passwd`` and ``etc/group``. One test builds the real virtual environment
(pip installs this checkout, about 20 s) and verifies the installed unit with
``systemd-analyze``.
"""

from __future__ import annotations

import os
import stat
import subprocess
from pathlib import Path
from typing import TYPE_CHECKING

import pytest

if TYPE_CHECKING:
    from collections.abc import Callable

pytestmark = pytest.mark.integration

REPO = Path(__file__).resolve().parents[2]


def _dev(*args: str) -> subprocess.CompletedProcess[str]:
    proc = subprocess.run(
        [str(REPO / "dev"), *args], capture_output=True, text=True, timeout=600, check=False
    )
    assert proc.returncode == 0, proc.stdout + proc.stderr
    return proc


def _rows(root: Path, name: str) -> dict[str, list[str]]:
    text = (root / "etc" / name).read_text(encoding="utf-8")
    return {r.split(":")[0]: r.split(":") for r in text.splitlines() if r}


def _owner_mode(path: Path) -> tuple[int, int, str]:
    st = path.stat()
    return st.st_uid, st.st_gid, stat.filemode(st.st_mode)


@pytest.fixture
def as_root() -> None:
    if os.geteuid() != 0:
        pytest.skip("owners can only be set as root (CI runs as root)")


def test_install_writes_every_file_with_its_owner_and_mode(tmp_path: Path, as_root: None) -> None:
    out = _dev("install", "--root", str(tmp_path), "--no-venv", "--add-user", "pi").stdout
    assert "wrote /etc/hiitd/hiitd.toml from the example" in out
    passwd, group = _rows(tmp_path, "passwd"), _rows(tmp_path, "group")
    user = passwd["hiitd"]
    uid, gid = int(user[2]), int(user[3])
    assert user[5:] == ["/var/lib/hiitd", "/usr/sbin/nologin"]
    assert uid < 1000  # system ids
    assert gid < 1000
    assert int(group["hiitd"][2]) == gid
    assert group["hiitd"][3] == "pi"  # the login user reads the daemon's data
    assert "hiitd" in group["bluetooth"][3].split(",")
    assert "hiitd" in group["audio"][3].split(",")
    expected = {
        "var/lib/hiitd": (uid, gid, "drwxr-x---"),
        "etc/hiitd": (0, gid, "drwxr-x---"),
        "etc/hiitd/credentials": (0, gid, "drwxr-x---"),
        "etc/hiitd/hiitd.toml": (0, gid, "-rw-r-----"),
        "etc/systemd/system/hiitd.service": (0, 0, "-rw-r--r--"),
        "usr/local/bin/hiitd": (0, 0, "-rwxr-xr-x"),
    }
    for rel, want in expected.items():
        assert _owner_mode(tmp_path / rel) == want, rel
    assert (tmp_path / "etc/hiitd/hiitd.toml").read_text() == (
        REPO / "config/hiitd.example.toml"
    ).read_text()
    unit = (tmp_path / "etc/systemd/system/hiitd.service").read_text()
    assert unit == (REPO / "systemd/hiitd.service").read_text()
    assert "LoadCredential=mqtt:/etc/hiitd/credentials" in unit  # no password: no file needed
    wrapper = (tmp_path / "usr/local/bin/hiitd").read_text()
    assert "exec /opt/hiitd/bin/hiitd" in wrapper
    assert "STATE_DIRECTORY:=/var/lib/hiitd" in wrapper
    assert not (tmp_path / "opt/hiitd").exists()  # --no-venv


def test_a_second_run_upgrades_in_place_and_keeps_data_and_config(
    tmp_path: Path, as_root: None
) -> None:
    _dev("install", "--root", str(tmp_path), "--no-venv")
    uid = _rows(tmp_path, "passwd")["hiitd"][2]
    conf = tmp_path / "etc/hiitd/hiitd.toml"
    conf.write_text('[athlete]\nid = "me"\n', encoding="utf-8")
    store = tmp_path / "var/lib/hiitd/hiitd.sqlite3"
    store.write_bytes(b"my sessions")
    old_password = tmp_path / "etc/hiitd/mqtt_password"  # where the old README put it
    old_password.write_text("s3cret\n", encoding="utf-8")
    out = _dev("install", "--root", str(tmp_path), "--no-venv").stdout
    assert "kept /etc/hiitd/hiitd.toml" in out
    assert conf.read_text() == '[athlete]\nid = "me"\n'
    assert store.read_bytes() == b"my sessions"
    moved = tmp_path / "etc/hiitd/credentials/password"
    assert moved.read_text() == "s3cret\n"
    gid = int(_rows(tmp_path, "group")["hiitd"][2])
    assert _owner_mode(moved) == (0, gid, "-rw-r-----")  # group hiitd reads it, others never
    assert not old_password.exists()
    passwd = (tmp_path / "etc/passwd").read_text().splitlines()
    assert [r.split(":")[0] for r in passwd].count("hiitd") == 1
    assert _rows(tmp_path, "passwd")["hiitd"][2] == uid
    assert _rows(tmp_path, "group")["bluetooth"][3].split(",").count("hiitd") == 1


def test_uninstall_keeps_the_data_unless_purged(tmp_path: Path, as_root: None) -> None:
    (tmp_path / "etc").mkdir()
    (tmp_path / "etc/group").write_text("bluetooth:x:112:pi\naudio:x:29:pi\n", encoding="utf-8")
    _dev("install", "--root", str(tmp_path), "--no-venv", "--add-user", "pi")
    (tmp_path / "var/lib/hiitd/hiitd.sqlite3").write_bytes(b"my sessions")
    (tmp_path / "opt/hiitd/bin").mkdir(parents=True)  # as a venv would be
    _dev("uninstall", "--root", str(tmp_path))
    assert not (tmp_path / "etc/systemd/system/hiitd.service").exists()
    assert not (tmp_path / "usr/local/bin/hiitd").exists()
    assert not (tmp_path / "opt/hiitd").exists()
    assert (tmp_path / "var/lib/hiitd/hiitd.sqlite3").read_bytes() == b"my sessions"
    assert (tmp_path / "etc/hiitd/hiitd.toml").exists()
    assert "hiitd" in _rows(tmp_path, "passwd")
    _dev("uninstall", "--root", str(tmp_path), "--purge")
    assert not (tmp_path / "var/lib/hiitd").exists()
    assert not (tmp_path / "etc/hiitd").exists()
    assert "hiitd" not in _rows(tmp_path, "passwd")
    group = _rows(tmp_path, "group")
    assert "hiitd" not in group
    assert group["bluetooth"] == ["bluetooth", "x", "112", "pi"]  # the others stay as they were
    assert group["audio"] == ["audio", "x", "29", "pi"]


@pytest.mark.timeout(600)  # pip installs this checkout into a fresh venv
def test_the_virtual_environment_runs_and_the_installed_unit_verifies(
    tmp_path: Path, as_root: None, executable: Callable[..., str]
) -> None:
    analyze = executable("systemd-analyze")
    _dev("install", "--root", str(tmp_path))
    hiitd = tmp_path / "opt/hiitd/bin/hiitd"
    version = subprocess.run([str(hiitd), "--version"], capture_output=True, text=True,
                             timeout=60, check=True)  # fmt: skip
    assert version.stdout.startswith("hiitd ")
    unit = (tmp_path / "etc/systemd/system/hiitd.service").read_text()
    copy = tmp_path / "verify" / "hiitd.service"
    copy.parent.mkdir()
    copy.write_text(unit.replace("/opt/hiitd/bin/hiitd", str(hiitd)), encoding="utf-8")
    proc = subprocess.run([analyze, "verify", str(copy)], capture_output=True, text=True,
                          timeout=60, check=False)  # fmt: skip
    problems = [
        line
        for line in (proc.stdout + proc.stderr).splitlines()
        if "hiitd.service" in line and "bluetooth.target" not in line
    ]
    assert proc.returncode == 0, proc.stderr
    assert problems == []
    _dev("install", "--root", str(tmp_path))  # an upgrade: the venv is reused
    assert hiitd.exists()
