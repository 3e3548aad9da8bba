"""How long store checkpoints take on this machine (a script, not a test).

    .venv/bin/python tests/bench/bench_store.py [STATE_DIR]

Builds a 60-minute 1 Hz session (heart rate with RR, footpod, a cue every 30 s,
8 steps) in memory and times: a checkpoint of 5 s of new data early and late in
the session (NORMAL and durable), the loop-side snapshot of a 60-minute record,
one save of the whole 60 minutes into an empty file, and loading it back. Run
it on the Pi's SD card (STATE_DIR) for the numbers that matter.
"""

from __future__ import annotations

import statistics
import sys
import tempfile
import time
from pathlib import Path

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command
from hiitd.coach.profile import AthleteProfile
from hiitd.coach.workout_model import Duration, DurationType, Intensity, Step, Target, Workout
from hiitd.record.record_builder import RecordBuilder
from hiitd.record.session_record import (
    AthleteSnapshot,
    CueRecord,
    HrPoint,
    PodPoint,
    SessionRecord,
    SessionStatus,
    StepRecord,
)
from hiitd.store.checkpointer import Recorder
from hiitd.store.db import Store
from hiitd_drivers.samples import FootpodSample, HeartRateSample

HOUR = 3600


def session(seconds: int, session_id: str = "bench") -> SessionRecord:
    """A running session of ``seconds`` at 1 Hz."""
    hr = tuple(
        HrPoint(float(t), 140 + t % 30, (428.7109375, 431.640625), True) for t in range(seconds)
    )
    pod = tuple(PodPoint(float(t), 3.9, 172.0, 1.36, 3.9 * t) for t in range(seconds))
    cues = tuple(
        CueRecord(float(t), f"c{t}", "speed_up", "Speed up a little", t // 450)
        for t in range(0, seconds, 30)
    )
    steps = tuple(
        StepRecord(
            i,
            "rep",
            f"Interval {i}",
            "active",
            i * 450.0,
            None if (i + 1) * 450 > seconds else (i + 1) * 450.0,
            "time",
            450.0,
            "speed",
            3.8,
            4.1,
            "time",
        )
        for i in range(seconds // 450 + 1)
        if i * 450 <= seconds
    )
    return SessionRecord(
        session_id,
        "bench",
        1.7e9,
        SessionStatus.RUNNING,
        None,
        AthleteSnapshot(190, 55, 170),
        hr,
        pod,
        steps,
        (),
        cues,
    )


def timed(f: object, n: int) -> tuple[float, float]:
    """(median, max) milliseconds of ``n`` calls."""
    assert callable(f)
    runs = []
    for _ in range(n):
        t = time.perf_counter()
        f()
        runs.append((time.perf_counter() - t) * 1000)
    return statistics.median(runs), max(runs)


def say(what: str, med: float, worst: float | None = None) -> None:
    """One result line."""
    tail = "" if worst is None else f", max {worst:.2f} ms"
    sys.stdout.write(f"{what}: median {med:.2f} ms{tail}\n")


def recorder_hour(state_dir: Path) -> None:
    """The real path: engine, builder, Recorder.maybe_checkpoint for a 60-min session at 1 Hz."""
    profile = AthleteProfile(190, False, 55, 170, 3.9, None)
    engine = Engine(profile, CoachConfig(countdown_s=0))
    hour = Workout("bench", (Step(Intensity.ACTIVE, Duration(DurationType.TIME, HOUR), Target()),))
    builder = RecordBuilder(lambda: engine.profile, lambda: engine.steps, lambda t: 1.7e9 + t)
    recorder = Recorder(builder, state_dir)
    recorder.on_events(engine.command(Command("start", hour), 0.0).events, 0.0)
    runs: list[float] = []
    for i in range(1, HOUR + 1):
        now = float(i)
        for sample in (
            HeartRateSample(now, 150, (400.0,), contact=True),
            FootpodSample(now, 3.9, 172.0, 1.36, 3.9 * now),
        ):
            recorder.on_sample(sample, now)
            recorder.on_events(engine.sample(sample, now), now)
        recorder.on_events(engine.tick(now), now)
        t = time.perf_counter()
        if recorder.maybe_checkpoint(now):
            runs.append((time.perf_counter() - t) * 1000)
    recorder.close(HOUR + 1.0)
    say(
        f"Recorder.maybe_checkpoint over a 60-min session ({len(runs)} checkpoints of 2 s)",
        statistics.median(runs),
        max(runs),
    )


def main(state_dir: Path) -> None:
    """Print the timings."""
    full = session(HOUR)
    sys.stdout.write(f"state dir: {state_dir}\n")
    with Store.open(state_dir) as store:
        # Checkpoints of 5 s each, from the start: the cost of the recorder's cadence.
        for durable in (False, True):
            sid = f"cp-{durable}"
            store.save(session(5, sid))
            t5 = [5]

            def step(durable: bool = durable, sid: str = sid, t5: list[int] = t5) -> None:
                t5[0] += 5
                store.save(session(t5[0], sid), durable=durable)

            say(f"save of 5 s of data, early (durable={durable})", *timed(step, 100))
        # Late in a session: the same 5 s on top of 59 minutes already stored
        # (records built beforehand, so only the store is timed).
        store.save(session(HOUR - 60, "late"))
        for durable in (False, True):
            first = HOUR - 60 if not durable else HOUR - 30
            todo = [session(first + 5 * (i + 1), "late") for i in range(6)][::-1]

            def later(durable: bool = durable, todo: list[SessionRecord] = todo) -> None:
                store.save(todo.pop(), durable=durable)

            say(f"save of 5 s of data after 59 min (durable={durable})", *timed(later, 6))
        say("loop-side snapshot of a 60-min record", timed(lambda: (*full.hr, *full.pod), 20)[0])

    with tempfile.TemporaryDirectory(dir=state_dir) as d:
        with Store.open(Path(d)) as store:
            say(
                "save of a whole 60-min session into an empty file (durable)",
                timed(lambda: store.save(full, durable=True), 1)[0],
            )
            say("load of a 60-min session", timed(lambda: store.load("bench"), 3)[0])
        size = sum(p.stat().st_size for p in Path(d).iterdir())
        sys.stdout.write(f"file size for one 60-min session: {size / 1e6:.2f} MB\n")
    with tempfile.TemporaryDirectory(dir=state_dir) as d:
        recorder_hour(Path(d))


if __name__ == "__main__":
    if len(sys.argv) > 1:
        main(Path(sys.argv[1]))
    else:
        with tempfile.TemporaryDirectory() as tmp:
            main(Path(tmp))
