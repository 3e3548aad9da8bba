"""The systemd notify protocol (``Type=notify``, ``WatchdogSec=``).

Twenty lines of datagram socket code, written here rather than taken from the
``sdnotify`` package (unmaintained since 2017) or ``systemd-python`` (needs
libsystemd headers to build on the Pi). Protocol: sd_notify(3).
"""

from __future__ import annotations

import asyncio
import os
import socket

import structlog

log = structlog.get_logger(__name__)


class Notifier:
    """Sends ``READY=1``, ``WATCHDOG=1``, ``STOPPING=1`` when ``NOTIFY_SOCKET`` is set."""

    def __init__(self, environ: dict[str, str] | None = None) -> None:
        env = os.environ if environ is None else environ
        address = env.get("NOTIFY_SOCKET", "")
        # An abstract socket is announced with '@' and addressed with a NUL byte.
        self._address = "\0" + address[1:] if address.startswith("@") else address
        usec = env.get("WATCHDOG_USEC", "")
        pid = env.get("WATCHDOG_PID", "")
        mine = not pid or pid == str(os.getpid())
        self.watchdog_s = int(usec) / 1_000_000 if usec.isdigit() and mine else None

    @property
    def enabled(self) -> bool:
        """Whether systemd asked to be notified."""
        return bool(self._address)

    def notify(self, message: str) -> None:
        """Send one state line; failures are logged, never raised (systemd is advisory)."""
        if not self._address:
            return
        try:
            with socket.socket(socket.AF_UNIX, socket.SOCK_DGRAM) as sock:
                sock.connect(self._address)
                sock.sendall(message.encode())
        except OSError as exc:
            log.warning("sd_notify_failed", message=message, error=str(exc))

    async def watchdog_loop(self) -> None:
        """Ping the watchdog at half its interval while the event loop is alive."""
        if self.watchdog_s is None or not self.enabled:
            return
        while True:
            self.notify("WATCHDOG=1")
            await asyncio.sleep(self.watchdog_s / 2)
