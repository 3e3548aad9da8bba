"""Record values to table rows and back, and the row types the store returns. Pure.

Floats round-trip exactly: REAL columns hold IEEE doubles, and RR intervals are
stored as ``repr()`` text (``"812.5,790.0390625"``), which ``float()`` reads back
bit for bit while staying readable in the sqlite3 shell.
"""

from __future__ import annotations

import json
import math
from dataclasses import asdict, dataclass, fields
from typing import Any

from hiitd.record.session_record import (
    AthleteSnapshot,
    CueRecord,
    DeviceRecord,
    HrPoint,
    PauseRecord,
    PodPoint,
    SessionRecord,
    StepRecord,
)

Row = tuple[Any, ...]


@dataclass(frozen=True, slots=True)
class SessionRow:
    """One line of the session list."""

    session_id: str
    workout: str | None
    start_wall: float
    status: str  # a SessionStatus value
    duration_s: float | None  # end_t, or the last checkpointed t while running
    distance_m: float | None  # from the summary, when there is one
    has_summary: bool
    rpe: int | None
    last_checkpoint_wall: float | None
    source: str = "live"  # "import": a FIT activity recorded elsewhere (store/imports.py)


@dataclass(frozen=True, slots=True)
class OutboxItem:
    """A message waiting for the broker's acknowledgement; ``id`` is stable."""

    id: int
    topic: str
    payload: bytes
    qos: int
    retain: bool
    created_wall: float
    attempts: int


def last_t(record: SessionRecord) -> float:
    """The latest time the record knows of: its end, or its newest point, step or pause."""
    if record.end_t is not None:
        return record.end_t
    times = [p.t for p in record.hr[-1:]] + [p.t for p in record.pod[-1:]]
    times += [c.t for c in record.cues[-1:]]
    for s in record.steps[-1:]:
        times += [s.start_t] + ([s.end_t] if s.end_t is not None else [])
    for p in record.pauses[-1:]:
        times += [p.start_t] + ([p.end_t] if p.end_t is not None else [])
    return max((t for t in times if not math.isnan(t)), default=0.0)


# ------------------------------------------------------------------ encode


def rr_text(rr_ms: tuple[float, ...]) -> str | None:
    """RR intervals as compact text, None when there are none."""
    return ",".join(repr(x) for x in rr_ms) if rr_ms else None


def athlete_json(a: AthleteSnapshot) -> str:
    """The athlete snapshot as JSON."""
    return json.dumps(asdict(a), separators=(",", ":"))


def _flag(value: bool | None) -> int | None:
    return None if value is None else int(value)


def hr_row(sid: int, seq: int, p: HrPoint) -> Row:
    """An hr_samples row."""
    return (sid, seq, p.t, p.bpm, rr_text(p.rr_ms), _flag(p.contact))


def pod_row(sid: int, seq: int, p: PodPoint) -> Row:
    """A pod_samples row."""
    return (sid, seq, p.t, p.speed_mps, p.cadence_spm, p.stride_m, p.distance_m)


def cue_row(sid: int, seq: int, c: CueRecord) -> Row:
    """A cues row."""
    return (sid, seq, c.t, c.id, c.kind, c.text, c.step_index)


def step_row(sid: int, seq: int, s: StepRecord) -> Row:
    """A steps row."""
    return (
        sid,
        seq,
        s.index,
        s.name,
        s.label,
        s.intensity,
        s.start_t,
        s.end_t,
        s.duration_type,
        s.duration_value,
        s.target_type,
        s.target_low,
        s.target_high,
        s.ended_by,
        s.in_s,
        s.below_s,
        s.above_s,
        s.gap_s,
        s.unscored,
    )


def pause_row(sid: int, seq: int, p: PauseRecord) -> Row:
    """A pauses row."""
    return (sid, seq, p.start_t, p.end_t, int(p.auto))


def device_row(sid: int, seq: int, d: DeviceRecord) -> Row:
    """A devices row."""
    return (
        sid,
        seq,
        d.role,
        d.address,
        d.name,
        d.manufacturer,
        d.model,
        d.serial,
        d.firmware,
        d.battery,
    )


# ------------------------------------------------------------------ decode
# Columns are nullable (see schema.py); a NULL where the record wants a float
# was a NaN when it was written, so it comes back as NaN.


def _f(value: Any) -> float:
    return math.nan if value is None else float(value)


def _s(value: Any, default: str = "") -> str:
    return default if value is None else str(value)


def _opt_bool(value: Any) -> bool | None:
    return None if value is None else bool(value)


def hr_point(r: Row) -> HrPoint:
    """An HrPoint from (t, bpm, rr, contact)."""
    rr = tuple(float(x) for x in r[2].split(",")) if r[2] else ()
    return HrPoint(_f(r[0]), r[1], rr, _opt_bool(r[3]))


def pod_point(r: Row) -> PodPoint:
    """A PodPoint from (t, speed, cadence, stride, distance)."""
    return PodPoint(_f(r[0]), _f(r[1]), _f(r[2]), r[3], r[4])


def cue_record(r: Row) -> CueRecord:
    """A CueRecord from (t, id, kind, text, step_index)."""
    return CueRecord(_f(r[0]), _s(r[1]), _s(r[2]), _s(r[3]), r[4])


def step_record(r: Row) -> StepRecord:
    """A StepRecord from the steps columns after (sid, seq)."""
    return StepRecord(
        index=r[0] if r[0] is not None else -1,
        name=_s(r[1]),
        label=_s(r[2]),
        intensity=_s(r[3], "active"),
        start_t=_f(r[4]),
        end_t=r[5],
        duration_type=_s(r[6], "open"),
        duration_value=r[7],
        target_type=_s(r[8], "open"),
        target_low=r[9],
        target_high=r[10],
        ended_by=r[11],
        in_s=r[12],
        below_s=r[13],
        above_s=r[14],
        gap_s=r[15],
        unscored=r[16],
    )


def pause_record(r: Row) -> PauseRecord:
    """A PauseRecord from (start_t, end_t, auto)."""
    return PauseRecord(_f(r[0]), r[1], bool(r[2]))


def device_record(r: Row) -> DeviceRecord:
    """A DeviceRecord from the devices columns after (sid, seq)."""
    return DeviceRecord(_s(r[0]), r[1], r[2], r[3], r[4], r[5], r[6], r[7])


def athlete_snapshot(text: str) -> AthleteSnapshot:
    """The athlete snapshot from JSON; unknown keys (from a newer hiitd) are ignored."""
    data = json.loads(text)
    known = {f.name for f in fields(AthleteSnapshot)}
    return AthleteSnapshot(**{k: v for k, v in data.items() if k in known})
