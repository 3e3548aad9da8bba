"""What the runner hears: cue texts, ids, rate limiting and priority order.

Texts are short and spoken-first ("4:05 to 4:20 per km", not "4:05-4:20 /km"):
they go to a speaker or a watch notification while someone runs hard.
"""

from __future__ import annotations

from hiitd.coach.events import (
    CORRECTION_KINDS,
    Cue,
    CueKind,
    Priority,
    TargetView,
)
from hiitd.coach.workout_model import Duration, DurationType, Intensity, PlannedStep, TargetType

# Below this a pace is meaningless (minutes per km in the hundreds): "standing".
_MIN_PACE_SPEED_MPS = 0.3

_PRIORITY: dict[CueKind, Priority] = {
    CueKind.SAFETY_HR_CEILING: Priority.SAFETY,
    CueKind.COUNTDOWN: Priority.STEP,
    CueKind.STEP_START: Priority.STEP,
    CueKind.STEP_END: Priority.STEP,
    CueKind.PAUSED: Priority.STEP,
    CueKind.RESUMED: Priority.STEP,
    CueKind.SESSION_END: Priority.STEP,
    CueKind.HALFWAY: Priority.INFO,
    CueKind.SENSOR_LOST: Priority.INFO,
    CueKind.SENSOR_BACK: Priority.INFO,
    **dict.fromkeys(CORRECTION_KINDS, Priority.CORRECTION),
}


def priority_of(kind: CueKind) -> Priority:
    """The default priority of a cue kind."""
    return _PRIORITY[kind]


# ------------------------------------------------------------------ formatting


def pace_text(speed_mps: float | None) -> str:
    """Speed as a spoken pace, "4:05" (per km); "standing" when still."""
    if speed_mps is None or speed_mps < _MIN_PACE_SPEED_MPS:
        return "standing"
    total = round(1000.0 / speed_mps)
    return f"{total // 60}:{total % 60:02d}"


def _num(x: float) -> str:
    return f"{x:.0f}"


def spoken_target(ttype: TargetType, low: float | None, high: float | None) -> str:
    """A target to say: "4:05 to 4:20 per km", "heart rate 150 to 160"."""
    if ttype is TargetType.OPEN or (low is None and high is None):
        return ""
    if ttype is TargetType.SPEED:
        fast, slow = pace_text(high) if high else "", pace_text(low) if low else ""
        if fast and slow:
            return f"{fast} to {slow} per km"
        return f"faster than {slow} per km" if slow else f"no faster than {fast} per km"
    what = {TargetType.HR: "heart rate", TargetType.CADENCE: "cadence", TargetType.POWER: "power"}
    name = what[ttype]
    if low is not None and high is not None:
        return f"{name} {_num(low)} to {_num(high)}"
    return f"{name} above {_num(low)}" if low is not None else f"{name} under {_num(high or 0)}"


def seconds_phrase(s: float) -> str:
    """ "4 minutes", "90 seconds", "2 minutes 30"."""
    s = round(s)
    if s < 120 and s % 60:
        return f"{s} seconds"
    m, r = divmod(s, 60)
    unit = "minute" if m == 1 else "minutes"
    return f"{m} {unit}" if r == 0 else f"{m} {unit} {r}"


def halfway_phrase(left_s: float | None = None, left_m: float | None = None) -> str:
    """What is left at halfway, in round figures: "2 minutes", "30 seconds", "400 metres"
    (it was "119 seconds"): whole minutes from a minute up, else 10 s; 10 m steps."""
    if left_s is not None:
        if left_s >= 60:
            m = max(1, round(left_s / 60))
            return f"{m} minute" if m == 1 else f"{m} minutes"
        return f"{max(10, round(left_s / 10) * 10)} seconds"
    return metres_phrase(round((left_m or 0.0) / 10) * 10)


def metres_phrase(m: float) -> str:
    """ "800 metres", "2.5 kilometres"."""
    if m < 1000:
        return f"{m:.0f} metres"
    km = m / 1000
    return f"{km:.0f} kilometres" if km.is_integer() else f"{km:.1f} kilometres"


def duration_phrase(d: Duration) -> str:
    """How the step ends, said in a few words."""
    v = d.value or 0.0
    match d.type:
        case DurationType.TIME:
            return seconds_phrase(v)
        case DurationType.DISTANCE:
            return metres_phrase(v)
        case DurationType.HR_BELOW:
            return f"until heart rate drops below {v:.0f}"
        case DurationType.HR_ABOVE:
            return f"until heart rate rises above {v:.0f}"
        case _:
            return "until you press lap"


