"""The speech budget: the engine says only what a runner can take in.

Every cue the engine makes passes through ``settle`` once, in the engine's flush,
before any consumer sees it (MQTT, Home Assistant, a speaker, a page): they all
get the same, already disciplined stream. Each cue's spoken length is estimated
from its words at a nominal speaking rate (speech.py). The rules, checked in
priority order (safety first, workout texts and notices last):

* **A quarter of any minute:** the cues sent in any 60 s add up to at most
  ``speech_share`` of it (15 s). Corrections and notices keep room (``RESERVE_S``,
  ``SUMMARY_RESERVE_S``) for what is said at the step change when it falls in the
  same minute: the next step's announcement and a work step's summary. In a work
  step with a target, workout texts and notices keep room for one correction.
* **A quarter of a short step:** in a step planned shorter than 60 s (a Tabata
  rest, a 30-30 rep) the cues said in it add up to at most ``speech_share`` of
  its length; but for the step's own announcement, room is kept for the countdown
  that ends it.
* **Nothing but the countdown in the last seconds** (``speech_quiet_s``) before a
  step change: a cue that would still be speaking then is not said.
* A countdown number is said only while there is room for it and the numbers
  after it: in a 10 s rest, "2, 1" rather than "3, 2" and no "1".
* A step's announcement is sure of its brief form ("Interval 3 of 8.", "Go.")
  before anything else of the moment is weighed (a step too short for even that
  word within its quarter still gets it; only the minute's budget can stop it),
  and said in full if there is room left after the other step-level cues (a work
  step's summary, the countdown).
  What does not fit is dropped, lowest priority first, each with a reason
  (``CueDropped``) that the daemon logs, counted in the step's summary.
* The safety cue bypasses every rule (it still counts: what follows it waits).
  So does the session's end: it is said after the last step, into silence.

Corrections of the old step in the batch that announces a new one are dropped
too (stale the moment the new step is said).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hiitd.coach.cues import brief_text, is_short, summary_spoken
from hiitd.coach.events import CORRECTION_KINDS, CueDropped, CueKind, Priority, State
from hiitd.coach.speech import WINDOW_S, spoken_s
from hiitd.coach.workout_model import Intensity

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import Cue
    from hiitd.coach.session_state import SessionState

SHORT_STEP_S = 60.0  # a step planned shorter than this has its own budget
RESERVE_S = 4.0  # kept free in any minute for the next step's announcement
SUMMARY_RESERVE_S = 5.0  # and for a work step's spoken summary, said with it
CORRECTION_RESERVE_S = 5.5  # a notice keeps room for one correction in a work step

# Announcements of a step change and answers to the runner's buttons: never held back
# by the quiet before a step change (they *are* the change, or the runner's own doing).
_AT_CHANGE = frozenset(
    {CueKind.STEP_START, CueKind.STEP_END, CueKind.PAUSED, CueKind.RESUMED, CueKind.SESSION_END}
)


def settle(
    s: SessionState, cfg: CoachConfig, cues: list[Cue], now: float, eta: float | None
) -> tuple[list[Cue], list[CueDropped]]:
    """The cues to send now, highest priority first, and those dropped (module docstring).

    ``eta``: the estimated seconds to the end of the running step (None: it ends on a
    lap or a heart rate).
    """
    log = s.speech
    wpm = cfg.speech_wpm
    change = any(c.kind in (CueKind.STEP_START, CueKind.STEP_END) and c.source == "engine"
                 for c in cues)  # fmt: skip
    ranked = sorted(enumerate(cues), key=lambda ic: (-int(ic[1].priority), ic[0]))
    said: dict[int, Cue] = {}
    dropped: list[CueDropped] = []
    # A step's announcement is sure of its brief form first ("Recovery 1 of 10."); the
    # rest weigh in priority order, the full announcement after the step-level cues.
    full: dict[int, Cue] = {}
    for at, cue in ranked:
        if _announces(s, cue):
            brief = replace(cue, text=brief_text(s.steps[cue.step_index or 0]))
            if _no_room(s, cfg, brief, now, eta, step_budget=False) is None:
                said[at], full[at] = brief, cue
                log.note(now, spoken_s(brief.text, wpm), _running_index(s))
    high = [(at, c) for at, c in ranked if c.priority >= Priority.STEP]
    low = [(at, c) for at, c in ranked if c.priority < Priority.STEP]
    _weigh(s, cfg, high, said, dropped, now=now, eta=eta, change=change)
    for at, cue in full.items():  # in full where there is room, before corrections
        more = spoken_s(cue.text, wpm) - spoken_s(said[at].text, wpm)
        if more > 0 and _no_room(s, cfg, cue, now, eta, said_s=more) is None:
            said[at] = cue
            log.note(now, more, _running_index(s))
    _weigh(s, cfg, low, said, dropped, now=now, eta=eta, change=change)
    return [said[at] for at, _ in ranked if at in said], dropped


def _weigh(
    s: SessionState,
    cfg: CoachConfig,
    cues: list[tuple[int, Cue]],
    said: dict[int, Cue],
    dropped: list[CueDropped],
    *,
    now: float,
    eta: float | None,
    change: bool,
) -> None:
    """Each of ``cues`` not said yet, in order: said when there is room, else dropped."""
    for at, cue in cues:
        if at in said:
            continue
        why: str | None = None
        if change and cue.kind in CORRECTION_KINDS:
            why = "the step changed in the same moment"
        elif cue.kind not in (CueKind.SAFETY_HR_CEILING, CueKind.SESSION_END):
            why = _no_room(s, cfg, cue, now, eta)
        if why is None:
            said[at] = cue
            s.speech.note(now, spoken_s(cue.text, cfg.speech_wpm), _running_index(s))
        else:
            dropped.append(CueDropped(cue, why))
            s.speech.drop(cue.step_index)


def _announces(s: SessionState, cue: Cue) -> bool:
    """A step's own announcement (it has a brief form)."""
    i = cue.step_index
    return (
        cue.kind is CueKind.STEP_START and cue.source == "engine" and i is not None
        and 0 <= i < len(s.steps)
    )  # fmt: skip


