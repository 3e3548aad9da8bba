"""The drivers' error hierarchy: one root, messages that say what to do."""

from __future__ import annotations


class DriverError(Exception):
    """Root of every error raised by ``hiitd_drivers``."""


class GattParseError(DriverError, ValueError):
    """A GATT payload is malformed (truncated, flags announcing absent fields, ...).

    The only exception a parser in ``hiitd_drivers.gatt`` may raise. Carries the
    characteristic and the raw bytes so the driver can count, log and drop it.
    """

    def __init__(self, uuid: str, payload: bytes, reason: str) -> None:
        self.uuid = uuid
        self.payload = bytes(payload)
        self.reason = reason
        super().__init__(f"malformed {uuid} payload {self.payload.hex() or '(empty)'}: {reason}")


class BleError(DriverError):
    """A Bluetooth operation failed; the message carries advice for the user."""


class AdapterUnavailableError(BleError):
    """BlueZ is not running, the adapter is missing or powered off."""


class SensorNotFoundError(BleError):
    """No advertising device matched the role's binding within the scan time."""


class ReplayError(DriverError):
    """A recorded activity cannot be replayed: not a FIT activity, corrupt or truncated.

    ``path`` names the file and ``reason`` says what is wrong with it.
    """

    def __init__(self, path: str, reason: str) -> None:
        self.path = path
        self.reason = reason
        super().__init__(f"{path}: cannot replay: {reason}")
