"""Latency: samples at the driver boundary to MQTT messages at a subscriber, real mosquitto.

The real ``supervise()`` (queue, telemetry, coach, recording, outbox, MqttLink)
runs with a source that plays a chest strap notifying at 50 Hz: each
notification is a real encoded 0x2A37 payload, stamped on arrival, then decoded
and converted as the BLE driver does. A mosquitto on loopback (started here, on
a free port) carries ``hr`` to a subscriber in the same process. Every 2 s the
heart rate jumps above the configured safety ceiling (170) for 1 s: with no
hold and a near-instant smoothing window, the jump's first sample makes the
engine say ``safety_hr_ceiling``, which goes the durable way (SQLite outbox,
QoS 1) to ``session/cue``.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import TYPE_CHECKING, Any

from hiitd.coach.coach_config import CoachConfig
from hiitd_drivers.convert import heart_rate_sample
from hiitd_drivers.gatt.encode import encode_heart_rate
from hiitd_drivers.gatt.heart_rate import parse_heart_rate
from hiitd_drivers.samples import Link, LinkSample, Role

from .common import latency_summary, mosquitto, say, target, write_result
from .harness import Athlete, Emit, quiet_logs, run_daemons

if TYPE_CHECKING:
    from collections.abc import Callable

RATE_HZ = 50
SECONDS = 60.0
CEILING = 170
TARGET_TELEMETRY_MS = 5.0
TARGET_CUE_MS = 10.0

COACH = CoachConfig(
    countdown_s=0,
    autopause=False,
    safety_ceiling_bpm=CEILING,
    safety_hold_s=0,
    safety_repeat_s=1.5,  # once per 2 s burst
    hr_window_s=0.01,  # the last sample only: the burst's first sample crosses
)


def strap(athlete: Athlete, rate_hz: float, clock_now: Callable[[], float]) -> Any:
    """A source: a strap at ``rate_hz``, 1 s at 140-150 bpm then 1 s at 200."""
    period = 1 / rate_hz
    frames = [
        encode_heart_rate(200 if (i // rate_hz) % 2 else 140 + i % 10, contact=True, rr_raw=(430,))
        for i in range(int(2 * rate_hz))
    ]

    async def source(emit: Emit, target: Callable[[float], float]) -> None:
        del target
        loop = asyncio.get_running_loop()
        emit(LinkSample(clock_now(), Role.HR, Link.UP, "5E:00:00:00:00:01", "bench", "bench"))
        start = loop.time()
        i = 0
        while True:
            i += 1
            await asyncio.sleep(max(0.0, start + i * period - loop.time()))
            payload = frames[i % len(frames)]
            m = parse_heart_rate(payload)
            athlete.stamp(m.bpm)
            emit(heart_rate_sample(m, clock_now()))

    return source


async def measure(seconds: float, rate_hz: float) -> dict[str, Any]:
    """Start a broker and one daemon, return the latency figures."""
    from hiitd_drivers.clock import MonotonicClock  # noqa: PLC0415

    now = MonotonicClock().now
    with tempfile.TemporaryDirectory() as tmp, mosquitto(Path(tmp)) as broker:
        athlete = Athlete("bench", cue_kinds=("safety_hr_ceiling",))
        await run_daemons(
            broker.url,
            Path(tmp),
            {athlete.id: athlete},
            {athlete.id: strap(athlete, rate_hz, now)},
            coach=COACH,
            seconds=seconds,
            workout="norwegian-4x4",
        )
    return {
        "telemetry": latency_summary(athlete.hr_ms),
        "cue": latency_summary(athlete.cue_ms),
        "mismatched": athlete.mismatched,
    }


def main(seconds: float = SECONDS, rate_hz: float = RATE_HZ) -> dict[str, Any]:
    """Run, print, return the JSON document."""
    quiet_logs()
    say(f"latency: {rate_hz:g} Hz heart-rate samples for {seconds:g} s through mosquitto")
    r = asyncio.run(measure(seconds, rate_hz))
    tel, cue = r["telemetry"], r["cue"]
    say(
        f"  telemetry (hr): {tel['count']} messages, p50 {tel.get('p50_ms')} ms,"
        f" p99 {tel.get('p99_ms')} ms, max {tel.get('max_ms')} ms"
    )
    say(
        f"  cue (safety_hr_ceiling): {cue['count']} cues, p50 {cue.get('p50_ms')} ms,"
        f" p99 {cue.get('p99_ms')} ms, max {cue.get('max_ms')} ms"
    )
    if r["mismatched"]:
        say(f"  {r['mismatched']} hr messages did not match their sample (dropped?)")
    targets = []
    if tel["count"]:
        targets.append(target("telemetry p99 (ms)", tel["p99_ms"], TARGET_TELEMETRY_MS))
    if cue["count"]:
        targets.append(target("cue p99 (ms)", cue["p99_ms"], TARGET_CUE_MS))
    return {"rate_hz": rate_hz, "seconds": seconds, **r, "targets": targets}


if __name__ == "__main__":
    write_result("latency", main())
