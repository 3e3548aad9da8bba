#!/usr/bin/env python3
"""Install hiitd as a system service on Raspberry Pi OS (or any Debian with systemd).

    sudo ./dev install [--add-user NAME] [--no-venv] [--root DIR]
    sudo ./dev uninstall [--purge] [--root DIR]

What ``install`` does (again on an installed system: an upgrade in place, the
configuration and the data kept):

* the system user and group ``hiitd`` (no login, home ``/var/lib/hiitd``), in the
  ``bluetooth`` group (BlueZ over D-Bus) and the ``audio`` group (spoken cues);
* ``/var/lib/hiitd`` (hiitd:hiitd 0750), the state directory, so ``hiitd pair``
  works before the service first starts;
* ``/etc/hiitd`` (root:hiitd 0750) with ``hiitd.toml`` from the example (root:hiitd
  0640, never overwritten) and ``credentials/`` (root:hiitd 0750), where the MQTT
  password goes as ``credentials/password`` when the broker needs one (the unit
  loads the folder, so no password is no error);
* a virtual environment in ``/opt/hiitd`` with hiitd installed from this checkout;
* the unit in ``/etc/systemd/system/hiitd.service``, and ``/usr/local/bin/hiitd``,
  the command as the daemon sees things (its state directory and configuration);
* with ``--add-user NAME`` (or a yes to the question when run with sudo from a
  terminal) the login user joins group ``hiitd``: ``hiitd sessions``, ``hiitd
  plan`` and friends then work without sudo.

``--root DIR`` installs into a directory tree instead of ``/``: users and groups
are written to ``DIR/etc/passwd`` and ``DIR/etc/group``, owners set by number,
nothing started (for tests and image builders; a virtual environment made there
works at that path only, so ``--no-venv`` is usual there). Only the standard
library: it runs before any virtual environment exists.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import sys
from dataclasses import dataclass
from pathlib import Path

REPO = Path(__file__).resolve().parents[1]
USER = GROUP = "hiitd"
EXTRA_GROUPS = ("bluetooth", "audio")
STATE, CONF, VENV = "var/lib/hiitd", "etc/hiitd", "opt/hiitd"
UNIT, WRAPPER = "etc/systemd/system/hiitd.service", "usr/local/bin/hiitd"
NOLOGIN = "/usr/sbin/nologin"
WRAPPER_TEXT = """#!/bin/sh
# hiitd as the daemon sees things: its state directory, /etc/hiitd/hiitd.toml and the
# broker password the unit gets as a credential. Installed by ./dev install; members of
# group hiitd can read what the daemon keeps.
: "${STATE_DIRECTORY:=/var/lib/hiitd}"
export STATE_DIRECTORY
password=/etc/hiitd/credentials/password
if [ -z "${HIITD_MQTT__PASSWORD:-}${HIITD_MQTT__PASSWORD_FILE:-}${CREDENTIALS_DIRECTORY:-}" ] \
   && [ -r "$password" ]; then
  export HIITD_MQTT__PASSWORD_FILE="$password"
