"""Recorded FIT activities replayed as sample streams (the driver side of ``hiitd replay``).

A FIT activity becomes the same frozen samples the BLE adapter produces, with
``t`` = seconds since the file's first record, in time order:

- ``HeartRateSample`` from ``record.heart_rate``; an invalid or 0 value is
  ``bpm=None`` (a gap stays a gap), and a record whose definition has no
  heart-rate field gives no sample at all (no strap: a Stryd-only file).
- ``FootpodSample`` from ``enhanced_speed`` (else ``speed``, m/s), cadence
  (FIT running cadence counts STRIDES, one foot, per minute, so steps are
  ``2 x (cadence + fractional_cadence)``), ``step_length`` (mm -> m) or the step
  length implied by speed and cadence, and the cumulative ``distance`` (m).
- RR intervals from ``hrv`` messages (see "RR alignment").

Developer fields (Stryd, RunScribe, Garmin Running Power) are listed in
``notes`` and otherwise ignored. Laps, sessions, sport, timer pauses and the
recording device come back as metadata in a ``ReplayFile``.

RR alignment. ``hrv`` messages carry beat-to-beat intervals without timestamps.
Beat times come from the strap's own clock: the cumulative RR sum since the
first ``hrv`` message, anchored at ``t = 0`` (the first record, which is where
the watch's timer starts). Each interval goes to the heart-rate sample at or
after its beat. Limits: a beat the strap missed without a compensating long
interval makes every later beat early, and an artefact (a 12.8 s "interval"
across a dropout) can make them late. So the clock is re-anchored to the file
itself: a ``hrv`` message is written between the records before and after its
beats, and when the clock leaves that window by more than ``RESYNC_S`` it is
moved back into it. Beat times are good to about a second, which is what the
1 s heart-rate samples resolve anyway; intervals are never changed, dropped or
invented, so their count and order are exactly the file's.
"""

from __future__ import annotations

import struct
from collections import deque
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

import fitdecode  # untyped: pyproject has the mypy override for fitdecode.*
from fitdecode.types import DevField

from hiitd_drivers.driver_errors import ReplayError
from hiitd_drivers.fit_replay_meta import (
    FileFacts,
    ReplayFile,
    ReplayLap,
    ReplayPause,
    ReplaySample,
    ReplaySession,
    as_float,
    as_int,
    build_file,
    fit_seconds,
)
from hiitd_drivers.samples import FootpodSample, HeartRateSample

if TYPE_CHECKING:
    from collections.abc import Iterator

__all__ = [
    "LOOKAHEAD_S",
    "RESYNC_S",
    "FitReplay",
    "ReplayFile",
    "ReplayLap",
    "ReplayPause",
    "ReplaySample",
    "ReplaySession",
    "iter_fit",
    "read_fit",
]

# Garmin watches write the beats of the last second or so after each record;
# 5 s is several record intervals of 1 s recording and short of any real pause.
RESYNC_S = 5.0
# A heart-rate sample waits for the beats that belong to it at most this much
# sample time, so the stream stays a stream (bounded memory and delay).
LOOKAHEAD_S = 30.0
# What fitdecode can raise on damaged bytes besides its own FitError: a record
# cut in the middle of a field, a definition pointing at nothing.
_DECODE_ERRORS = (fitdecode.FitError, ValueError, KeyError, IndexError, TypeError, struct.error)


@dataclass(slots=True)
class _HrDraft:
    """A heart-rate sample waiting for its beats."""

    t: float
    bpm: int | None
    rr: list[float] = field(default_factory=list)


