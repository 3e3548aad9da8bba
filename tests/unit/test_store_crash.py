"""A daemon killed mid-session (SIGKILL, in a real child process) loses only the last seconds.

The child runs the real engine, builder and recorder on an accelerated clock
(``speed`` simulated seconds per real second), checkpointing every 2 simulated
seconds, and prints the record time ``t`` of every heart-rate sample right after
the recorder received it. The parent kills it without warning, then opens the
store as the next daemon would.
"""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from typing import TYPE_CHECKING

import pytest

from hiitd.record.session_record import SessionStatus
from hiitd.store.crash_recovery import Action, recover
from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path

CHILD = r"""
import sys, time
from pathlib import Path
from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command
from hiitd.coach.workout_model import Duration, DurationType, Intensity, Step, Target, Workout
from hiitd.coach.profile import AthleteProfile
from hiitd.record.record_builder import RecordBuilder
from hiitd.store.checkpointer import Recorder
from hiitd_drivers.samples import FootpodSample, HeartRateSample

state_dir, speed = Path(sys.argv[1]), float(sys.argv[2])
began = time.monotonic()
def clock():
    return (time.monotonic() - began) * speed
profile = AthleteProfile(max_hr=190, max_hr_estimated=False, resting_hr=55, lthr=170,
                         threshold_speed_mps=3.9, vdot=None)
engine = Engine(profile, CoachConfig(countdown_s=0))
hour = Workout("crash", (Step(Intensity.ACTIVE, Duration(DurationType.TIME, 3600), Target()),))
builder = RecordBuilder(profile=lambda: engine.profile, planned=lambda: engine.steps,
                        wall_at=lambda t: time.time() - (clock() - t) / speed)
recorder = Recorder(builder, state_dir, checkpoint_s=2.0)
now = clock()
recorder.on_events(engine.command(Command("start", hour), now).events, now)
t0 = builder.current.t0
while True:
    now += 1.0
    while clock() < now:
        time.sleep(0.0005)
    hr = HeartRateSample(now, 150, (400.0,), contact=True)
    recorder.on_sample(hr, now)
    print(repr(now - t0), flush=True)
    recorder.on_events(engine.sample(hr, now), now)
    pod = FootpodSample(now, 3.5, 170.0, 1.2, None)
    recorder.on_sample(pod, now)
    recorder.on_events(engine.sample(pod, now), now)
    recorder.on_events(engine.tick(now), now)
    recorder.maybe_checkpoint(now)
"""


def run_and_kill(state_dir: Path, speed: float, samples: int) -> list[float]:
    """Start the child, SIGKILL it after ``samples`` samples; the t of every sample it got."""
    proc = subprocess.Popen(
        [sys.executable, "-c", CHILD, str(state_dir), str(speed)],
        stdout=subprocess.PIPE,
        stderr=subprocess.PIPE,
        text=True,
    )
    assert proc.stdout is not None
    lines: list[str] = []
    try:
        while len(lines) < samples:
            line = proc.stdout.readline()
            if not line:
                break
            lines.append(line)
    finally:
        os.kill(proc.pid, signal.SIGKILL)
        rest, err = proc.communicate(timeout=30)
    assert proc.returncode == -signal.SIGKILL, err
    lines += rest.splitlines(keepends=True)
    return [float(x) for x in lines if x.endswith("\n")]  # a line cut by the kill is not counted


@pytest.mark.parametrize(("speed", "samples"), [(20.0, 40), (100.0, 150), (400.0, 300)])
def test_a_killed_recorder_loses_at_most_the_last_seconds(
    tmp_path: Path, speed: float, samples: int
) -> None:
    """After SIGKILL the session is unfinished, intact, and misses at most ~5 s of samples."""
    received = run_and_kill(tmp_path, speed, samples)
    assert len(received) >= samples
    with Store.open(tmp_path) as store:
        assert store.integrity_check() == "ok"
        (row,) = store.unfinished()
        rec = store.load(row.session_id)
        stored = [p.t for p in rec.hr]
        assert stored == received[: len(stored)]  # a prefix: nothing invented, nothing reordered
        assert received[-1] - stored[-1] <= 5.0
        assert len(rec.pod) >= len(stored) - 1
        assert rec.status is SessionStatus.RUNNING
        assert rec.steps[0].end_t is None

        got = recover(store, time.time())  # restarted at once: resume
        assert got.action is Action.RESUME
        assert store.load_for_resume(row.session_id) == rec

        got = recover(store, time.time() + 3600)  # restarted an hour later: closed
        assert got.action is Action.INTERRUPTED
        closed = store.load(row.session_id)
        assert closed.status is SessionStatus.INTERRUPTED
        assert closed.end_t == stored[-1]
        assert closed.steps[0].end_t == stored[-1]
        assert closed.hr == rec.hr
        assert store.integrity_check() == "ok"
