"""A realistic recorded session for the export tests: the simulator through the real parsers.

A 4x4: 10 min warm-up, four 4-minute work intervals with three 3-minute
recoveries, 5 min cool-down. Faults a real run has: a 60 s manual pause in the
second recovery, a 2-minute chest-strap link dropout in the third interval, 20 s
of lost skin contact, and a footpod that drops out for 8 s and comes back with
its distance total restarted from zero. Payloads are real 0x2A37/0x2A53 bytes
from ``SimulatedAthlete``, decoded by ``parse_heart_rate``/``parse_rsc`` and
cleaned by ``hiitd_drivers.convert`` exactly as the daemon does.
"""

from __future__ import annotations

from dataclasses import replace
from functools import cache

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
from hiitd.record.session_record import (
    AthleteSnapshot,
    CueRecord,
    DeviceRecord,
    HrPoint,
    PauseRecord,
    PodPoint,
    SessionRecord,
    SessionStatus,
    StepRecord,
)
from hiitd_drivers.convert import footpod_sample, heart_rate_sample
from hiitd_drivers.gatt.heart_rate import parse_heart_rate
from hiitd_drivers.gatt.rsc import parse_rsc
from hiitd_drivers.gatt.uuids import HEART_RATE_MEASUREMENT
from hiitd_drivers.samples import Role
from hiitd_drivers.sim_athlete import Dropout, SimulatedAthlete

START_WALL = 1_767_261_600.4  # 2026-01-01T10:00:00.4Z
PAUSE = (1300.0, 1360.0)  # inside the second recovery (1260-1440 s before the pause)
HR_DROPOUT = (1560.0, 1680.0)  # link lost in the third work interval (1500-1740 s)
CONTACT_LOSS = (700.0, 720.0)  # first work interval
POD_DROPOUT = (1100.0, 1108.0)  # second work interval; the pod comes back with its total reset
TICK_S = 0.25

_WORK = Target(TargetType.SPEED, 4.0, 4.4)
_EASY = Target(TargetType.HR, 120, 150)
WORKOUT = Workout(
    name='4x4 <intervals> & "friends"',
    items=(
        Step(Intensity.WARMUP, Duration(DurationType.TIME, 600), _EASY, name="Warm-up"),
        Repeat(
            3,
            (
                Step(Intensity.ACTIVE, Duration(DurationType.TIME, 240), _WORK, name="Work"),
                Step(Intensity.RECOVERY, Duration(DurationType.TIME, 180), name="Jog"),
            ),
        ),
        Step(Intensity.ACTIVE, Duration(DurationType.TIME, 240), _WORK, name="Work"),
        Step(Intensity.COOLDOWN, Duration(DurationType.TIME, 300), name="=Cool-down"),
    ),
)
_SPEED = {
    Intensity.WARMUP: 2.8,
    Intensity.ACTIVE: 4.2,
    Intensity.RECOVERY: 2.3,
    Intensity.COOLDOWN: 2.6,
}


def _schedule() -> list[StepRecord]:
    """Steps as the engine would record them: moving time, so the pause stretches its step."""
    steps: list[StepRecord] = []
    t = 0.0
    for planned in WORKOUT.expand():
        s = planned.step
        assert s.duration.value is not None
        end = t + s.duration.value
        if t <= PAUSE[0] < end:
            end += PAUSE[1] - PAUSE[0]
        label = (
            f"Interval {planned.work_number} of {planned.work_count}"
            if planned.work_number
            else s.name
        )
        steps.append(
            StepRecord(
                index=planned.index,
                name=s.name,
                label=label,
                intensity=str(s.intensity),
                start_t=t,
                end_t=end,
                duration_type=str(s.duration.type),
                duration_value=s.duration.value,
                target_type=str(s.target.type),
                target_low=s.target.low,
                target_high=s.target.high,
                ended_by="time",
            )
        )
        t = end
    return steps


