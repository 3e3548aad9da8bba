"""A private ``dbus-daemon`` configured like the system bus, for the emulated BlueZ.

bleak connects with ``MessageBus(bus_type=BusType.SYSTEM)``; dbus-fast reads
``DBUS_SYSTEM_BUS_ADDRESS`` when that bus object is built (every connect), so
pointing the variable at this daemon (``monkeypatch.setenv`` in process, the
``env`` of a subprocess) puts bleak on the emulator without touching bleak.
"""

from __future__ import annotations

import shutil
import subprocess
import tempfile
import time
from dataclasses import dataclass, field
from pathlib import Path

_START_TIMEOUT_S = 10.0

# Like /usr/share/dbus-1/system.conf (type system, EXTERNAL auth only) but with
# one permissive policy: this bus exists for one test, and BlueZ's own policy
# file (which lets only root own org.bluez) is not what is under test.
_CONFIG = """<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
<busconfig>
  <type>system</type>
  <listen>unix:path={socket}</listen>
  <auth>EXTERNAL</auth>
  <policy context="default">
    <allow user="*"/>
    <allow own="*"/>
    <allow send_type="method_call"/>
    <allow send_type="signal"/>
    <allow send_requested_reply="true" send_type="method_return"/>
    <allow send_requested_reply="true" send_type="error"/>
    <allow receive_type="method_call"/>
    <allow receive_type="method_return"/>
    <allow receive_type="error"/>
    <allow receive_type="signal"/>
    <allow send_destination="*"/>
  </policy>
</busconfig>
"""


@dataclass
class PrivateBus:
    """One ``dbus-daemon`` process; ``address`` is what DBUS_SYSTEM_BUS_ADDRESS should say."""

    executable: str
    # Short on purpose: a unix socket path must fit in 108 bytes, pytest's
    # tmp_path often does not.
    workdir: Path = field(default_factory=lambda: Path(tempfile.mkdtemp(prefix="hiitd-dbus-")))
    _proc: subprocess.Popen[bytes] | None = None

    @property
    def socket(self) -> Path:
        """The bus socket."""
        return self.workdir / "system_bus_socket"

    @property
    def address(self) -> str:
        """``unix:path=...``, the value for DBUS_SYSTEM_BUS_ADDRESS."""
        return f"unix:path={self.socket}"

    def start(self) -> None:
        """Start the daemon and return once its socket accepts connections."""
        conf = self.workdir / "system.conf"
        conf.write_text(_CONFIG.format(socket=self.socket), encoding="utf-8")
        self._proc = subprocess.Popen(
            [self.executable, f"--config-file={conf}", "--nofork", "--nopidfile"],
            stdout=subprocess.DEVNULL,
            stderr=subprocess.PIPE,
        )
        deadline = time.monotonic() + _START_TIMEOUT_S
        while time.monotonic() < deadline:
            if self._proc.poll() is not None:
                err = self._proc.communicate()[1].decode(errors="replace")
                raise RuntimeError(f"dbus-daemon exited at start: {err}")
            if self.socket.exists():
                return
            time.sleep(0.01)
        self.stop()
        raise RuntimeError(f"dbus-daemon did not create {self.socket} in {_START_TIMEOUT_S} s")

    def stop(self) -> None:
        """Terminate the daemon and remove its folder."""
        if self._proc is not None:
            self._proc.terminate()
            try:
                self._proc.wait(5)
            except subprocess.TimeoutExpired:
                self._proc.kill()
                self._proc.wait(5)
            if self._proc.stderr:
                self._proc.stderr.close()
            self._proc = None
        shutil.rmtree(self.workdir, ignore_errors=True)
