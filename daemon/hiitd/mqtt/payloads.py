"""JSON payloads of the MQTT interface (docs/mqtt.md).

Pure: no I/O, no clock (``ts`` is an argument). Honest data: a missing or
non-finite value is ``null``, never 0 and never a stale value.
"""

from __future__ import annotations

import json
import math
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from hiitd_drivers.samples import FootpodSample, HeartRateSample

ONLINE = b"online"
OFFLINE = b"offline"

# Below this a footpod is "still": pace (s/km) would be huge or infinite and
# meaningless, so it is null. 0.5 m/s is a slow walk (33 min/km).
STILL_SPEED_MPS = 0.5


def _finite(value: float | None, digits: int) -> float | None:
    """``value`` rounded, or None when it is missing, NaN or infinite."""
    if value is None or not math.isfinite(value):
        return None
    return round(value, digits)


def pace_s_per_km(speed_mps: float | None) -> float | None:
    """Seconds per km at ``speed_mps``, or None when still or unknown."""
    if speed_mps is None or not math.isfinite(speed_mps) or speed_mps < STILL_SPEED_MPS:
        return None
    return round(1000.0 / speed_mps, 1)


def hr_payload(sample: HeartRateSample, *, battery: int | None, ts: float) -> dict[str, Any]:
    """``<base>/hr``: ``bpm`` is null when there is no contact (never 0)."""
    bpm = sample.bpm or None
    if sample.contact is False:
        bpm = None
    body: dict[str, Any] = {
        "ts": ts,
        "bpm": bpm,
        "rr_ms": [r for r in (_finite(rr, 1) for rr in sample.rr_ms) if r is not None],
        "contact": sample.contact,
        "battery": battery,
    }
    if sample.rejected:  # what the strap sent was not believed (plausibility gate): say why
        body["rejected"] = [str(r) for r in sample.rejected]
    return body


def footpod_payload(sample: FootpodSample, *, ts: float) -> dict[str, Any]:
    """``<base>/footpod``: ``pace_s_per_km`` is null when the runner stands still."""
    return {
        "ts": ts,
        "speed_mps": _finite(sample.speed_mps, 3),
        "pace_s_per_km": pace_s_per_km(sample.speed_mps),
        "cadence_spm": _finite(sample.cadence_spm, 1),
        "stride_m": _finite(sample.stride_m, 2),
        "distance_m": _finite(sample.distance_m, 1),
    }


def command_result(action: str, ok: bool, error: str | None, ts: float) -> dict[str, Any]:
    """``<base>/cmd/result``: the reply to one command."""
    return {"ts": ts, "action": action, "ok": ok, "error": error}


def encode(obj: Any) -> bytes:
    """Compact UTF-8 JSON.

    Raises ValueError on NaN or infinity: JSON has no such values and
    ``json.dumps`` would otherwise write ``NaN``, which dashboards cannot parse.
    Builders above turn such values into null before they get here.
    """
    return json.dumps(obj, separators=(",", ":"), ensure_ascii=False, allow_nan=False).encode()
