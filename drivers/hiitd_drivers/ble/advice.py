"""What to tell the user when Bluetooth fails: plain text keyed by D-Bus error names (pure).

``bleak_errors`` matches bleak's exception *types*; the D-Bus error *names* BlueZ
returns (org.bluez.Error.*, BlueZ doc/org.bluez.Adapter.rst and
org.bluez.Device.rst) are looked up here, so the wording is tested without bleak.
"""

from __future__ import annotations

from typing import Final

from hiitd_drivers.samples import Role

__all__ = [
    "ADAPTER_DOWN_ERRORS",
    "NOT_AVAILABLE_ADVICE",
    "NO_DBUS_ADVICE",
    "TIMEOUT_ADVICE",
    "dbus_advice",
    "not_found_advice",
]

_DBUS_ADVICE: Final[dict[str, str]] = {
    "org.bluez.Error.NotReady": "the adapter is powered off: run 'bluetoothctl power on' "
    "(and 'rfkill unblock bluetooth' if it is soft-blocked)",
    "org.bluez.Error.InProgress": "another scan or connection is running on the adapter "
    "(the other sensor, or another program); retrying",
    "org.freedesktop.DBus.Error.ServiceUnknown": "bluetoothd is not running: "
    "'sudo systemctl start bluetooth'",
    "org.freedesktop.DBus.Error.AccessDenied": "D-Bus refused access to BlueZ: run hiitd as a "
    "user in the 'bluetooth' group",
}

# Errors that mean the adapter (not the sensor) is unusable right now.
ADAPTER_DOWN_ERRORS: Final = frozenset(
    {
        "org.bluez.Error.NotReady",
        "org.freedesktop.DBus.Error.ServiceUnknown",
        "org.freedesktop.DBus.Error.AccessDenied",
    }
)

NO_DBUS_ADVICE: Final = (
    "is dbus running and /run/dbus/system_bus_socket reachable (bind-mount it in a container)?"
)

NOT_AVAILABLE_ADVICE: Final = (
    "check 'bluetoothctl show' (Powered: yes), 'rfkill list', and that bluetoothd is running"
)

TIMEOUT_ADVICE: Final = "timed out talking to the sensor (out of range or asleep?)"


def dbus_advice(error_name: str) -> str:
    """Return what to do about a BlueZ/D-Bus error name; a generic pointer when unknown."""
    return _DBUS_ADVICE.get(error_name, "see 'journalctl -u bluetooth'")


def not_found_advice(role: Role) -> str:
    """Return how to get a sensor of ``role`` advertising again."""
    wake = (
        "wear it (moist electrodes wake a strap)"
        if role is Role.HR
        else "walk a few steps to wake the pod"
    )
    return f"{wake}, keep it near the Pi, and check it is not connected to a phone or watch"