def _speed_at(steps: list[StepRecord], t: float) -> float:
    if PAUSE[0] <= t < PAUSE[1]:
        return 0.0
    for s in steps:
        assert s.end_t is not None
        if s.start_t <= t < s.end_t:
            return _SPEED[Intensity(s.intensity)]
    return 0.0


@cache
def four_by_four() -> SessionRecord:
    """The simulated 4x4 session (deterministic: seeded simulator, fixed schedule)."""
    steps = _schedule()
    end = steps[-1].end_t
    assert end is not None
    athlete = SimulatedAthlete(
        seed=7,
        dropouts=(
            Dropout(Role.HR, HR_DROPOUT[0], HR_DROPOUT[1] - HR_DROPOUT[0], "link"),
            Dropout(Role.HR, CONTACT_LOSS[0], CONTACT_LOSS[1] - CONTACT_LOSS[0], "contact"),
            Dropout(Role.FOOTPOD, POD_DROPOUT[0], POD_DROPOUT[1] - POD_DROPOUT[0], "link"),
        ),
    )
    hr: list[HrPoint] = []
    pod: list[PodPoint] = []
    athlete.advance(0.0, 0.0)
    reset_at: float | None = None
    n = 1
    while n * TICK_S <= end:
        now = n * TICK_S
        for uuid, payload in athlete.advance(now, _speed_at(steps, now)):
            if uuid == HEART_RATE_MEASUREMENT:
                s = heart_rate_sample(parse_heart_rate(payload), now)
                hr.append(HrPoint(s.t, s.bpm, s.rr_ms, s.contact))
            else:
                f = footpod_sample(parse_rsc(payload), now)
                distance = f.distance_m
                if now >= POD_DROPOUT[1] and distance is not None:
                    # The pod rebooted during its dropout: its total restarts at 0.
                    reset_at = distance if reset_at is None else reset_at
                    distance -= reset_at
                pod.append(PodPoint(f.t, f.speed_mps, f.cadence_spm, f.stride_m, distance))
        n += 1
    cues = tuple(
        CueRecord(s.start_t + 0.5, f"c{s.index}", "step_start", f"{s.label}: go", s.index)
        for s in steps
    )
    return SessionRecord(
        session_id="2026-01-01T10-00-00-4x4",
        workout=WORKOUT.name,
        start_wall=START_WALL,
        status=SessionStatus.FINISHED,
        end_t=end,
        athlete=AthleteSnapshot(max_hr=190, resting_hr=55, age=40, sex="female", weight_kg=60),
        hr=tuple(hr),
        pod=tuple(pod),
        steps=tuple(steps),
        pauses=(PauseRecord(PAUSE[0], PAUSE[1], auto=False),),
        cues=cues,
        devices=(
            DeviceRecord(
                "hr",
                "C0:FF:EE:00:00:01",
                "Polar H10 1A2B3C4D",
                "Polar Electro Oy",
                "H10",
                "1234567",
                "3.0.56",
                90,
            ),
            DeviceRecord(
                "footpod", "C0:FF:EE:00:00:02", "Stryd", "Stryd", "Stryd Next", "ST-42", "1.2", 70
            ),
        ),
        sub_sport="treadmill",
    )


def free_run() -> SessionRecord:
    """A short run with no workout, hand-made: fractional cadence, one HR point without contact."""
    hr = tuple(
        HrPoint(float(t), None if t == 5 else 140 + t, (430.0 + t, 431.0) if t != 5 else (), True)
        for t in range(12)
    )
    pod = tuple(
        PodPoint(t + 0.5, 3.0 + 0.01 * t, 171.3 + t, 1.05, 3.0 * (t + 0.5)) for t in range(12)
    )
    base = four_by_four()
    return replace(
        base,
        session_id="free",
        workout=None,
        end_t=12.0,
        hr=hr,
        pod=pod,
        steps=(),
        pauses=(),
        cues=(),
        devices=(),
        sub_sport="street",
    )