class FitReplay:
    """One pass over a FIT activity: ``samples()`` streams, then ``file()`` has the metadata."""

    def __init__(self, path: str | Path) -> None:
        self.path = Path(path)
        self.facts = FileFacts(str(self.path))
        self._pending: deque[_HrDraft | FootpodSample] = deque()
        self._beats: deque[tuple[float, float]] = deque()  # (beat t, rr ms)
        self._clock = 0.0
        self._beat_end = float("-inf")
        self._hr_pending = 0
        self._done = False

    # ------------------------------------------------------------ streaming

    def samples(self) -> Iterator[ReplaySample]:
        """The samples in time order; raises ``ReplayError`` naming the file on bad input."""
        if self._done:
            raise RuntimeError("FitReplay.samples() reads the file once; make a new FitReplay")
        self._done = True
        name = str(self.path)
        try:
            with fitdecode.FitReader(
                name,
                check_crc=fitdecode.CrcCheck.RAISE,
                # Undefined developer types are skipped, not fatal: we read no developer field.
                error_handling=fitdecode.ErrorHandling.IGNORE,
            ) as reader:
                for frame in reader:
                    if isinstance(frame, fitdecode.FitDataMessage):
                        yield from self._message(frame)
        except OSError as exc:
            raise ReplayError(name, f"cannot read the file ({exc.strerror or exc})") from exc
        except _DECODE_ERRORS as exc:
            raise ReplayError(name, f"not a readable FIT file: {exc}") from exc
        if self.facts.counts["records"] == 0:
            kind = self.facts.file_id.get("type")
            raise ReplayError(name, f"no activity records in this FIT file (type {kind})")
        yield from self._release(final=True)
        self.facts.count("rr_dropped", len(self._beats))
        self._beats.clear()

    def _message(self, frame: Any) -> list[ReplaySample]:
        name = frame.name
        if name == "record":
            return self._record(frame)
        if name == "hrv":
            self._hrv(frame.get_value("time", fallback=None))
        elif name in {"lap", "session", "file_id", "sport", "event"}:
            values = {f.name: f.value for f in frame.fields if not isinstance(f.field, DevField)}
            self.facts.keep(name, values)
            if name == "file_id" and (kind := values.get("type")) not in {None, "activity"}:
                raise ReplayError(
                    str(self.path), f"a FIT {kind} file, not an activity: nothing to replay"
                )
        return []

    def _record(self, frame: Any) -> list[ReplaySample]:
        values: dict[str, Any] = {}
        for f in frame.fields:
            if isinstance(f.field, DevField):
                self.facts.note_dev_field(str(f.name) if f.name else f"unnamed #{f.def_num}")
            elif f.value is not None or f.name not in values:
                # A compressed_speed_distance record has speed twice: the empty raw field
                # and the value expanded from the compressed one.
                values[f.name] = f.value
        stamp = values.get("timestamp")
        at = fit_seconds(stamp)
        if at is None:
            return []
        t = self.facts.place_record(at, stamp, values)
        if self._beat_end > t + RESYNC_S:
            # Beats written before this record cannot be this far after it.
            self._shift_beats(t - self._beat_end)
        if "heart_rate" in values:
            bpm = as_int(values["heart_rate"])
            self._pending.append(_HrDraft(t, bpm or None))
            self._hr_pending += 1
            self.facts.count("hr" if bpm else "hr_gap")
        speed = as_float(values.get("enhanced_speed"))
        if speed is None:
            speed = as_float(values.get("speed"))
        if speed is not None:
            self._pending.append(_footpod(t, speed, values))
            self.facts.count("pod")
        elif "speed" in values or "enhanced_speed" in values:
            self.facts.count("pod_gap")
        return self._release(final=False)

    def _hrv(self, raw: object) -> None:
        values = raw if isinstance(raw, tuple) else (raw,)
        rr = [float(v) for v in values if isinstance(v, int | float) and v > 0]
        if not rr:
            return
        total = sum(rr)
        if self.facts.t0 is not None and self._clock + total < self.facts.newest - RESYNC_S:
            # Written after the record at ``_newest``: these beats cannot end this long before it.
            self._shift_beats(self.facts.newest - total - self._clock)
        for v in rr:
            self._clock += v
            self._beats.append((self._clock, v * 1000.0))
        self._beat_end = self._clock

    def _shift_beats(self, delta: float) -> None:
        self.facts.count("resync")
        self._clock += delta
        self._beat_end += delta
        self._beats = deque((bt + delta, ms) for bt, ms in self._beats)

    def _release(self, *, final: bool) -> list[ReplaySample]:
        out: list[ReplaySample] = []
        last_hr = None
        if final:
            last_hr = next((p for p in reversed(self._pending) if isinstance(p, _HrDraft)), None)
        while self._pending:
            head = self._pending[0]
            if isinstance(head, FootpodSample):
                self._pending.popleft()
                out.append(head)
                continue
            # Wait for this sample's beats, and keep the newest heart-rate sample back
            # so beats that come late still have a sample at/after them.
            waiting = head.t > self._beat_end or self._hr_pending < 2
            if waiting and not final and self.facts.newest - head.t < LOOKAHEAD_S:
                break
            self._pending.popleft()
            self._hr_pending -= 1
            # The last sample takes beats up to RESYNC_S after it; later ones were
            # recorded after the records ended (a Fenix 3 writes 5 min more of them).
            until = head.t + RESYNC_S if head is last_hr else head.t
            beats = self._beats
            while beats and beats[0][0] <= until:
                head.rr.append(beats.popleft()[1])
            self.facts.count("rr", len(head.rr))
            out.append(HeartRateSample(t=head.t, bpm=head.bpm, rr_ms=tuple(head.rr)))
        return out

    # ------------------------------------------------------------- metadata

    def file(self, samples: tuple[ReplaySample, ...] = ()) -> ReplayFile:
        """The metadata (after ``samples()`` was read to the end), with ``samples`` attached."""
        return build_file(self.facts, samples)


def _footpod(t: float, speed: float, values: dict[str, Any]) -> FootpodSample:
    strides = as_float(values.get("cadence"))
    steps = (
        0.0
        if strides is None
        else 2.0 * (strides + (as_float(values.get("fractional_cadence")) or 0.0))
    )
    step_mm = as_float(values.get("step_length"))
    if step_mm:
        stride: float | None = step_mm / 1000.0
    elif steps > 0 and speed > 0:
        stride = speed * 60.0 / steps
    else:
        stride = None
    return FootpodSample(
        t=t,
        speed_mps=speed,
        cadence_spm=steps,
        stride_m=stride,
        distance_m=as_float(values.get("distance")),
    )


def iter_fit(path: str | Path) -> Iterator[ReplaySample]:
    """Stream a FIT activity's samples (metadata discarded); ``ReplayError`` on bad input."""
    return FitReplay(path).samples()


def read_fit(path: str | Path) -> ReplayFile:
    """Read a whole FIT activity: samples and metadata; ``ReplayError`` on bad input."""
    replay = FitReplay(path)
    samples = tuple(replay.samples())
    return replay.file(samples)
