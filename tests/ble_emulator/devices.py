"""The emulated sensors: two chest straps and a footpod, with real GATT layouts and frames."""

from __future__ import annotations

import itertools
import json
import struct
from typing import TYPE_CHECKING

from .peripheral import Char, Peripheral, Service

if TYPE_CHECKING:
    from collections.abc import Iterator
    from pathlib import Path


def u16(short: int) -> str:
    """The full 128-bit form of a 16-bit SIG UUID, as BlueZ reports it."""
    return f"{short:08x}-0000-1000-8000-00805f9b34fb"


HRS, RSCS, BAS, DIS = u16(0x180D), u16(0x1814), u16(0x180F), u16(0x180A)
HR_MEASUREMENT, BODY_SENSOR_LOCATION = u16(0x2A37), u16(0x2A38)
RSC_MEASUREMENT, RSC_FEATURE, BATTERY_LEVEL = u16(0x2A53), u16(0x2A54), u16(0x2A19)

STRAP_ADDRESS = "C4:7F:51:0E:8A:11"
STRAP_NAME = "Polar H10 0E8A11"
OTHER_STRAP_ADDRESS = "E8:2A:11:90:33:42"
OTHER_STRAP_NAME = "Polar H10 903342"
FOOTPOD_ADDRESS = "D1:5C:A3:22:01:7B"
FOOTPOD_NAME = "Stryd 01"

# Flags 0x04: contact supported, not detected (HRS v1.0 §3.1.1.3); the strap still
# sends a (meaningless) value. A strap without contact detection sends 0 bpm instead.
NO_CONTACT_FRAME = bytes([0x04, 72])
ZERO_BPM_FRAME = bytes([0x00, 0])
TRUNCATED_FRAME = bytes([0x11])  # 16-bit HR announced, no HR bytes


def hr_frames(shared_data: Path) -> list[dict[str, object]]:
    """The derived FR630 frames (``hex``, ``hr_bpm``, ``rr_1024``), read in place."""
    path = shared_data / "ble" / "derived_hrm_notifications_from_FR630_rr.json"
    frames: list[dict[str, object]] = json.loads(path.read_text(encoding="utf-8"))["frames"]
    return frames


def _hr_payloads(frames: list[dict[str, object]]) -> Iterator[bytes]:
    return itertools.cycle([bytes.fromhex(str(f["hex"])) for f in frames])


def _dis(handle: int, manufacturer: str, model: str, serial: str, firmware: str) -> Service:
    strings = [(0x2A29, manufacturer), (0x2A24, model), (0x2A25, serial), (0x2A26, firmware)]
    chars = [
        Char(u16(uuid), handle + 1 + 2 * i, ["read"], lambda t=text: t.encode())
        for i, (uuid, text) in enumerate(strings)
    ]
    return Service(DIS, handle, chars)


def _battery(handle: int, level: int) -> Service:
    return Service(
        BAS, handle, [Char(BATTERY_LEVEL, handle + 1, ["read", "notify"], lambda: bytes([level]))]
    )


def strap(
    frames: list[dict[str, object]],
    *,
    address: str = STRAP_ADDRESS,
    name: str = STRAP_NAME,
    rssi: int = -58,
    battery: int = 85,
    interval_s: float = 0.1,
) -> Peripheral:
    """A chest strap: Heart Rate (notify), Battery (read, notify), Device Information."""
    services = [
        Service(
            HRS,
            0x000C,
            [
                Char(HR_MEASUREMENT, 0x000D, ["notify"]),
                Char(BODY_SENSOR_LOCATION, 0x0010, ["read"], lambda: b"\x01"),
            ],
        ),
        _battery(0x0012, battery),
        _dis(0x0016, "Polar Electro Oy", "H10", address.replace(":", "")[-8:], "3.1.1"),
    ]
    return Peripheral(
        address=address,
        name=name,
        services=services,
        advertised_uuids=[HRS],
        frames=_hr_payloads(frames),
        rssi=rssi,
        interval_s=interval_s,
    )


def rsc_frame(speed_mps: float, cadence_spm: int, stride_m: float, distance_m: float) -> bytes:
    """An RSC Measurement with stride, distance and the running bit (RSCS v1.0 §3.1)."""
    return struct.pack(
        "<BHBHI",
        0x07,
        round(speed_mps * 256),
        cadence_spm,
        round(stride_m * 100),
        round(distance_m * 10),
    )


def _rsc_payloads(interval_s: float) -> Iterator[bytes]:
    distance = 0.0
    while True:
        distance += 3.5 * interval_s
        yield rsc_frame(3.5, 176, 1.19, distance)


def footpod(
    *,
    address: str = FOOTPOD_ADDRESS,
    name: str = FOOTPOD_NAME,
    rssi: int = -66,
    interval_s: float = 0.1,
) -> Peripheral:
    """A footpod: RSC Measurement (notify) and RSC Feature (read), Battery."""
    services = [
        Service(
            RSCS,
            0x000C,
            [
                Char(RSC_MEASUREMENT, 0x000D, ["notify"]),
                # Stride length, total distance, walking/running status supported.
                Char(RSC_FEATURE, 0x0010, ["read"], lambda: b"\x07\x00"),
            ],
        ),
        _battery(0x0012, 70),
    ]
    return Peripheral(
        address=address,
        name=name,
        services=services,
        advertised_uuids=[RSCS],
        frames=_rsc_payloads(interval_s),
        rssi=rssi,
        interval_s=interval_s,
    )