_NAMES = {
    Intensity.WARMUP: "Warm-up",
    Intensity.ACTIVE: "Interval",
    Intensity.RECOVERY: "Recovery",
    Intensity.REST: "Rest",
    Intensity.COOLDOWN: "Cool-down",
}


def step_label(ps: PlannedStep) -> str:
    """ "Interval 3 of 8", "Recovery 2 of 4", "Warm-up"."""
    base = _NAMES[ps.step.intensity]
    if ps.work_number is not None and ps.work_count is not None and ps.work_count > 1:
        return f"{base} {ps.work_number} of {ps.work_count}"
    if ps.rep is not None and ps.rep_count is not None and ps.rep_count > 1:
        return f"{base} {ps.rep} of {ps.rep_count}"
    return base


SHORT_STEP_S = 60.0  # a timed step shorter than this gets a terse script
_TERSE = {Intensity.ACTIVE: "Go", Intensity.RECOVERY: "Jog", Intensity.REST: "Rest"}
_TERSE_WORDS = 3  # a step name up to this long is said as the step's one cue


def is_short(ps: PlannedStep) -> bool:
    """A timed work, recovery or rest step under ``SHORT_STEP_S``: one or two words at its
    start, no summary at its end, no corrections but safety (a 10 s sprint has no time
    for "Interval 4 of 30. 10 seconds.", its workout cue, and its summary)."""
    d = ps.step.duration
    return (
        ps.step.intensity in _TERSE
        and d.type is DurationType.TIME
        and d.value is not None
        and d.value < SHORT_STEP_S
    )


def summary_spoken(ps: PlannedStep, step_count: int) -> bool:
    """Whether a step's summary is said as it ends (it is always published): for work
    steps only, the runner's feedback on the rep ("Recovery 1 of 4 done: heart rate 132
    average." took the minute's speech from the next rep's first correction); not for a
    short step, nor for the last (the session's own summary follows at once)."""
    return ps.step.intensity is Intensity.ACTIVE and not is_short(ps) and ps.index + 1 < step_count


def terse_text(ps: PlannedStep, nxt: PlannedStep | None = None) -> str:
    """A short step's start: its name when it has a short one ("Sprint", "Rest"), else
    "Go", "Jog" or "Rest". A circuit's station by name and place ("Plank, 4 of 7.", with
    "Round 2." before a round's first), and a rest before one says what comes ("Rest.
    Next: Plank.")."""
    name = ps.step.name.strip()
    if ps.station is not None and ps.stations is not None:
        head = f"Round {ps.rep}. " if ps.station == 1 and ps.rep is not None and ps.rep > 1 else ""
        return f"{head}{name or 'Go'}, {ps.station} of {ps.stations}."
    said = name if name and len(name.split()) <= _TERSE_WORDS else _TERSE[ps.step.intensity]
    coming = "" if nxt is None or nxt.station is None else nxt.step.name.strip()
    return f"{said}. Next: {coming}." if coming else f"{said}."


def brief_text(ps: PlannedStep) -> str:
    """A step's announcement at its shortest, when the full one does not fit the speech
    budget (budget.py): "Interval 3 of 8.", or a short step's terse start."""
    return terse_text(ps) if is_short(ps) else f"{step_label(ps)}."


def step_start_text(ps: PlannedStep, target: TargetView, ttype: TargetType) -> str:
    """ "Interval 3 of 8. 4 minutes at 4:05 to 4:20 per km." """
    label = step_label(ps)
    dur = duration_phrase(ps.step.duration)
    said = spoken_target(ttype, target.low, target.high)
    if not said:
        return f"{label}. {dur}."
    joiner = " at " if ttype is TargetType.SPEED else ", "
    return f"{label}. {dur}{joiner}{said}."


