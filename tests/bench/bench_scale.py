"""Scale: one process coaching 25 simulated athletes at real time, each on its own topics.

25 real ``supervise()`` instances share one event loop (one MQTT connection,
state directory and athlete id each: ``hiitd/<id>/...``), each fed by the
real simulator (a strap at 1 Hz and a pod at 2 Hz) running a built-in
interval workout. Latency is from the simulator handing a heart-rate sample
to the daemon (just after decoding) to the ``hr`` message at a subscriber;
CPU is the whole process's (daemons, simulators and the subscriber) over the
measured period, as a share of one core.
"""

from __future__ import annotations

import asyncio
import tempfile
from pathlib import Path
from typing import Any

from hiitd.coach.coach_config import CoachConfig
from hiitd.runtime.sensor_sources import athlete_model
from hiitd_drivers.clock import MonotonicClock
from hiitd_drivers.samples import HeartRateSample, Sample
from hiitd_drivers.sim import SimulatedAthlete, run_simulation

from .common import latency_summary, mosquitto, say, target, write_result
from .harness import Athlete, Emit, Source, quiet_logs, run_daemons, settings

ATHLETES = 25
SECONDS = 60.0
TARGET_CPU_PCT = 10.0
TARGET_P99_MS = 20.0
COACH = CoachConfig(countdown_s=0)


def simulated(athlete: Athlete, seed: int, url: str) -> Source:
    """The real simulator for one athlete, stamping heart-rate samples as they leave it."""
    model = athlete_model(settings(url, Path(), athlete.id, COACH), 1.0)
    clock = MonotonicClock()

    async def source(emit: Emit, target_speed: Any) -> None:
        def stamped(sample: Sample) -> None:
            if isinstance(sample, HeartRateSample):
                athlete.stamp(sample.bpm)
            emit(sample)

        await run_simulation(SimulatedAthlete(model, seed=seed), clock, target_speed, stamped)

    return source


async def measure(n: int, seconds: float) -> dict[str, Any]:
    """Start a broker and ``n`` daemons, return the figures."""
    with tempfile.TemporaryDirectory() as tmp, mosquitto(Path(tmp)) as broker:
        athletes = {f"athlete{i:02d}": Athlete(f"athlete{i:02d}") for i in range(n)}
        sources = {aid: simulated(a, i, broker.url) for i, (aid, a) in enumerate(athletes.items())}
        cpu = await run_daemons(
            broker.url,
            Path(tmp),
            athletes,
            sources,
            coach=COACH,
            seconds=seconds,
            workout="billat-30-30",
        )
    hr = [ms for a in athletes.values() for ms in a.hr_ms]
    return {
        "athletes": n,
        "seconds": seconds,
        "cpu_pct_of_core": 100 * cpu / seconds,
        "telemetry": latency_summary(hr),
        "mismatched": sum(a.mismatched for a in athletes.values()),
    }


def main(n: int = ATHLETES, seconds: float = SECONDS) -> dict[str, Any]:
    """Run, print, return the JSON document."""
    quiet_logs()
    say(f"scale: {n} simulated athletes at real time for {seconds:g} s, one process")
    r = asyncio.run(measure(n, seconds))
    tel = r["telemetry"]
    say(
        f"  CPU {r['cpu_pct_of_core']:.1f} % of a core; hr {tel['count']} messages,"
        f" p50 {tel.get('p50_ms')} ms, p99 {tel.get('p99_ms')} ms, max {tel.get('max_ms')} ms"
    )
    targets = [target("CPU (% of a core)", r["cpu_pct_of_core"], TARGET_CPU_PCT)]
    if tel["count"]:
        targets.append(target("p99 latency (ms)", tel["p99_ms"], TARGET_P99_MS))
    return {**r, "targets": targets}


if __name__ == "__main__":
    write_result("scale", main())
