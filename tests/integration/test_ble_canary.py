"""Conformance canary: bleak's real BlueZ backend against the emulated BlueZ does what hiitd needs.

Mocks always agree with the code written against them; this runs the
installed bleak unmodified over a real dbus-daemon, so a bleak upgrade that
changes how it scans, connects or delivers notifications fails here first.
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any

import pytest
from bleak import BleakClient, BleakScanner

from ble_emulator.devices import (
    BATTERY_LEVEL,
    FOOTPOD_ADDRESS,
    HR_MEASUREMENT,
    HRS,
    RSCS,
    STRAP_ADDRESS,
    STRAP_NAME,
    footpod,
    strap,
)

if TYPE_CHECKING:
    from ble_emulator import EmulatedBlueZ

pytestmark = pytest.mark.integration

BLUEZ = {"adapter": "hci0"}


async def test_scan_sees_advertising_devices_with_name_rssi_and_services(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """BleakScanner.discover returns each advertising device with name, RSSI and UUIDs."""
    bluez.add(strap(hr_frames))
    bluez.add(footpod())
    found = await BleakScanner.discover(timeout=0.6, return_adv=True, bluez=BLUEZ)
    by_address = {d.address: (d, adv) for d, adv in found.values()}
    assert set(by_address) == {STRAP_ADDRESS, FOOTPOD_ADDRESS}
    device, adv = by_address[STRAP_ADDRESS]
    assert device.name == adv.local_name == STRAP_NAME
    assert adv.service_uuids == [HRS]
    assert -70 < adv.rssi < -50
    assert by_address[FOOTPOD_ADDRESS][1].service_uuids == [RSCS]
    assert not bluez.adapter.discovering, "bleak stopped its discovery session"


async def test_connect_read_and_notify_through_the_real_backend(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Connect resolves the GATT tree; reads work; StartNotify delivers frames in order."""
    bluez.add(strap(hr_frames))
    device = await BleakScanner.find_device_by_address(STRAP_ADDRESS, timeout=2, bluez=BLUEZ)
    assert device is not None
    got: list[bytes] = []
    lost = asyncio.Event()
    async with BleakClient(device, disconnected_callback=lambda _c: lost.set()) as client:
        chars = {c.uuid: c for c in client.services.characteristics.values()}
        assert chars[HR_MEASUREMENT].properties == ["notify"]
        assert chars[HR_MEASUREMENT].handle == 0x000D, "handles come from the object paths"
        assert await client.read_gatt_char(chars[BATTERY_LEVEL]) == b"\x55"
        await client.start_notify(chars[HR_MEASUREMENT], lambda _c, data: got.append(bytes(data)))
        while len(got) < 3:
            await asyncio.sleep(0.05)
        await client.stop_notify(chars[HR_MEASUREMENT])
    assert got[:3] == [bytes.fromhex(f["hex"]) for f in hr_frames[:3]]
    assert lost.is_set(), "our own disconnect also calls the disconnected callback"


async def test_a_link_lost_by_the_peripheral_calls_the_disconnected_callback(
    bluez: EmulatedBlueZ, hr_frames: list[dict[str, Any]]
) -> None:
    """Connected=false from BlueZ reaches disconnected_callback and is_connected turns false."""
    sensor = bluez.add(strap(hr_frames))
    device = await BleakScanner.find_device_by_address(STRAP_ADDRESS, timeout=2, bluez=BLUEZ)
    assert device is not None
    lost = asyncio.Event()
    client = BleakClient(device, disconnected_callback=lambda _c: lost.set())
    await client.connect()
    sensor.drop_link()
    async with asyncio.timeout(2):
        await lost.wait()
    assert not client.is_connected
    await client.disconnect()
