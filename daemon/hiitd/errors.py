"""The daemon's error hierarchy: one root, messages that say what to do."""

from __future__ import annotations


class HiitdError(Exception):
    """Root of every error raised by ``hiitd``."""


class ConfigError(HiitdError):
    """The configuration is invalid; start-up stops with exit status 78 (EX_CONFIG)."""


class MqttError(HiitdError):
    """The broker could not be reached, refused us, or the link broke."""


class WorkoutError(HiitdError):
    """A workout (file or built-in) is invalid; it is rejected whole.

    ``source`` names the file and ``position`` where in it (``line 12``,
    ``step 4``, ``<IntervalsT> #2``), so the message points at the mistake.
    """

    def __init__(
        self, message: str, *, source: str | None = None, position: str | None = None
    ) -> None:
        self.reason = message
        self.source = source
        self.position = position
        where = ", ".join(p for p in (source, position) if p)
        super().__init__(f"{where}: {message}" if where else message)


class StoreError(HiitdError):
    """The session store (SQLite in the state directory) could not be read or written.

    The message names the file and what to check (free space, permissions, a
    damaged file). The recorder keeps coaching in memory and retries.
    """
