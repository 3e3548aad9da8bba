"""Replay: a one-hour session through parsers, engine, metrics and recording, no network.

A simulated runner (``SimulatedAthlete``, seeded) runs 60 minutes of intervals
(10 min warm-up, 12 x 2 min hard / 1 min easy, 14 min cool-down) and its strap
and pod notifications are generated beforehand as real encoded GATT payloads:
3,600 Heart Rate Measurements with RR and 7,200 RSC Measurements. What is timed
is what the daemon does with them: decode (the real parsers and ``convert``),
``Engine.sample`` and a tick per second, ``RecordBuilder``, ``compute_metrics``,
and one save of the whole session into a ``Store`` in a temporary directory.
"""

from __future__ import annotations

import statistics
import tempfile
import time
from pathlib import Path
from typing import Any

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command
from hiitd.coach.profile import AthleteProfile
from hiitd.coach.workout_model import (
    Duration,
    DurationType,
    Intensity,
    Repeat,
    Step,
    Target,
    TargetType,
    Workout,
)
from hiitd.metrics import compute_metrics
from hiitd.record.record_builder import RecordBuilder
from hiitd.store.db import Store
from hiitd_drivers.convert import footpod_sample, heart_rate_sample
from hiitd_drivers.gatt.heart_rate import parse_heart_rate
from hiitd_drivers.gatt.rsc import parse_rsc
from hiitd_drivers.gatt.uuids import HEART_RATE_MEASUREMENT
from hiitd_drivers.sim_athlete import SimulatedAthlete

from .common import say, target, write_result

HOUR_S = 3600
RUNS = 5
TARGET_S = 0.5


def hour_workout() -> Workout:
    """60 minutes: warm-up, 12 x (2 min hard, 1 min easy), cool-down; speed targets."""

    def step(intensity: Intensity, seconds: float, low: float, high: float) -> Step:
        return Step(
            intensity,
            Duration(DurationType.TIME, seconds),
            Target(TargetType.SPEED, low, high),
        )

    return Workout(
        "bench-hour",
        (
            step(Intensity.WARMUP, 600, 2.6, 3.0),
            Repeat(
                12,
                (step(Intensity.ACTIVE, 120, 4.1, 4.4), step(Intensity.RECOVERY, 60, 2.5, 2.9)),
            ),
            step(Intensity.COOLDOWN, 840, 2.5, 2.9),
        ),
    )


def notifications(workout: Workout) -> list[tuple[float, str, bytes]]:
    """One hour of (t, uuid, payload) from a runner chasing the workout's speed targets."""
    athlete = SimulatedAthlete(seed=8)
    plan: list[tuple[float, float]] = []  # (end s, speed)
    t = 0.0
    for item in workout.items:
        steps = item.steps * item.count if isinstance(item, Repeat) else (item,)
        for s in steps:
            assert isinstance(s, Step)
            assert s.duration.value is not None
            assert s.target.low is not None
            assert s.target.high is not None
            t += s.duration.value
            plan.append((t, (s.target.low + s.target.high) / 2))
    out: list[tuple[float, str, bytes]] = []
    now = 0.0
    while now < HOUR_S:
        now = round(now + 0.25, 2)
        speed = next((v for end, v in plan if now <= end), plan[-1][1])
        out.extend((now, uuid, payload) for uuid, payload in athlete.advance(now, speed))
    return out


def replay_once(
    frames: list[tuple[float, str, bytes]], workout: Workout, state_dir: Path
) -> dict[str, float]:
    """The timed path; returns the wall seconds of its parts."""
    t0 = time.perf_counter()
    profile = AthleteProfile(190, False, 55, 170, 3.9, None)
    engine = Engine(profile, CoachConfig(countdown_s=0), session_prefix="b")
    builder = RecordBuilder(lambda: engine.profile, lambda: engine.steps, lambda t: 1.7e9 + t)
    builder.on_events(engine.command(Command("start", workout), 0.0).events, 0.0)
    next_tick = 1.0
    for t, uuid, payload in frames:
        while next_tick <= t:
            builder.on_events(engine.tick(next_tick), next_tick)
            next_tick += 1.0
        if uuid == HEART_RATE_MEASUREMENT:
            sample = heart_rate_sample(parse_heart_rate(payload), t)
        else:
            sample = footpod_sample(parse_rsc(payload), t)  # type: ignore[assignment]
        builder.on_sample(sample, t)
        builder.on_events(engine.sample(sample, t), t)
    builder.on_events(engine.tick(HOUR_S + 1.0), HOUR_S + 1.0)
    builder.on_events(engine.command(Command("stop"), HOUR_S + 1.0).events, HOUR_S + 1.0)
    record = builder.record()
    assert record is not None
    t1 = time.perf_counter()
    compute_metrics(record)
    t2 = time.perf_counter()
    with Store.open(state_dir) as store:
        store.save(record, durable=True)
    t3 = time.perf_counter()
    return {"total": t3 - t0, "engine": t1 - t0, "metrics": t2 - t1, "store": t3 - t2}


def main() -> dict[str, Any]:
    """Run, print, return the JSON document."""
    workout = hour_workout()
    frames = notifications(workout)
    hr = sum(1 for _, uuid, _ in frames if uuid == HEART_RATE_MEASUREMENT)
    say(f"replay: one hour, {hr:,} heart-rate and {len(frames) - hr:,} footpod notifications")
    runs: list[dict[str, float]] = []
    for _ in range(RUNS):
        with tempfile.TemporaryDirectory() as tmp:
            runs.append(replay_once(frames, workout, Path(tmp)))
    med = {part: statistics.median(r[part] for r in runs) for part in runs[0]}
    say(
        f"  median of {RUNS}: {med['total']:.3f} s ({HOUR_S / med['total']:,.0f}x real time):"
        f" decode+engine+record {med['engine']:.3f} s, metrics {med['metrics']:.3f} s,"
        f" store {med['store']:.3f} s"
    )
    return {
        "hr_notifications": hr,
        "footpod_notifications": len(frames) - hr,
        "runs": RUNS,
        "median_s": med,
        "x_real_time": HOUR_S / med["total"],
        "targets": [target("one hour replayed (s)", med["total"], TARGET_S)],
    }


if __name__ == "__main__":
    write_result("replay", main())
