"""The per-tick coaching of the engine: verdicts, corrections, countdowns, safety.

Functions of ``(state, config, now)``: those that can change the state return
the next state with their events (``session_state.Next``); the others return
events only. The physiology behind the rules:

* Heart rate follows a change of effort as a first-order lag with a time
  constant near 60 s (on-kinetics 30-60 s; recovery slower), so HR is not
  judged during the first ``grace_hr_s`` (~75 s) of a step, and short reps are
  steered by pace or cadence with HR as a ceiling only.
* Speed settles within a few strides, so pace needs only ~12 s of grace, and
  its moving average is a mean of *speed* (a mean of pace over-weights slow
  moments).
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING

from hiitd.coach.compliance import grace_kind, margin, scored_zone
from hiitd.coach.cues import BY_FEEL_TEXT, correction_text, countdown_due, halfway_phrase, is_short
from hiitd.coach.events import CueKind, EndedBy, MaxHrProposal, Notice, Priority, State, Zone
from hiitd.coach.scoring import Metric, correction_kind
from hiitd.coach.session_state import cadence_value, hr_value, speed_value
from hiitd.coach.transitions import pause, resume
from hiitd.coach.workout_model import EXERCISE_TAGS, DurationType, Intensity

if TYPE_CHECKING:
    from hiitd.coach.coach_config import CoachConfig
    from hiitd.coach.events import Event
    from hiitd.coach.session_state import Next, SessionState
    from hiitd.coach.steps import StepRun
    from hiitd.coach.workout_model import PlannedStep
    from hiitd_drivers.samples import HeartRateSample

_UP = frozenset({CueKind.SPEED_UP, CueKind.HR_LOW, CueKind.CADENCE_UP})
_UNIT = {Metric.SPEED: "m/s", Metric.HR: "bpm", Metric.CADENCE: "spm"}


def metric_value(s: SessionState, cfg: CoachConfig, m: Metric, now: float) -> float | None:
    """The smoothed value of a metric, None when its sensor gives no fresh data."""
    if m is Metric.HR:
        return hr_value(s, cfg, now)
    return speed_value(s, cfg, now) if m is Metric.SPEED else cadence_value(s, cfg, now)


def _in_grace(s: SessionState, cfg: CoachConfig, run: StepRun, m: Metric) -> bool:
    el = run.elapsed(s.moving_s)
    if grace_kind(m.value) == "hr":
        return el - run.hr_grace_from < cfg.grace_hr_s
    return el - run.pace_grace_from < cfg.grace_pace_s


def _margin(cfg: CoachConfig, m: Metric, bound: float | None) -> float:
    """The margin beyond a bound: the live zone's and the score's (compliance.py)."""
    return margin(
        m.value,
        bound,
        speed_pct=cfg.margin_speed_pct,
        hr_bpm=cfg.margin_hr_bpm,
        cadence_spm=cfg.margin_cadence_spm,
    )


def _bounds(s: SessionState, run: StepRun) -> tuple[float | None, float | None]:
    low, high = run.bounds(s.moving_s, s.distance_m)
    return (None if run.policy.hr_ceiling_only else low), high


def countdown(
    s: SessionState, cfg: CoachConfig, left: float, said: frozenset[int], nxt: PlannedStep | None
) -> tuple[frozenset[int], list[Event]]:
    """Say 3-2-1 as ``left`` seconds to the next (work) step cross each number.

    Only the lowest number crossed is said: after a long gap between calls one
    "1" is useful, "3, 2, 1" at once is noise. Returns the numbers said so far.
    """
    n, said = countdown_due(left, said, cfg.countdown_cue_from)
    if n is None:
        return said, []
    what = "start" if nxt is None else f"step {nxt.index + 1}"
    return said, [s.cue(CueKind.COUNTDOWN, str(n), f"{n} s to {what}", value=float(n))]


def start_countdown(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """The 3-2-1 before the session starts."""
    said, events = countdown(s, cfg, s.countdown_end - now, s.countdown_said, None)
    return (replace(s, countdown_said=said) if said != s.countdown_said else s), events


def account(s: SessionState, cfg: CoachConfig, now: float, dt: float) -> None:
    """Count ``dt`` moving seconds as in/below/above or as a gap (compliance.py's rule)."""
    run = s.run
    m = None if run is None else run.policy.metric
    if run is None or m is None or dt <= 0 or run.policy.unscored is not None:
        return
    value = metric_value(s, cfg, m, now)
    if value is None:
        run.stats.account(dt, None)
    elif not _in_grace(s, cfg, run, m):
        low, high = _bounds(s, run)
        zone = scored_zone(value, low, high, _margin(cfg, m, low), _margin(cfg, m, high))
        run.stats.account(dt, zone)


def end_reason(
    s: SessionState, cfg: CoachConfig, run: StepRun, now: float
) -> tuple[EndedBy, float | None] | None:
    """Why the step ends now (and at what moving time, for time-based ends), or None."""
    d = run.ps.step.duration
    el = run.elapsed(s.moving_s)
    if d.type is DurationType.TIME and d.value is not None and el >= d.value:
        return EndedBy.TIME, run.start_moving + d.value
    if d.type is DurationType.DISTANCE and d.value is not None:
        return (EndedBy.DISTANCE, None) if run.covered(s.distance_m) >= d.value else None
    if d.type not in (DurationType.HR_BELOW, DurationType.HR_ABOVE) or d.value is None:
        return None
    if d.max_s is not None and el >= d.max_s:
        return EndedBy.TIME, run.start_moving + d.max_s
    hr = hr_value(s, cfg, now)
    met = hr is not None and (hr < d.value if d.type is DurationType.HR_BELOW else hr > d.value)
    # Debounced: one noisy beat must not end a recovery. min_s is respected.
    held = run.hr_condition.update(now, met)
    if met and held >= cfg.hr_condition_hold_s and el >= (d.min_s or 0.0):
        return EndedBy.HR, None
    return None


def evaluate(s: SessionState, cfg: CoachConfig, now: float) -> list[Event]:
    """Per-tick coaching of the running step: verdict, halfway, workout texts, countdown."""
    run = s.run
    if run is None:
        return []
    said = _judge(s, cfg, run, now)
    if not run.halfway_said:
        said += _halfway(s, cfg, run)
    for tc in run.take_texts(run.elapsed(s.moving_s)):
        said.append(
            s.cue(
                CueKind.STEP_START,
                tc.text,
                f"workout text at {tc.offset_s:g} s",
                priority=Priority.INFO,
                source="workout",
            )
        )
    nxt = run.ps.index + 1
    if nxt < len(s.steps) and s.steps[nxt].step.intensity is Intensity.ACTIVE:
        eta = run.eta_s(s.moving_s, s.distance_m, speed_value(s, cfg, now))
        if eta is not None:
            run_said, more = countdown(s, cfg, eta, run.countdown_said, s.steps[nxt])
            run.note_countdown(run_said)
            said += more
    return said


def _judge(s: SessionState, cfg: CoachConfig, run: StepRun, now: float) -> list[Event]:
    if is_short(run.ps):
        return []  # a short step: no corrections (the safety ceiling is separate)
    m = run.policy.metric
    value = None if m is None else metric_value(s, cfg, m, now)
    if m is None or value is None or _in_grace(s, cfg, run, m):
        run.judge.reset()
        return []
    low, high = _bounds(s, run)
    lo_m, hi_m = _margin(cfg, m, low), _margin(cfg, m, high)
    zone = run.judge.update(now, value, low, high, margin_low=lo_m, margin_high=hi_m)
    first = run.set_first
    in_set_recovery = first is not None and run.ps.step.intensity is not Intensity.ACTIVE
    # In target: repeats start over. Not a judge that has not turned yet (the first
    # seconds of every rep read "in" while its hold runs), nor a recovery of a set (an
    # easy jog on target says nothing of the reps): both reset the back-off at every
    # rep of a set the runner could not hold.
    in_target = zone is Zone.IN and scored_zone(value, low, high, lo_m, hi_m) is Zone.IN
    if in_target and not in_set_recovery:
        s.book.calm()
    kind = correction_kind(m, zone)
    if kind is None or (kind in _UP and not run.policy.allow_up):
        return []
    eta = run.eta_s(s.moving_s, s.distance_m, speed_value(s, cfg, now))
    if eta is not None and eta < cfg.quiet_before_step_end_s:
        return []  # the step is about to change: a correction now is noise
    side = "below" if zone is Zone.BELOW else "above"
    if first is not None and s.book.hushed(first, side):
        return []  # said once for this set: the runner runs it by feel
    if first is not None and side in run.missed_sides:
        # Said once, whatever the back-off, then quiet about it for the set.
        s.book.hush(first, side)
        s.book.said(kind, now)
        why = f"the last two reps of this set were mostly {side} the target"
        view = run.view(s.moving_s, s.distance_m)
        return [s.cue(kind, BY_FEEL_TEXT[side], why, target=view, value=value)]
    if not s.book.allowed(kind, now, cfg.correction_interval_s, cfg.correction_backoff):
        return []
    s.book.said(kind, now)
    rng = f"{low if low is not None else '-'}-{high if high is not None else '-'}"
    return [
        s.cue(
            kind,
            correction_text(kind, value, low, high, run.policy.hr_ceiling_only),
            f"{m.value} {value:.2f} {_UNIT[m]} {side} {rng} for {run.judge.hold_s:g} s",
            target=run.view(s.moving_s, s.distance_m),
            value=value,
        )
    ]


def _halfway(s: SessionState, cfg: CoachConfig, run: StepRun) -> list[Event]:
    if run.halfway_said:
        return []
    planned = run.planned_s()
    d = run.ps.step.duration
    if planned is None or planned < cfg.halfway_min_s or d.value is None:
        return []
    if d.type is DurationType.TIME:
        left = run.remaining_s(s.moving_s)
        if left is None or left > d.value / 2:
            return []
        rest = halfway_phrase(left_s=left)
    else:
        left = run.remaining_m(s.distance_m)
        if left is None or left > d.value / 2:
            return []
        rest = halfway_phrase(left_m=left)
    run.mark_halfway()
    return [
        s.cue(CueKind.HALFWAY, f"Halfway, {rest} to go.", f"half of {d.value:g} {d.type.value}")
    ]


def watch_sensors(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """Declare a sensor lost after ``sensor_lost_s`` of silence (cue only in a session)."""
    active = s.active
    lost_s = cfg.sensor_lost_s
    said: list[Event] = []
    if s.heart.check_lost(now, lost_s) and active:
        said.append(
            s.cue(
                CueKind.SENSOR_LOST,
                "Heart-rate strap lost: heart-rate coaching paused.",
                f"no heart rate for {lost_s:g} s",
            )
        )
    if s.pod.check_lost(now, lost_s):
        if active:
            said.append(
                s.cue(
                    CueKind.SENSOR_LOST,
                    "Footpod lost: pace coaching paused.",
                    f"no footpod data for {lost_s:g} s",
                )
            )
        if s.paused_by == "auto":
            # Auto-pause needs the pod to see the runner move again: without it
            # the session would stay paused for good.
            s, more = resume(s, now, "footpod lost while auto-paused")
            said += more
    return s, said


SAFETY_RISE_BPM = 3.0  # heart rate this much above the last safety cue's: say it again now


def safety(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """HR held above the ceiling: bypasses rate limits and quiet time.

    The first time in a work step it ends the step (``safety_end_step``: the engine
    moves on to the recovery, or the cool-down) and says why, instead of nagging
    through the rep. Repeats wait ``safety_repeat_s``, then twice as long each time
    (20, 40, 80 s: "Slow down now" every 20 s for a whole replayed 4x4, recoveries
    included, was 40 cues), unless heart rate rose ``SAFETY_RISE_BPM`` above the
    last one said.

    Not with beta blockers (``compliance.BETA_BLOCKERS``): the ceiling assumes a heart
    rate that follows effort; the runner was told so at the session's start.
    """
    if s.profile.beta_blockers:
        return s, []
    hr = hr_value(s, cfg, now)
    ceiling = s.ceiling.bpm
    over = hr is not None and hr > ceiling
    held = s.safety_hold.update(now, over)
    if hr is None or not over or held < cfg.safety_hold_s:
        return s, []
    rising = s.safety_hr is not None and hr >= s.safety_hr + SAFETY_RISE_BPM
    wait = cfg.safety_repeat_s * 2 ** max(0, s.safety_count - 1)
    if s.safety_last is not None and now - s.safety_last < wait and not rising:
        return s, []
    which = "estimated ceiling" if s.ceiling.estimated else "ceiling"
    run = s.run
    ends = (
        s.state is State.RUNNING
        and run is not None
        and run.ps.step.intensity is Intensity.ACTIVE
        and run.ps.index + 1 < len(s.steps)
    )
    text = (
        f"Heart rate {hr:.0f}, above your {which} of {ceiling}: this interval ends here. Easy now."
        if ends
        else f"Slow down now: heart rate {hr:.0f}, above your {which} of {ceiling}."
    )
    s = replace(
        s, safety_last=now, safety_count=s.safety_count + 1, safety_hr=hr, safety_end_step=ends
    )
    cue = s.cue(
        CueKind.SAFETY_HR_CEILING,
        text,
        f"hr {hr:.0f} bpm above {s.ceiling.source} ceiling {ceiling} for {held:.0f} s",
        value=hr,
    )
    return s, [cue]


def autopause(s: SessionState, cfg: CoachConfig, now: float) -> Next:
    """Pause when the runner stands still, resume when they move (never in rest/recovery,
    never in a strength or plyometric workout: a plank once paused the circuit for good)."""
    run = s.run
    if not cfg.autopause or run is None:
        return s, []
    if s.workout is not None and EXERCISE_TAGS & set(s.workout.tags):
        return s, []
    still, moving = s.pod.motion(now, cfg.autopause_speed_mps, cfg.autopause_cadence_spm)
    # Not in the first seconds of a step either: a runner who stood through a
    # rest needs a moment to react to "go", and that is not a stop.
    settled = run.elapsed(s.moving_s) >= cfg.grace_pace_s
    if (
        s.state is State.RUNNING
        and run.policy.autopause
        and settled
        and still >= cfg.autopause_after_s
    ):
        return pause(s, now, "auto", f"standing for {still:.0f} s (speed/cadence under threshold)")
    if s.state is State.PAUSED and s.paused_by == "auto" and moving >= cfg.autoresume_after_s:
        return resume(s, now, f"moving again for {moving:.0f} s")
    return s, []


# A session can show at most this much more than the known max HR: a real max
# creeps up over hard sessions, a strap fault jumps. Larger gaps take several sessions.
MAX_HR_RAISE_PER_SESSION = 5


def learn_max_hr(s: SessionState, cfg: CoachConfig, sample: HeartRateSample, now: float) -> Next:
    """Propose a higher max HR after a clean, sustained reading above it; change nothing.

    Zones built from an estimated max (Tanaka) are often 10+ bpm off, and a
    real, clean observation is better evidence than the formula; but a faulty
    or spoofed strap can look clean too. So the observation is only a
    proposal (``MaxHrProposal``), at most +5 bpm a session and once a session,
    which the runner confirms or not; until then the profile, the zones and the
    ceiling stay. A max HR the runner entered is not proposed over: a Notice
    says what was seen.
    """
    if s.max_hr_proposed:
        return s, []
    profile = s.profile
    learned = s.heart.learn(now, sample, profile.max_hr, cfg.rr_tolerance, cfg.learn_max_hr_hold_s)
    if not learned or learned <= profile.max_hr:
        return s, []
    s = replace(s, max_hr_proposed=True)
    held = f"held cleanly for {cfg.learn_max_hr_hold_s:.0f} s"
    if not profile.max_hr_estimated and not profile.max_hr_learned:
        return s, [
            Notice(
                f"Heart rate {learned} {held}, above your athlete.max_hr of {profile.max_hr}: "
                "if that was real effort, raise athlete.max_hr.",
                "max_hr_above_setting",
            )
        ]
    value = min(learned, profile.max_hr + MAX_HR_RAISE_PER_SESSION)
    proposal = MaxHrProposal(
        id=f"{s.session_id or 'none'}.maxhr",
        max_hr=value,
        observed=learned,
        was=profile.max_hr,
        text=(
            f"Heart rate {learned} {held}, above your max HR of {profile.max_hr}. "
            f"Confirm {value} as your max HR if that was you, not the strap: zones and the "
            "safety ceiling follow it from the next workout."
        ),
    )
    return s, [proposal]
