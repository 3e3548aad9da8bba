"""bleak's and D-Bus's errors, translated at the adapter boundary into ``BleError`` with advice.

``advice`` holds the wording, keyed by D-Bus error name; here only bleak's
exception *types* are matched, so the rest of hiitd never sees a bleak error.
"""

from __future__ import annotations

from typing import Final

from bleak.exc import BleakBluetoothNotAvailableError, BleakDBusError, BleakError

from hiitd_drivers.ble.advice import (
    ADAPTER_DOWN_ERRORS,
    NO_DBUS_ADVICE,
    NOT_AVAILABLE_ADVICE,
    TIMEOUT_ADVICE,
    dbus_advice,
)
from hiitd_drivers.driver_errors import AdapterUnavailableError, BleError

__all__ = ["BLE_FAILURES", "translate_error"]

# What bleak and dbus-fast raise at this boundary. OSError covers a missing
# system bus socket (FileNotFoundError, ConnectionRefusedError) and, in 3.11,
# TimeoutError; EOFError is dbus-fast losing the bus mid-call.
BLE_FAILURES: Final = (BleakError, OSError, EOFError)


def translate_error(exc: BaseException, *, adapter: str) -> BleError:
    """Return the ``BleError`` (with advice) that stands for a bleak/D-Bus failure."""
    if isinstance(exc, BleError):
        return exc
    if isinstance(exc, BleakBluetoothNotAvailableError):
        return AdapterUnavailableError(f"{exc.args[0]} ({adapter}): {NOT_AVAILABLE_ADVICE}")
    if isinstance(exc, BleakDBusError):
        advice = dbus_advice(exc.dbus_error)
        if exc.dbus_error in ADAPTER_DOWN_ERRORS:
            return AdapterUnavailableError(f"{exc} on {adapter}: {advice}")
        return BleError(f"{exc}: {advice}")
    if isinstance(exc, OSError | EOFError) and not isinstance(exc, TimeoutError):
        why = _bus_failure(exc)
        return AdapterUnavailableError(f"cannot reach BlueZ over D-Bus: {why}; {NO_DBUS_ADVICE}")
    return BleError(TIMEOUT_ADVICE if isinstance(exc, TimeoutError) else str(exc) or repr(exc))


def _bus_failure(exc: OSError | EOFError) -> str:
    """What went wrong with the bus, in words ("no system bus socket"), not a repr."""
    if isinstance(exc, FileNotFoundError):
        return "no system bus socket"
    if isinstance(exc, ConnectionRefusedError):
        return "the system bus refused the connection"
    if isinstance(exc, PermissionError):
        return "not allowed on the system bus"
    if isinstance(exc, EOFError):
        return "the bus connection closed"
    return exc.strerror or str(exc) or type(exc).__name__
