"""Scanning with bleak: the one-off ``scan`` behind ``hiitd scan``, and bleak's scan arguments.

``scanner_class`` is used through the two ``BleakScanner`` classmethods we rely
on (``discover``, ``find_device_by_filter``; ``tests/unit/test_bleak_canary.py``
checks they still exist), so tests inject a fake instead of patching bleak.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from bleak import BleakScanner

from hiitd_drivers.binding import ROLE_SERVICE, ScanResult, scan_result, sort_by_signal
from hiitd_drivers.ble.bleak_errors import BLE_FAILURES, translate_error

if TYPE_CHECKING:
    from bleak.backends.device import BLEDevice
    from bleak.backends.scanner import AdvertisementData

__all__ = ["scan", "scan_args", "to_scan_result"]


def to_scan_result(device: BLEDevice, adv: AdvertisementData) -> ScanResult:
    """Return the pure view of one advertisement (the local name, else BlueZ's alias)."""
    return scan_result(device.address, adv.local_name or device.name, adv.rssi, adv.service_uuids)


def scan_args(adapter: str, services: list[str]) -> BleakScanner.ExtraArgs:
    """Return bleak's keyword arguments for a scan for ``services`` on ``adapter``."""
    # bleak 3 deprecates the adapter= keyword (a DeprecationWarning, an error
    # under our filterwarnings) in favour of bluez={"adapter": ...}.
    return {"service_uuids": services, "bluez": {"adapter": adapter}}


async def scan(
    *, adapter: str, timeout_s: float, scanner_class: type[BleakScanner] = BleakScanner
) -> list[ScanResult]:
    """Return heart-rate straps and footpods advertising within ``timeout_s``, strongest first.

    Raises ``AdapterUnavailableError`` or ``BleError`` with advice.
    """
    try:
        extra = scan_args(adapter, list(ROLE_SERVICE.values()))
        found = await scanner_class.discover(timeout=timeout_s, return_adv=True, **extra)
    except BLE_FAILURES as exc:
        raise translate_error(exc, adapter=adapter) from exc
    return sort_by_signal(to_scan_result(d, ad) for d, ad in found.values())