fi
exec /opt/hiitd/bin/hiitd "$@"
"""


class InstallError(RuntimeError):
    """Something the installer cannot do; the message says what and how to fix it."""


def say(text: str) -> None:
    """One line of progress."""
    sys.stdout.write(f"install: {text}\n")
    sys.stdout.flush()


# ------------------------------------------------------------------ accounts


@dataclass
class Accounts:
    """Users and groups: the system's (``useradd`` and friends) or a tree's files."""

    root: Path

    @property
    def tree(self) -> bool:
        """Installing into a directory tree, not the running system."""
        return self.root != Path("/")

    def _read(self, name: str) -> list[list[str]]:
        path = self.root / "etc" / name
        if not path.exists():
            return []
        return [line.split(":") for line in path.read_text(encoding="utf-8").splitlines() if line]

    def _write(self, name: str, rows: list[list[str]]) -> None:
        path = self.root / "etc" / name
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text("".join(":".join(r) + "\n" for r in rows), encoding="utf-8")
        path.chmod(0o640 if name in ("shadow", "gshadow") else 0o644)

    def ids(self, user: str) -> tuple[int, int] | None:
        """The uid and gid of ``user``, or None."""
        if not self.tree:
            try:
                import pwd  # noqa: PLC0415 - Unix only, as the installer is

                entry = pwd.getpwnam(user)
            except KeyError:
                return None
            return entry.pw_uid, entry.pw_gid
        for row in self._read("passwd"):
            if row[0] == user:
                return int(row[2]), int(row[3])
        return None

    def gid(self, group: str) -> int | None:
        """The gid of ``group``, or None."""
        if not self.tree:
            try:
                import grp  # noqa: PLC0415

                return grp.getgrnam(group).gr_gid
            except KeyError:
                return None
        for row in self._read("group"):
            if row[0] == group:
                return int(row[2])
        return None

    def ensure_group(self, group: str) -> int:
        """The system group ``group``, made if missing; its gid."""
        gid = self.gid(group)
        if gid is not None:
            return gid
        if not self.tree:
            _run(["groupadd", "--system", group])
            gid = self.gid(group)
            assert gid is not None
            return gid
        rows = self._read("group")
        used = {int(r[2]) for r in rows} | {int(r[3]) for r in self._read("passwd")}
        gid = next(n for n in range(999, 99, -1) if n not in used)
        self._write("group", [*rows, [group, "x", str(gid), ""]])
        gshadow = self._read("gshadow")
        if gshadow or (self.root / "etc" / "gshadow").exists():
            self._write("gshadow", [*gshadow, [group, "!", "", ""]])
        return gid

    def ensure_user(self, user: str, gid: int, home: str) -> tuple[int, int]:
        """The system user ``user`` (primary group ``gid``, no login); its uid and gid."""
        found = self.ids(user)
        if found is not None:
            return found
        if not self.tree:
            _run(["useradd", "--system", "--gid", str(gid), "--home-dir", home,
                  "--no-create-home", "--shell", NOLOGIN, user])  # fmt: skip
            made = self.ids(user)
            assert made is not None
            return made
        rows = self._read("passwd")
        used = {int(r[2]) for r in rows}
        uid = gid if gid not in used else next(n for n in range(999, 99, -1) if n not in used)
        self._write(
            "passwd", [*rows, [user, "x", str(uid), str(gid), "hiitd coach", home, NOLOGIN]]
        )
        shadow = self._read("shadow")
        if shadow or (self.root / "etc" / "shadow").exists():
            self._write("shadow", [*shadow, [user, "!", "", "", "", "", "", "", ""]])
        return uid, gid

    def members(self, group: str) -> list[str]:
        """The supplementary members of ``group``."""
        if not self.tree:
            try:
                import grp  # noqa: PLC0415

                return list(grp.getgrnam(group).gr_mem)
            except KeyError:
                return []
        for row in self._read("group"):
            if row[0] == group:
                return [m for m in row[3].split(",") if m]
        return []

    def add_to(self, user: str, group: str) -> bool:
        """Put ``user`` in ``group`` (made if missing); True when it was not in it yet."""
        self.ensure_group(group)
        if user in self.members(group):
            return False
        if not self.tree:
            _run(["usermod", "--append", "--groups", group, user])
            return True
        rows = self._read("group")
        for row in rows:
            if row[0] == group:
                row[3] = ",".join([*[m for m in row[3].split(",") if m], user])
        self._write("group", rows)
        return True

    def remove(self, user: str, group: str) -> None:
        """Delete the user and its group (``--purge``)."""
        if not self.tree:
            if self.ids(user) is not None:
                _run(["userdel", user])
            if self.gid(group) is not None:
                _run(["groupdel", group])
            return
        for name, key in (("passwd", user), ("shadow", user)):
            self._write_if(name, [r for r in self._read(name) if r[0] != key])
        for name in ("group", "gshadow"):
            rows = [r for r in self._read(name) if r[0] != group]
            for r in rows:
                last = 3
                if len(r) > last:
                    r[last] = ",".join(m for m in r[last].split(",") if m and m != user)
            self._write_if(name, rows)

    def _write_if(self, name: str, rows: list[list[str]]) -> None:
        if (self.root / "etc" / name).exists():
            self._write(name, rows)


def _run(cmd: list[str]) -> None:
    proc = subprocess.run(cmd, capture_output=True, text=True, check=False)
    if proc.returncode != 0:
        raise InstallError(f"{' '.join(cmd)} failed: {proc.stderr.strip()}")


# ------------------------------------------------------------------ files


@dataclass
class Tree:
    """Paths under the install root, and owners set by number (when we are root)."""

    root: Path

    def path(self, rel: str) -> Path:
        """``rel`` under the root."""
        return self.root / rel

    def own(self, path: Path, uid: int, gid: int, mode: int) -> None:
        """Owner, group and mode of ``path``; owners only when running as root."""
        if os.geteuid() == 0:
            os.chown(path, uid, gid)
        path.chmod(mode)

    def folder(self, rel: str, uid: int, gid: int, mode: int) -> Path:
        """A folder with these owners and mode (made if missing, fixed if not)."""
        path = self.path(rel)
        path.mkdir(parents=True, exist_ok=True)
        self.own(path, uid, gid, mode)
        return path

    def file(self, rel: str, text: str, uid: int, gid: int, mode: int, *, keep: bool) -> bool:
        """A file with this text (``keep``: an existing one is left as it is); True if written."""
        path = self.path(rel)
        path.parent.mkdir(parents=True, exist_ok=True)
        if keep and path.exists():
            self.own(path, uid, gid, mode)
            return False
        tmp = path.with_name(f".{path.name}.new")
        tmp.write_text(text, encoding="utf-8")
        self.own(tmp, uid, gid, mode)
        tmp.replace(path)
        return True


def _login_user(args: argparse.Namespace) -> str | None:
    """The login user to add to group hiitd: --add-user, or asked when run with sudo."""
    if args.add_user:
        return str(args.add_user)
    who = os.environ.get("SUDO_USER")
    if not who or who == "root" or args.root != "/" or not sys.stdin.isatty():
        return None
    answer = input(f"Add {who} to group hiitd, so 'hiitd sessions' works without sudo? [Y/n] ")
    return who if answer.strip().lower() in ("", "y", "yes") else None


def install(args: argparse.Namespace) -> None:
    """Everything in the module docstring."""
    root = Path(args.root)
    accounts, tree = Accounts(root), Tree(root)
    gid = accounts.ensure_group(GROUP)
    uid, gid = accounts.ensure_user(USER, gid, "/" + STATE)
    for extra in EXTRA_GROUPS:
        if accounts.add_to(USER, extra):
            say(f"{USER} joins group {extra}")
    say(f"user {USER} (uid {uid}, gid {gid})")
    tree.folder(STATE, uid, gid, 0o750)
    tree.folder(CONF, 0, gid, 0o750)
    creds = tree.folder(f"{CONF}/credentials", 0, gid, 0o750)
    old = tree.path(f"{CONF}/mqtt_password")
    if old.is_file() and not (creds / "password").exists():  # the old README's place
        old.replace(creds / "password")
        say("moved /etc/hiitd/mqtt_password to /etc/hiitd/credentials/password")
    if (creds / "password").exists():
        tree.own(creds / "password", 0, gid, 0o640)
    example = (REPO / "config" / "hiitd.example.toml").read_text(encoding="utf-8")
    if tree.file(f"{CONF}/hiitd.toml", example, 0, gid, 0o640, keep=True):
        say("wrote /etc/hiitd/hiitd.toml from the example: edit it (mqtt.url, [athlete])")
    else:
        say("kept /etc/hiitd/hiitd.toml")
    unit = (REPO / "systemd" / "hiitd.service").read_text(encoding="utf-8")
    tree.file(UNIT, unit, 0, 0, 0o644, keep=False)
    tree.file(WRAPPER, WRAPPER_TEXT, 0, 0, 0o755, keep=False)
    if not args.no_venv:
        _venv(tree.path(VENV), args.python)
    who = _login_user(args)
    if who is not None and accounts.add_to(who, GROUP):
        say(f"{who} joins group {GROUP} (log in again for it to count)")
    if not accounts.tree and Path("/run/systemd/system").is_dir():
        _run(["systemctl", "daemon-reload"])
    say("done. Next: put the MQTT password (if any) in /etc/hiitd/credentials/password,")
    say("  pair your sensors (hiitd scan; sudo -u hiitd hiitd pair), check with hiitd doctor,")
    say("  then: sudo systemctl enable --now hiitd")


def _venv(venv: Path, python: str) -> None:
    if not (venv / "bin" / "python").exists():
        say(f"making the virtual environment {venv}")
        _run([python, "-m", "venv", str(venv)])
    say("installing hiitd into it (a few minutes on a Pi Zero 2 W)")
    _run([str(venv / "bin" / "pip"), "install", "--quiet", "--upgrade", str(REPO)])


def uninstall(args: argparse.Namespace) -> None:
    """The program, the unit and the command; the data and configuration too with --purge."""
    root = Path(args.root)
    accounts, tree = Accounts(root), Tree(root)
    systemd = not accounts.tree and Path("/run/systemd/system").is_dir()
    if systemd:
        subprocess.run(["systemctl", "disable", "--now", "hiitd"], check=False,
                       capture_output=True)  # fmt: skip
    for rel in (UNIT, WRAPPER):
        tree.path(rel).unlink(missing_ok=True)
    shutil.rmtree(tree.path(VENV), ignore_errors=True)
    if systemd:
        _run(["systemctl", "daemon-reload"])
    if not args.purge:
        say("removed the program; kept /var/lib/hiitd (your sessions) and /etc/hiitd")
        return
    shutil.rmtree(tree.path(STATE), ignore_errors=True)
    shutil.rmtree(tree.path(CONF), ignore_errors=True)
    accounts.remove(USER, GROUP)
    say("removed the program, /var/lib/hiitd, /etc/hiitd and the hiitd user")


def main(argv: list[str] | None = None) -> int:
    """``install`` or ``uninstall``."""
    p = argparse.ArgumentParser(prog="./dev", description=__doc__.split("\n\n")[0])
    sub = p.add_subparsers(dest="action", required=True)
    i = sub.add_parser("install", help="install or upgrade hiitd as a system service")
    i.add_argument("--root", default="/", help="install into this tree instead of /")
    i.add_argument("--add-user", metavar="NAME", help="put this login user in group hiitd")
    i.add_argument("--no-venv", action="store_true", help="no virtual environment in /opt/hiitd")
    i.add_argument("--python", default=sys.executable, help="the Python for the venv")
    u = sub.add_parser("uninstall", help="remove hiitd (the data stays unless --purge)")
    u.add_argument("--root", default="/", help="the tree installed into")
    u.add_argument("--purge", action="store_true", help="also the data, configuration and user")
    args = p.parse_args(argv)
    if sys.version_info < (3, 11):  # noqa: UP036 - it runs on the system's Python, any version
        sys.stderr.write("install: hiitd needs Python 3.11 or newer (Raspberry Pi OS bookworm)\n")
        return 1
    if args.root == "/" and os.geteuid() != 0:
        sys.stderr.write("install: run it as root: sudo ./dev install\n")
        return 1
    try:
        install(args) if args.action == "install" else uninstall(args)
    except InstallError as exc:
        sys.stderr.write(f"install: {exc}\n")
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
