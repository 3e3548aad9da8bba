"""Engine events and samples in, a growing ``SessionRecord`` out. Pure: time is an argument.

The daemon's recorder persists what this builds (checkpointing new points every
few seconds); ``hiitd replay`` uses it in memory. A session starts when the
engine leaves the countdown (step 0 begins, ``t = 0``) and ends with
``SessionEnded``; samples outside a session are not recorded, but device
information is remembered across sessions.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import TYPE_CHECKING

from hiitd.coach.events import CueEvent, SessionEnded, State, StateChanged, StepEnded
from hiitd.record.point_columns import HrColumns, PodColumns
from hiitd.record.session_record import (
    AthleteSnapshot,
    CueRecord,
    DeviceRecord,
    PauseRecord,
    SessionRecord,
    SessionStatus,
    StepRecord,
)
from hiitd_drivers.samples import (
    BatterySample,
    DeviceInfoSample,
    FootpodSample,
    HeartRateSample,
    Role,
    Sample,
)

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.coach.events import Event, StateSnapshot, StepSummary
    from hiitd.coach.profile import AthleteProfile
    from hiitd.coach.workout_model import PlannedStep


def athlete_snapshot(p: AthleteProfile) -> AthleteSnapshot:
    """The profile values a session's metrics depend on, frozen with the session."""
    return AthleteSnapshot(
        max_hr=p.max_hr,
        resting_hr=p.resting_hr,
        lthr=p.lthr,
        age=p.age,
        sex=p.sex,
        weight_kg=p.weight_kg,
        threshold_speed_mps=p.threshold_speed_mps,
        beta_blockers=p.beta_blockers,
    )


@dataclass
class _Open:
    """The session being built."""

    session_id: str
    workout: str | None
    t0: float  # source-clock time of t = 0
    start_wall: float
    athlete: AthleteSnapshot
    planned: tuple[PlannedStep, ...]
    hr: HrColumns = field(default_factory=HrColumns)  # compact: see point_columns.py
    pod: PodColumns = field(default_factory=PodColumns)
    steps: list[StepRecord] = field(default_factory=list)
    pauses: list[PauseRecord] = field(default_factory=list)
    cues: list[CueRecord] = field(default_factory=list)
    status: SessionStatus = SessionStatus.RUNNING
    end_t: float | None = None

    def end(self, status: SessionStatus, t: float) -> None:
        """The session stopped or finished ``t`` seconds in."""
        self.status, self.end_t = status, t

    def reanchor(self, start_wall: float) -> None:
        """The start in a corrected wall time (the clock was set during the session)."""
        self.start_wall = start_wall

    def complete(self) -> None:
        """A stopped session turns out to have completed its workout (``SessionEnded`` says so)."""
        self.status = SessionStatus.FINISHED


