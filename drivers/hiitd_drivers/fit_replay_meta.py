"""What a FIT activity says besides its samples: laps, sessions, pauses, device, notes.

The value types of ``hiitd_drivers.fit_replay`` and the pure functions that build
them from what one pass over the file collected (``FileFacts``).
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from hiitd_drivers.samples import FootpodSample, HeartRateSample

if TYPE_CHECKING:
    from collections.abc import Callable

ReplaySample = HeartRateSample | FootpodSample
# Laps ending this long before the last record mean the file lacks its final lap.
MISSING_LAP_S = 5.0
# Timer event types that stop the watch's timer (FIT Profile type event_type).
_TIMER_STOPS = frozenset({"stop", "stop_all", "stop_disable", "stop_disable_all"})


@dataclass(frozen=True, slots=True)
class ReplayLap:
    """A FIT lap; times are seconds since the first record."""

    start_t: float
    end_t: float  # start + total_elapsed_time
    timer_s: float | None
    distance_m: float | None
    avg_hr: int | None
    max_hr: int | None
    trigger: str | None  # manual, distance, time, session_end, ...
    intensity: str | None  # active, rest, warmup, cooldown, recovery


@dataclass(frozen=True, slots=True)
class ReplaySession:
    """A FIT session message: the watch's own totals, to check a replay against."""

    sport: str | None
    sub_sport: str | None
    start_t: float
    end_t: float | None  # the session message's timestamp
    elapsed_s: float | None
    timer_s: float | None
    distance_m: float | None
    avg_hr: int | None
    max_hr: int | None
    calories: int | None


@dataclass(frozen=True, slots=True)
class ReplayPause:
    """The watch's timer was stopped from ``start_t`` to ``end_t`` (None: never restarted)."""

    start_t: float
    end_t: float | None


@dataclass(frozen=True, slots=True)
class ReplayFile:
    """A whole activity: its samples in time order and what the file says about them."""

    path: str
    samples: tuple[ReplaySample, ...]
    laps: tuple[ReplayLap, ...]
    sport: str | None
    sub_sport: str | None
    start_utc: dt.datetime | None  # None when the file only has device-relative times
    pauses: tuple[ReplayPause, ...]
    device: str | None  # "garmin fr920xt"
    notes: tuple[str, ...]
    sessions: tuple[ReplaySession, ...] = ()
    rr_count: int = 0  # RR intervals attached to heart-rate samples
    rr_dropped: int = 0  # RR intervals timed after the last heart-rate sample (see notes)

    @property
    def duration_s(self) -> float:
        """Time of the last sample (the first is at 0)."""
        return self.samples[-1].t if self.samples else 0.0


def fit_seconds(value: object) -> float | None:
    """A FIT time as seconds: fitdecode gives datetimes, or ints for device-relative times."""
    if isinstance(value, dt.datetime):
        return value.timestamp()
    if isinstance(value, int | float):
        return float(value)
    return None


def as_int(value: object) -> int | None:
    return int(value) if isinstance(value, int | float) else None


def as_float(value: object) -> float | None:
    return float(value) if isinstance(value, int | float) else None


def as_str(value: object) -> str | None:
    return None if value is None else str(value)


@dataclass
class FileFacts:
    """What a pass over a FIT file collected besides the samples (times in absolute s).

    The reader tells it what it saw (``keep``, ``place_record``, ``note_dev_field``,
    ``count``) and reads it back; ``build_file`` turns it into a ``ReplayFile``.
    """

    path: str
    t0: float | None = None  # the first record's time: t = 0
    start_utc: dt.datetime | None = None
    newest: float = 0.0  # t of the newest record
    laps: list[dict[str, Any]] = field(default_factory=list)
    sessions: list[dict[str, Any]] = field(default_factory=list)
    timer: list[tuple[float, str]] = field(default_factory=list)  # (s, "start" | "stop")
    sport: dict[str, Any] = field(default_factory=dict)
    file_id: dict[str, Any] = field(default_factory=dict)
    dev_fields: set[str] = field(default_factory=set)
    seen: set[str] = field(default_factory=set)  # record fields present in any definition
    counts: dict[str, int] = field(
        default_factory=lambda: dict.fromkeys(
            ("records", "hr", "hr_gap", "pod", "pod_gap", "rr", "rr_dropped", "resync"), 0
        )
    )

    def keep(self, name: str, values: dict[str, Any]) -> None:
        """Keep what a ``lap``, ``session``, ``sport``, ``file_id`` or timer ``event`` says."""
        if name == "lap":
            self.laps.append(values)
        elif name == "session":
            self.sessions.append(values)
        elif name == "sport":
            self.sport = values
        elif name == "file_id":
            self.file_id = values
        elif values.get("event") == "timer":
            at = fit_seconds(values.get("timestamp"))
            kind = values.get("event_type")
            if at is not None and (kind == "start" or kind in _TIMER_STOPS):
                self.timer.append((at, "start" if kind == "start" else "stop"))

    def place_record(self, at: float, stamp: object, values: dict[str, Any]) -> float:
        """Count a record stamped ``at`` (s) with ``values``; return its ``t``.

        The first record is ``t = 0``; a record stamped earlier than the newest
        one gets the newest one's time: the samples never go back in time.
        """
        self.counts["records"] += 1
        self.seen.update(values)
        if self.t0 is None:
            self.t0 = at
            self.start_utc = stamp if isinstance(stamp, dt.datetime) else None
        self.newest = max(at - self.t0, self.newest)
        return self.newest

    def note_dev_field(self, name: str) -> None:
        """A developer field was seen (listed in the notes, otherwise ignored)."""
        self.dev_fields.add(name)

    def count(self, key: str, n: int = 1) -> None:
        """Add ``n`` to the counter ``key`` (records, hr, hr_gap, pod, rr, resync, ...)."""
        self.counts[key] += n