def correction_text(
    kind: CueKind, value: float, low: float | None, high: float | None, ceiling: bool
) -> str:
    """ "Pick it up: 4:32 per km, target 4:05 to 4:20." and friends."""
    match kind:
        case CueKind.SPEED_UP | CueKind.SLOW_DOWN:
            head = "Pick it up" if kind is CueKind.SPEED_UP else "Ease back"
            fast, slow = pace_text(high) if high else "", pace_text(low) if low else ""
            rng = f"{fast} to {slow}" if fast and slow else (fast or slow)
            if value < _MIN_PACE_SPEED_MPS:  # was "Pick it up: standing per km"
                return f"You have stopped: target {rng} per km."
            return f"{head}: {pace_text(value)} per km, target {rng}."
        case CueKind.HR_HIGH:
            if ceiling or low is None:
                return f"Ease off, heart rate {value:.0f}, ceiling {high or 0:.0f}."
            return f"Ease off, heart rate {value:.0f}, target {low:.0f} to {high or 0:.0f}."
        case CueKind.HR_LOW:
            return f"Push a little: heart rate {value:.0f}, target {_range(low, high)}."
        case CueKind.CADENCE_UP:
            return f"Quicker steps: cadence {value:.0f}, target {_range(low, high)}."
        case CueKind.CADENCE_DOWN:
            return f"Longer, calmer steps: cadence {value:.0f}, target {_range(low, high)}."
        case _:
            raise ValueError(f"{kind} is not a correction")


BY_FEEL_TEXT = {
    "below": "The target looks too fast today: run by feel, stay smooth.",
    "above": "Faster than the target rep after rep: hold back, keep some for the last ones.",
}


def _range(low: float | None, high: float | None) -> str:
    if low is not None and high is not None:
        return f"{low:.0f} to {high:.0f}"
    return f"at least {low:.0f}" if low is not None else f"at most {high or 0:.0f}"


def countdown_due(
    left: float, said: frozenset[int], cue_from: int
) -> tuple[int | None, frozenset[int]]:
    """The countdown number to say with ``left`` seconds to go, and the numbers said after.

    Only the lowest number crossed is said: after a long gap between calls one
    "1" is useful, "3, 2, 1" at once is noise.
    """
    due = [n for n in range(cue_from, 0, -1) if left <= n and n not in said]
    if not due:
        return None, said
    n = min(due)
    return n, said | frozenset(range(n, cue_from + 1))


# ------------------------------------------------------------------ the book


class CueBook:
    """Makes cues with unique ids and remembers when each correction kind was last said,
    and which sets the runner is left to run by feel in (``hush``)."""

    __slots__ = ("_hushed", "_last", "_streak", "count", "session_id")

    def __init__(self, session_id: str) -> None:
        self.session_id = session_id
        self.count = 0
        self._last: dict[CueKind, float] = {}
        self._streak: dict[CueKind, int] = {}
        self._hushed: set[tuple[int, str]] = set()

    def make(
        self,
        kind: CueKind,
        text: str,
        reason: str,
        step_index: int | None,
        *,
        target: TargetView | None = None,
        value: float | None = None,
        priority: Priority | None = None,
        source: str = "engine",
    ) -> Cue:
        """A new cue; its id is the session id and a counter."""
        self.count += 1
        return Cue(
            id=f"{self.session_id}:{self.count}",
            kind=kind,
            priority=priority_of(kind) if priority is None else priority,
            text=text,
            reason=reason,
            step_index=step_index,
            target=target,
            value=value,
            source="workout" if source == "workout" else "engine",
        )

    def allowed(self, kind: CueKind, now: float, interval_s: float, backoff: float = 1.0) -> bool:
        """Whether ``kind`` may be said again at ``now``.

        Not within ``interval_s`` of the last one; and while the runner stays out
        of the target the wait grows by ``backoff`` per repeat (30, 60, 120 s):
        a runner who cannot hold the pace needs to hear it, not to hear it
        eight times in a four-minute rep.
        """
        last = self._last.get(kind)
        if last is None:
            return True
        streak = self._streak.get(kind, 0)
        return now - last >= interval_s * backoff ** max(0, streak - 1)

    def said(self, kind: CueKind, now: float) -> None:
        """Record that ``kind`` was said at ``now``."""
        self._last[kind] = now
        self._streak[kind] = self._streak.get(kind, 0) + 1

    def calm(self) -> None:
        """The runner is back in target (or a new set began): repeats start over at 30 s."""
        self._streak.clear()

    def hush(self, set_start: int, side: str) -> None:
        """Stay quiet about ``side`` ("below"/"above") for the rest of the set at ``set_start``."""
        self._hushed.add((set_start, side))

    def hushed(self, set_start: int, side: str) -> bool:
        """Whether ``side`` corrections are off for the set starting at step ``set_start``."""
        return (set_start, side) in self._hushed
