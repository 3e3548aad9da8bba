"""Decode: a million mixed 0x2A37 / 0x2A53 payloads through hiitd's parsers, in ns each.

The heart-rate frames are the FR630-derived notifications in
``/work/shared/data/ble`` (real RR series, flags 0x16) plus the shared test vectors'
variants (uint16 value, energy, no contact); the RSC frames are encoded from a
simulated 5 km run in the three layouts pods send (no options, stride, stride and
distance). They alternate one heart-rate frame per two RSC frames, the rates of
a real strap (1 Hz) and pod (2 Hz).

The same heart-rate frames also go through pycycling's parser and bumble's
``HeartRateMeasurement.from_bytes``: neither has an RSC parser, so the ratios are
on the heart-rate frames alone (and hiitd's figure for those is measured apart).
Figures are the median of several runs.
"""

from __future__ import annotations

import json
import statistics
import time
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiitd_drivers.gatt.encode import encode_heart_rate, encode_rsc
from hiitd_drivers.gatt.heart_rate import parse_heart_rate
from hiitd_drivers.gatt.rsc import parse_rsc

from .common import say, target, write_result

if TYPE_CHECKING:
    from collections.abc import Callable

FR630 = Path("/work/shared/data/ble/derived_hrm_notifications_from_FR630_rr.json")
TOTAL = 1_000_000
RUNS = 5
TARGET_RATIO = 1.5


def heart_rate_frames() -> list[bytes]:
    """Realistic 0x2A37 frames: the FR630 series, else frames encoded alike."""
    if FR630.exists():
        doc = json.loads(FR630.read_text(encoding="utf-8"))
        frames = [bytes.fromhex(f["hex"]) for f in doc["frames"]]
    else:
        frames = [
            encode_heart_rate(110 + i % 60, contact=True, rr_raw=(560 - i % 60,) * (1 + i % 2))
            for i in range(2000)
        ]
    # A few other layouts straps send: uint16 value, energy expended, no contact support.
    extra = [
        encode_heart_rate(150, contact=True, energy_kj=300 + i, rr_raw=(400, 402))
        for i in range(len(frames) // 20)
    ]
    extra += [encode_heart_rate(140, rr_raw=(420,), force_uint16=True)] * (len(frames) // 20)
    return frames + extra


def rsc_frames(n: int) -> list[bytes]:
    """0x2A53 frames of a steady run in the three common layouts."""
    out = []
    for i in range(n):
        speed = 2.8 + (i % 120) / 100
        distance = i * 1.6
        match i % 3:
            case 0:
                out.append(encode_rsc(speed, 172))
            case 1:
                out.append(encode_rsc(speed, 174, stride_m=1.2 + (i % 20) / 100))
            case _:
                out.append(encode_rsc(speed, 176, stride_m=1.25, distance_m=distance % 400_000))
    return out


def mixed(total: int) -> tuple[list[tuple[str, bytes]], list[bytes]]:
    """``total`` (uuid, payload) pairs, one heart rate to two RSC; and the HR frames alone."""
    hr = heart_rate_frames()
    rsc = rsc_frames(2 * len(hr))
    pairs: list[tuple[str, bytes]] = []
    i = 0
    while len(pairs) < total:
        pairs.append(("2a37", hr[i % len(hr)]))
        pairs.append(("2a53", rsc[(2 * i) % len(rsc)]))
        pairs.append(("2a53", rsc[(2 * i + 1) % len(rsc)]))
        i += 1
    del pairs[total:]
    return pairs, [p for u, p in pairs if u == "2a37"]


def ns_per_call(cases: dict[str, Callable[[], int]], runs: int = RUNS) -> dict[str, float]:
    """Median over ``runs`` of the nanoseconds per payload of each case.

    The cases take turns within each run, so a busy neighbour on the machine
    slows them alike and the ratios stay fair.
    """
    times: dict[str, list[float]] = {name: [] for name in cases}
    for _ in range(runs):
        for name, run in cases.items():
            t = time.perf_counter_ns()
            n = run()
            times[name].append((time.perf_counter_ns() - t) / n)
    return {name: statistics.median(ns) for name, ns in times.items()}


def hiitd_mixed(pairs: list[tuple[str, bytes]]) -> Callable[[], int]:
    """hiitd's parsers as a driver calls them: dispatch on the characteristic."""
    parsers: dict[str, Callable[[bytes], object]] = {"2a37": parse_heart_rate, "2a53": parse_rsc}

    def run() -> int:
        for uuid, payload in pairs:
            parsers[uuid](payload)
        return len(pairs)

    return run


def each(parse: Callable[[bytes], object], frames: list[bytes]) -> Callable[[], int]:
    """``parse`` over every frame."""

    def run() -> int:
        for payload in frames:
            parse(payload)
        return len(frames)

    return run


def competitors() -> dict[str, Callable[[bytes], object]]:
    """The other parsers installed (the ``bench`` extra), by name."""
    found: dict[str, Callable[[bytes], object]] = {}
    try:
        from pycycling.heart_rate_service import (  # noqa: PLC0415
            _parse_hr_measurement,
        )
    except ImportError:
        say("  pycycling not installed (pip install -e '.[bench]'): skipped")
    else:
        found["pycycling"] = _parse_hr_measurement
    try:
        from bumble.profiles.heart_rate_service import HeartRateService  # noqa: PLC0415
    except ImportError:
        say("  bumble not installed (pip install -e '.[bench]'): skipped")
    else:
        found["bumble"] = HeartRateService.HeartRateMeasurement.from_bytes
    return found


def main(total: int = TOTAL) -> dict[str, Any]:
    """Run, print, return the JSON document."""
    pairs, hr = mixed(total)
    say(f"decode: {len(pairs):,} payloads ({len(hr):,} 0x2A37, {len(pairs) - len(hr):,} 0x2A53)")
    cases = {"hiitd_mixed": hiitd_mixed(pairs), "hiitd_hr": each(parse_heart_rate, hr)}
    cases |= {name: each(parse, hr) for name, parse in competitors().items()}
    ns = ns_per_call(cases)
    hiitd_hr = ns["hiitd_hr"]
    say(f"  hiitd mixed: {ns['hiitd_mixed']:.0f} ns/payload")
    say(f"  hiitd 0x2A37 only: {hiitd_hr:.0f} ns/payload")
    ratios = {}
    for name in cases.keys() - {"hiitd_mixed", "hiitd_hr"}:
        ratios[name] = ns[name] / hiitd_hr
        say(f"  {name} 0x2A37: {ns[name]:.0f} ns/payload, hiitd {ratios[name]:.2f}x faster")
    targets = []
    if ratios:
        targets.append(
            target(
                "hiitd / fastest other (x faster)", min(ratios.values()), TARGET_RATIO, below=False
            )
        )
    return {
        "payloads": len(pairs),
        "hr_payloads": len(hr),
        "runs": RUNS,
        "ns_per_payload": ns,
        "hiitd_x_faster": ratios,
        "targets": targets,
    }


if __name__ == "__main__":
    write_result("decode", main())