def build_file(f: FileFacts, samples: tuple[ReplaySample, ...]) -> ReplayFile:
    """The ``ReplayFile`` for what a pass over the file collected, with ``samples``."""
    t0 = f.t0 or 0.0
    rel = _relative(t0)
    laps = tuple(
        ReplayLap(
            start_t=rel(lap.get("start_time")) or 0.0,
            end_t=(rel(lap.get("start_time")) or 0.0)
            + (as_float(lap.get("total_elapsed_time")) or 0.0),
            timer_s=as_float(lap.get("total_timer_time")),
            distance_m=as_float(lap.get("total_distance")),
            avg_hr=as_int(lap.get("avg_heart_rate")),
            max_hr=as_int(lap.get("max_heart_rate")),
            trigger=as_str(lap.get("lap_trigger")),
            intensity=as_str(lap.get("intensity")),
        )
        for lap in f.laps
    )
    sessions = tuple(
        ReplaySession(
            sport=as_str(s.get("sport")),
            sub_sport=as_str(s.get("sub_sport")),
            start_t=rel(s.get("start_time")) or 0.0,
            end_t=rel(s.get("timestamp")),
            elapsed_s=as_float(s.get("total_elapsed_time")),
            timer_s=as_float(s.get("total_timer_time")),
            distance_m=as_float(s.get("total_distance")),
            avg_hr=as_int(s.get("avg_heart_rate")),
            max_hr=as_int(s.get("max_heart_rate")),
            calories=as_int(s.get("total_calories")),
        )
        for s in f.sessions
    )
    first = sessions[0] if sessions else None
    sport = first.sport if first and first.sport else as_str(f.sport.get("sport"))
    sub = first.sub_sport if first and first.sub_sport else as_str(f.sport.get("sub_sport"))
    return ReplayFile(
        path=f.path,
        samples=samples,
        laps=laps,
        sport=sport,
        sub_sport=sub,
        start_utc=f.start_utc,
        pauses=_pauses(f, rel),
        device=_device(f),
        notes=tuple(_notes(f, laps)),
        sessions=sessions,
        rr_count=f.counts["rr"],
        rr_dropped=f.counts["rr_dropped"],
    )


def _pauses(f: FileFacts, rel: Callable[[object], float | None]) -> tuple[ReplayPause, ...]:
    out: list[ReplayPause] = []
    stopped: float | None = None
    for at, kind in sorted(f.timer):
        if kind == "stop" and stopped is None:
            stopped = rel(at)
        elif kind == "start" and stopped is not None:
            out.append(ReplayPause(stopped, rel(at)))
            stopped = None
    if stopped is not None and stopped < f.newest - 1.0:
        out.append(ReplayPause(stopped, None))  # stopped, and records went on regardless
    return tuple(out)


def _device(f: FileFacts) -> str | None:
    maker = f.file_id.get("manufacturer")
    product = f.file_id.get("garmin_product") or f.file_id.get("product")
    parts = [str(p) for p in (maker, product) if p not in {None, 0}]
    return " ".join(parts) or None


def _notes(f: FileFacts, laps: tuple[ReplayLap, ...]) -> list[str]:
    c = f.counts
    notes: list[str] = []
    if "heart_rate" not in f.seen:
        notes.append("no heart_rate in the records (no strap): no heart-rate samples")
    elif c["hr_gap"]:
        notes.append(f"{c['hr_gap']} records with an invalid heart rate: bpm None (gaps kept)")
    if c["pod"] == 0:
        notes.append("no speed in the records: no footpod samples")
    elif "cadence" not in f.seen:
        notes.append("no cadence in the records: cadence_spm is 0 (the type has no 'unknown')")
    if c["pod_gap"]:
        notes.append(f"{c['pod_gap']} records with an invalid speed: no footpod sample")
    if c["rr"] or c["rr_dropped"]:
        notes.append(
            f"{c['rr']} RR intervals from hrv messages, timed by their cumulative sum"
            f" (re-anchored {c['resync']} times)"
        )
    if c["rr_dropped"]:
        notes.append(
            f"{c['rr_dropped']} RR intervals timed after the last heart-rate sample"
            " (recorded after the records end): not replayed"
        )
    if f.dev_fields:
        notes.append("developer fields ignored: " + ", ".join(sorted(f.dev_fields)))
    if f.t0 is not None and f.start_utc is None:
        notes.append("timestamps are relative to the device's power-on: no wall-clock start")
    if not laps:
        notes.append("no lap messages")
    elif laps[-1].end_t < f.newest - MISSING_LAP_S:
        notes.append(
            f"laps end at {laps[-1].end_t:.0f} s but records go on to {f.newest:.0f} s:"
            " the final lap is missing (none invented)"
        )
    return notes


def _relative(t0: float) -> Callable[[object], float | None]:
    def rel(value: object) -> float | None:
        at = fit_seconds(value)
        return None if at is None else at - t0

    return rel