@dataclass
class RecordBuilder:
    """Builds the record of the current (or last) session from what the engine says."""

    profile: Callable[[], AthleteProfile]
    planned: Callable[[], tuple[PlannedStep, ...]]
    wall_at: Callable[[float], float]  # source-clock time -> Unix time
    sub_sport: str = "generic"
    devices: dict[Role, DeviceRecord] = field(default_factory=dict)
    current: _Open | None = None
    _step_index: int | None = None

    @property
    def active(self) -> bool:
        """A session is being recorded now."""
        return self.current is not None and self.current.status is SessionStatus.RUNNING

    # ------------------------------------------------------------------ input

    def on_events(self, events: list[Event], now: float) -> None:
        """Fold engine events (in order) into the record."""
        for event in events:
            match event:
                case StateChanged(snapshot=snap):
                    self._on_state(snap, now)
                case StepEnded(summary=s):
                    self._end_step(s.index, now, s.ended_by.value, s)
                case CueEvent(cue=cue) if self.active and self.current is not None:
                    t = now - self.current.t0
                    record = CueRecord(t, cue.id, cue.kind.value, cue.text, cue.step_index)
                    self.current.cues.append(record)
                case SessionEnded(summary=s) if self.current is not None:
                    self._finish(
                        now, SessionStatus.FINISHED if s.completed else SessionStatus.STOPPED
                    )
                case _:
                    pass

    def on_sample(self, sample: Sample, now: float) -> None:
        """Record a measurement (during a session) or remember a device (always)."""
        match sample:
            case HeartRateSample() if self.active and self.current is not None:
                t = now - self.current.t0
                self.current.hr.append(t, sample.bpm, sample.rr_ms, sample.contact)
            case FootpodSample() if self.active and self.current is not None:
                t = now - self.current.t0
                self.current.pod.append(
                    t, sample.speed_mps, sample.cadence_spm, sample.stride_m, sample.distance_m
                )
            case DeviceInfoSample():
                old = self.devices.get(sample.role, DeviceRecord(sample.role.value))
                self.devices[sample.role] = replace(
                    old,
                    address=sample.address,
                    name=sample.name,
                    manufacturer=sample.manufacturer,
                    model=sample.model,
                    serial=sample.serial,
                    firmware=sample.firmware,
                )
            case BatterySample():
                old = self.devices.get(sample.role, DeviceRecord(sample.role.value))
                self.devices[sample.role] = replace(old, battery=sample.level)
            case _:
                pass

    def reanchor(self, start_wall: float) -> None:
        """The wall clock was set meanwhile: the session's start, in the corrected wall time."""
        if self.current is not None:
            self.current.reanchor(start_wall)

    def resume(
        self, record: SessionRecord, t0: float, gap: tuple[float, float] | None = None
    ) -> None:
        """Continue recording a stored, unfinished session (after a daemon restart).

        ``t0`` is the source-clock time of the record's ``t = 0``, so new points
        get ``t = now - t0`` after the stored ones (see ``recovery.resume_t0``:
        the downtime stays a gap). The engine must come back with the same
        session id, or its next state starts a new session. The open step (if
        any) continues; devices known now win over the stored ones. ``gap``
        (start and end ``t`` of the downtime) is recorded as a pause: the runner
        was not coached, and it is no moving time.
        """
        self.current = _Open(
            session_id=record.session_id,
            workout=record.workout,
            t0=t0,
            start_wall=record.start_wall,
            athlete=record.athlete,
            planned=self.planned(),
            hr=HrColumns(record.hr),
            pod=PodColumns(record.pod),
            steps=list(record.steps),
            pauses=list(record.pauses),
            cues=list(record.cues),
        )
        open_pause = any(p.end_t is None for p in record.pauses)
        if gap is not None and gap[1] > gap[0] and not open_pause:
            self.current.pauses.append(PauseRecord(gap[0], gap[1], auto=True))
        open_steps = [s.index for s in record.steps if s.end_t is None]
        self._step_index = open_steps[-1] if open_steps else None
        roles = {r.value: r for r in Role}
        for device in record.devices:
            if device.role in roles:
                self.devices.setdefault(roles[device.role], device)

    def release(self, session_id: str) -> None:
        """Forget the record of session ``session_id`` once it has ended; the next one starts anew.

        A running session, or another one, is kept.
        """
        cur = self.current
        if cur is not None and cur.session_id == session_id and not self.active:
            self.current = None

    # ----------------------------------------------------------------- output

    def record(self) -> SessionRecord | None:
        """The session so far (or the last one, once it ended).

        Its points are views on the builder's columns (cheap to take every few
        seconds); ``materialized()`` before reading them many times.
        """
        s = self.current
        if s is None:
            return None
        return SessionRecord(
            session_id=s.session_id,
            workout=s.workout,
            start_wall=s.start_wall,
            status=s.status,
            end_t=s.end_t,
            athlete=s.athlete,
            hr=s.hr.view(),
            pod=s.pod.view(),
            steps=tuple(s.steps),
            pauses=tuple(s.pauses),
            cues=tuple(s.cues),
            devices=tuple(self.devices[r] for r in sorted(self.devices)),
            sub_sport=self.sub_sport,
        )

    # --------------------------------------------------------------- internals

    def _on_state(self, snap: StateSnapshot, now: float) -> None:
        is_new = self.current is None or self.current.session_id != snap.session_id
        if snap.state in {State.RUNNING, State.PAUSED} and snap.session_id is not None and is_new:
            self._begin(snap, now)
        s = self.current
        if s is None or not self.active:
            return
        t = now - s.t0
        if snap.step is not None and snap.step.index != self._step_index:
            if self._step_index is not None:
                self._end_step(self._step_index, now, None)
            self._start_step(snap.step.index, snap.step.label, t)
        paused = snap.state is State.PAUSED
        open_pause = bool(s.pauses) and s.pauses[-1].end_t is None
        if paused and not open_pause:
            s.pauses.append(PauseRecord(t, None, auto=snap.paused_by == "auto"))
        elif not paused and open_pause:
            s.pauses[-1] = replace(s.pauses[-1], end_t=t)
        if snap.state is State.FINISHED:
            self._finish(now, SessionStatus.STOPPED)

    def _begin(self, snap: StateSnapshot, now: float) -> None:
        assert snap.session_id is not None  # checked by the caller
        self.current = _Open(
            session_id=snap.session_id,
            workout=snap.workout,
            t0=now,
            start_wall=self.wall_at(now),
            athlete=athlete_snapshot(self.profile()),
            planned=self.planned(),
        )
        self._step_index = None

    def _start_step(self, index: int, label: str, t: float) -> None:
        s = self.current
        if s is None:
            return
        self._step_index = index
        planned = s.planned[index].step if 0 <= index < len(s.planned) else None
        name = (planned.name if planned else "") or label
        s.steps.append(
            StepRecord(
                index=index,
                name=name,
                label=label,
                intensity=planned.intensity.value if planned else "active",
                start_t=t,
                end_t=None,
                duration_type=planned.duration.type.value if planned else "open",
                duration_value=planned.duration.value if planned else None,
                target_type=planned.target.type.value if planned else "open",
                target_low=planned.target.low if planned else None,
                target_high=planned.target.high if planned else None,
            )
        )

    def _end_step(
        self, index: int, now: float, ended_by: str | None, summary: StepSummary | None = None
    ) -> None:
        """Close step ``index``; with the engine's summary, keep its score (compliance.py)."""
        s = self.current
        if s is None:
            return
        t = now - s.t0
        for i in range(len(s.steps) - 1, -1, -1):
            step = s.steps[i]
            if step.index == index:
                step = replace(
                    step,
                    end_t=step.end_t if step.end_t is not None else t,
                    ended_by=ended_by or step.ended_by,
                )
                if summary is not None:
                    step = replace(
                        step,
                        in_s=summary.in_s,
                        below_s=summary.below_s,
                        above_s=summary.above_s,
                        gap_s=summary.gap_s,
                        unscored=summary.unscored,
                    )
                s.steps[i] = step
                break
        if self._step_index == index and ended_by is not None:
            self._step_index = None

    def _finish(self, now: float, status: SessionStatus) -> None:
        s = self.current
        if s is None or s.status is not SessionStatus.RUNNING:
            if s is not None and status is SessionStatus.FINISHED:
                s.complete()  # SessionEnded after the finished state: it completed
            return
        t = now - s.t0
        if self._step_index is not None:
            self._end_step(self._step_index, now, None)
        if s.pauses and s.pauses[-1].end_t is None:
            s.pauses[-1] = replace(s.pauses[-1], end_t=t)
        s.end(status, t)
        self._step_index = None
