"""A recorded FIT activity through the real coach, at full speed (``hiitd replay``, imports).

The file's samples (``hiitd_drivers.fit_replay``) go through the same ``Engine``,
``RecordBuilder`` and ``compute_metrics`` as a live session. The workout starts
at the first sample (``t = 0``) with no countdown; without a workout a single
open "free run" step is coached so the record is still built. The engine is
ticked once per second of sample time, as the daemon ticks it once per second
of wall time. The watch's own timer pauses become ``pause``/``resume``
commands at their times (the runner pressed the button; hiitd would have heard
it), and a session the file leaves running is stopped at the last sample.

What comes back is what the runner would have heard (cues with their times),
the step summaries, the engine's session summary and the metrics. Used by
``hiitd replay`` (cli/replay_cmd.py) and by the activity import
(runtime/fit_import.py: ``hiitd sessions import`` and the watched import folder).
"""

from __future__ import annotations

import time
from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING, Any, Literal

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.engine import Engine
from hiitd.coach.events import Command, CueEvent, SessionEnded, SessionSummary, StepEnded
from hiitd.coach.profile import AthleteProfile, profile_from_settings
from hiitd.coach.resolve import resolve_workout
from hiitd.coach.workout_model import Duration, DurationType, Intensity, Step, Workout
from hiitd.metrics import SessionMetrics, compute_metrics
from hiitd.record.record_builder import RecordBuilder
from hiitd.settings import Settings
from hiitd.store import learned_file as learned
from hiitd.store.workout_catalog import WorkoutCatalog
from hiitd.workouts.library import get_builtin
from hiitd.workouts.loader import SUFFIXES, load_workout_file
from hiitd_drivers.fit_replay import FitReplay, ReplayFile

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.coach.events import Event, StepSummary
    from hiitd.record.session_record import SessionRecord
    from hiitd_drivers.fit_replay_meta import FileFacts

# Watches with "smart recording" write a record only when values change: 5 s apart
# on an FR70, up to 13 s on an FR920xt. That is the file's sampling, not a
# dropout, so a replay widens the gap and smoothing limits to cover it (a live
# strap notifies at 1 Hz and keeps the tighter defaults).
RECORD_GAP_S = 15.0
HR_WINDOW_S = 10.0
SPEED_WINDOW_MIN_S = 6.0

FREE_RUN = Workout(
    "free-run",
    (Step(Intensity.ACTIVE, Duration(DurationType.OPEN), name="Free run"),),
    description="Free run: one open step, no target (a replay without --workout)",
    source="replay",
)