def _running_index(s: SessionState) -> int | None:
    run = s.run
    return run.ps.index if run is not None and s.state is not State.FINISHED else None


def _no_room(
    s: SessionState,
    cfg: CoachConfig,
    cue: Cue,
    now: float,
    eta: float | None,
    *,
    said_s: float | None = None,
    step_budget: bool = True,
) -> str | None:
    """Why ``cue`` (or ``said_s`` more seconds of it) cannot be said now; None: it can.

    ``step_budget=False``: not held to the short step's quarter (a step's brief
    announcement: a 2 s step still gets its one word; it counts all the same).
    """
    log = s.speech
    if said_s is None:
        said_s = spoken_s(cue.text, cfg.speech_wpm)
    # A countdown number needs room for itself and the numbers after it.
    need = said_s * max(1, round(cue.value or 1)) if cue.kind is CueKind.COUNTDOWN else said_s
    limit = cfg.speech_share * WINDOW_S
    used = log.minute_s(now)
    if used + need > limit:
        return f"{need:.1f} s more speech would pass the minute's {limit:.1f} s ({used:.1f} s said)"
    if (
        cue.priority is Priority.INFO
        and _corrected(s)
        and used + need + CORRECTION_RESERVE_S > limit
    ):
        # Lowest first: a workout text must not leave the rep's correction without room.
        return (
            f"{need:.1f} s more speech would leave a correction less than "
            f"{CORRECTION_RESERVE_S:g} s of the minute's {limit:.1f} s ({used:.1f} s said)"
        )
    if cue.priority < Priority.STEP and (eta is None or eta < WINDOW_S):
        # The step change falls in a minute with this cue: leave room for what is said
        # then (the next step's announcement, and a work step's summary).
        later = used if eta is None else log.since(now + eta - WINDOW_S)
        summary = s.run is not None and summary_spoken(s.run.ps, len(s.steps))
        keep = RESERVE_S + (SUMMARY_RESERVE_S if summary else 0.0)
        if later + need + keep > limit:
            return (
                f"{need:.1f} s more speech would leave the step change less than "
                f"{keep:g} s of the minute's {limit:.1f} s ({later:.1f} s said)"
            )
    run = s.run
    if run is None or s.state is State.FINISHED:
        return None
    # A distance step's length follows the runner's speed: a 400 m rep run fast is short.
    planned = run.planned_s() if eta is None else run.elapsed(s.moving_s) + eta
    if step_budget and planned is not None and planned < SHORT_STEP_S:
        limit = cfg.speech_share * planned
        if cue.kind is not CueKind.COUNTDOWN and not _announces(s, cue):
            limit -= _countdown_reserve(s, cfg)  # the countdown that ends the step comes first
        used = log.in_step(run.ps.index)
        if used + need > limit:
            return (
                f"{need:.1f} s more speech would pass this {planned:.0f} s step's "
                f"{limit:.1f} s ({used:.1f} s said)"
            )
    at_change = cue.kind in _AT_CHANGE and cue.source == "engine"  # not a workout's text
    if cue.kind is CueKind.COUNTDOWN or at_change or s.state is not State.RUNNING:
        return None
    starts = max(0.0, log.busy_until - now)
    if eta is not None and starts + said_s > eta - cfg.speech_quiet_s:
        return f"it would still be speaking {cfg.speech_quiet_s:g} s before the step change"
    return None


def _corrected(s: SessionState) -> bool:
    """Whether the running step is work the coach may correct (a target, not short)."""
    run = s.run
    return (
        run is not None
        and run.ps.step.intensity is Intensity.ACTIVE
        and run.policy.metric is not None
        and not is_short(run.ps)
    )


def _countdown_reserve(s: SessionState, cfg: CoachConfig) -> float:
    """Spoken seconds of the countdown still to come before the next (work) step."""
    run = s.run
    if run is None or cfg.countdown_cue_from <= 0:
        return 0.0
    nxt = run.ps.index + 1
    if nxt >= len(s.steps) or s.steps[nxt].step.intensity is not Intensity.ACTIVE:
        return 0.0
    left = sum(1 for n in range(1, cfg.countdown_cue_from + 1) if n not in run.countdown_said)
    return left * spoken_s("1", cfg.speech_wpm)