@dataclass(frozen=True, slots=True)
class HeardCue:
    """A cue as the runner would have heard it, ``t`` seconds into the file."""

    t: float
    kind: str
    text: str

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready dict."""
        return {"t": round(self.t, 1), "kind": self.kind, "text": self.text}


@dataclass(frozen=True, slots=True)
class ReplayResult:
    """One replayed file: what was heard, the steps, the summary, the metrics."""

    file: str
    workout: str
    samples: int
    duration_s: float
    cues: tuple[HeardCue, ...]
    steps: tuple[StepSummary, ...]
    summary: SessionSummary | None
    record: SessionRecord | None
    metrics: SessionMetrics | None
    source: ReplayFile  # the file's metadata (its samples are not kept)
    wall_s: float  # how long the replay took

    def to_payload(self) -> dict[str, Any]:
        """The ``hiitd replay --json`` document."""
        src = self.source
        return {
            "file": self.file,
            "workout": self.workout,
            "samples": self.samples,
            "duration_s": round(self.duration_s, 1),
            "cues": [c.to_payload() for c in self.cues],
            "steps": [s.to_payload() for s in self.steps],
            "session": None if self.summary is None else self.summary.to_payload(),
            "metrics": None if self.metrics is None else self.metrics.to_payload(),
            "source": {
                "sport": src.sport,
                "sub_sport": src.sub_sport,
                "device": src.device,
                "start_utc": None if src.start_utc is None else src.start_utc.isoformat(),
                "laps": len(src.laps),
                "pauses": [[p.start_t, p.end_t] for p in src.pauses],
                "rr_count": src.rr_count,
                "notes": list(src.notes),
            },
            "replay_wall_s": round(self.wall_s, 3),
        }


@dataclass
class _Collector:
    """Engine events folded into the record and the result lists."""

    builder: RecordBuilder
    cues: list[HeardCue] = field(default_factory=list)
    steps: list[StepSummary] = field(default_factory=list)
    summary: SessionSummary | None = None

    def take(self, events: list[Event], now: float) -> None:
        self.builder.on_events(events, now)
        for event in events:
            match event:
                case CueEvent(cue=cue):
                    self.cues.append(HeardCue(now, cue.kind.value, cue.text))
                case StepEnded(summary=s):
                    self.steps.append(s)
                case SessionEnded(summary=s):
                    self.summary = s
                case _:
                    pass


def replay_config(config: CoachConfig) -> CoachConfig:
    """``config`` for a replay: no countdown, gap and smoothing limits for sparse records.

    Auto-pause is off: the watch's own timer pauses are replayed as commands, and a
    GPS-only file (no cadence, so cadence 0) would look like a runner standing still.
    """
    return config.model_copy(
        update={
            "countdown_s": 0.0,
            "autopause": False,
            "sensor_stale_s": max(config.sensor_stale_s, RECORD_GAP_S),
            "sensor_lost_s": max(config.sensor_lost_s, RECORD_GAP_S),
            "hr_window_s": max(config.hr_window_s, HR_WINDOW_S),
            "speed_window_min_s": max(config.speed_window_min_s, SPEED_WINDOW_MIN_S),
        }
    )


def _workout(name: str | None, profile: AthleteProfile, state_dir: Path | None) -> Workout:
    if name is None:
        return FREE_RUN
    if state_dir is not None:
        return WorkoutCatalog(state_dir, profile).find(name)
    # A bare profile has no catalogue directory: built-ins and workout files only.
    if name.lower().endswith(SUFFIXES):
        return resolve_workout(load_workout_file(name), profile)
    return resolve_workout(get_builtin(name), profile)


def replay_file(
    path: str | Path,
    settings_or_profile: Settings | AthleteProfile,
    *,
    workout: str | None = None,
    apply_pauses: bool = True,
) -> ReplayResult:
    """Replay a FIT activity through the real engine; ``ReplayError`` names a bad file."""
    started = time.perf_counter()
    profile, state_dir, config = _athlete(settings_or_profile)
    planned = _workout(workout, profile, state_dir)
    engine = Engine(profile, replay_config(config), session_prefix="r")
    reader = FitReplay(path)
    facts = reader.facts

    def wall_at(now: float) -> float:
        return (facts.start_utc.timestamp() if facts.start_utc else 0.0) + now

    builder = RecordBuilder(
        profile=lambda: engine.profile, planned=lambda: engine.steps, wall_at=wall_at
    )
    out = _Collector(builder)
    count, now = _feed(reader, engine, builder, out, planned, apply_pauses=apply_pauses)
    source = reader.file()
    built = builder.record()
    # The file's sub-sport (treadmill, street) is known only once it was read to
    # the end (the session message comes last): it is stamped on the finished record.
    sub_sport = source.sub_sport or "generic"
    record = None if built is None else replace(built.materialized(), sub_sport=sub_sport)
    return ReplayResult(
        file=str(path),
        workout=planned.name,
        samples=count,
        duration_s=now,
        cues=tuple(out.cues),
        steps=tuple(out.steps),
        summary=out.summary,
        record=record,
        metrics=None if record is None else compute_metrics(record),
        source=source,
        wall_s=time.perf_counter() - started,
    )


def _athlete(
    settings_or_profile: Settings | AthleteProfile,
) -> tuple[AthleteProfile, Path | None, CoachConfig]:
    """The profile (with what was learned), the state directory and the coach settings."""
    if not isinstance(settings_or_profile, Settings):
        return settings_or_profile, None, CoachConfig()
    state_dir = settings_or_profile.storage.state_dir
    assert state_dir is not None  # narrowing for mypy: settings always have one
    profile = learned.apply(profile_from_settings(settings_or_profile.athlete), state_dir)
    return profile, state_dir, settings_or_profile.coach


def _feed(
    reader: FitReplay,
    engine: Engine,
    builder: RecordBuilder,
    out: _Collector,
    planned: Workout,
    *,
    apply_pauses: bool,
) -> tuple[int, float]:
    """Every sample through the engine, ticked once per second of sample time.

    The workout starts at the first sample; a session the file leaves running
    is stopped at the last. Returns how many samples there were and the last
    one's time.
    """
    timer_done = 0  # timer events already applied
    next_tick = 0.0
    count = 0
    now = 0.0
    for sample in reader.samples():
        now = sample.t
        if count == 0:
            out.take(engine.command(Command("start", planned), now).events, now)
        count += 1
        while next_tick <= now:
            if apply_pauses:
                timer_done = _apply_timer(engine, out, reader.facts, timer_done, next_tick)
            out.take(engine.tick(next_tick), next_tick)
            next_tick += 1.0
        builder.on_sample(sample, now)
        out.take(engine.sample(sample, now), now)
    if count:
        out.take(engine.tick(now), now)
        if out.summary is None:
            out.take(engine.command(Command("stop"), now).events, now)
    return count, now


def _apply_timer(engine: Engine, out: _Collector, facts: FileFacts, done: int, now: float) -> int:
    """``pause``/``resume`` for the watch's timer events before ``now``; returns how many.

    Strictly before: a final stop at the last sample ends the activity, it is no pause.
    A refused command (resume while running: the first start) changes nothing.
    """
    timer, t0 = facts.timer, facts.t0 or 0.0
    while done < len(timer) and timer[done][0] - t0 < now:
        action: Literal["pause", "resume"] = "pause" if timer[done][1] == "stop" else "resume"
        out.take(engine.command(Command(action), now).events, now)
        done += 1
    return done
