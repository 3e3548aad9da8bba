"""The per-tick coaching of the engine: verdicts, corrections, countdowns, safety.

Functions over the engine's state, kept apart from the state machine so each
file stays readable. The physiology behind the rules:

* Heart rate follows a change of effort as a first-order lag with a time
  constant near 60 s (on-kinetics 30-60 s; recovery slower), so HR is not
  judged during the first ``grace_hr_s`` (~75 s) of a step, and short reps are
  steered by pace or cadence with HR as a ceiling only.
* Speed settles within a few strides, so pace needs only ~12 s of grace, and
  its moving average is a mean of *speed* (a mean of pace over-weights slow
  moments).
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.coach.cues import (
    correction_text,
    metres_phrase,
    seconds_phrase,
    step_start_text,
)
from hiitd.coach.events import CueKind, EndedBy, Notice, Priority, State, Zone
from hiitd.coach.profile import raise_max_hr
from hiitd.coach.scoring import (
    Metric,
    ZoneJudge,
    correction_kind,
    margin_for,
    policy_for,
    raw_zone,
)
from hiitd.coach.steps import StepRun, target_mid
from hiitd.coach.workout_model import DurationType, Intensity, PlannedStep, TargetType

if TYPE_CHECKING:
    from hiitd.coach.engine import Engine
    from hiitd_drivers.samples import HeartRateSample

_UP = frozenset({CueKind.SPEED_UP, CueKind.HR_LOW, CueKind.CADENCE_UP})
_UNIT = {Metric.SPEED: "m/s", Metric.HR: "bpm", Metric.CADENCE: "spm"}

mid = target_mid


def new_run(e: Engine, ps: PlannedStep, start_moving: float) -> StepRun:
    """The runtime of step ``ps`` starting at ``start_moving`` seconds of moving time."""
    cfg = e.config
    step = ps.step
    est = e.est_speed()
    if step.target.type is TargetType.SPEED:
        est = mid(step.target.low, step.target.high) or est
    policy = policy_for(ps, cfg.short_hr_step_s, est)
    # Short reps get a shorter speed window (a quarter of the rep, at least 3 s)
    # so a 60 s rep is judged on its own running, not on the standing start.
    length = None
    if step.duration.type is DurationType.TIME:
        length = step.duration.value
    elif step.duration.type is DurationType.DISTANCE and step.duration.value:
        length = step.duration.value / est
    window = cfg.speed_window_s
    if length is not None:
        window = max(cfg.speed_window_min_s, min(window, length * cfg.speed_window_fraction))
    hold = cfg.hold_hr_s if policy.metric is Metric.HR else cfg.hold_pace_s
    e.book.calm()
    return StepRun(
        ps=ps,
        policy=policy,
        start_moving=start_moving,
        start_distance=e.distance_m,
        est_speed_mps=est,
        judge=ZoneJudge(hold),
        window_s=window,
    )


def announce(e: Engine, run: StepRun) -> None:
    """The step_start cue, then the workout's own words for the step."""
    view = run.view(e.moving_s, e.distance_m)
    text = step_start_text(run.ps, view, run.ps.step.target.type)
    e.cue(CueKind.STEP_START, text, f"step {run.ps.index + 1} started", target=view)
    if run.ps.step.cue:
        e.cue(
            CueKind.STEP_START,
            run.ps.step.cue,
            "workout cue at step start",
            priority=Priority.INFO,
            source="workout",
        )


def countdown(e: Engine, left: float | None, said: set[int], next_ps: PlannedStep | None) -> None:
    """Say 3-2-1 as ``left`` seconds to the next (work) step cross each number.

    Only the lowest number crossed is said: after a long gap between calls one
    "1" is useful, "3, 2, 1" at once is noise.
    """
    if left is None:
        return
    due = [n for n in range(e.config.countdown_cue_from, 0, -1) if left <= n and n not in said]
    if not due:
        return
    n = min(due)
    said.update(range(n, e.config.countdown_cue_from + 1))
    what = "start" if next_ps is None else f"step {next_ps.index + 1}"
    e.cue(CueKind.COUNTDOWN, str(n), f"{n} s to {what}", value=float(n))


def metric_value(e: Engine, m: Metric, now: float) -> float | None:
    """The smoothed value of a metric, None when its sensor gives no fresh data."""
    if m is Metric.HR:
        return e.hr_value(now)
    return e.speed_value(now) if m is Metric.SPEED else e.cadence_value(now)


def _in_grace(e: Engine, run: StepRun, m: Metric) -> bool:
    el = run.elapsed(e.moving_s)
    recovering = run.ps.step.intensity in (Intensity.RECOVERY, Intensity.REST)
    if m is Metric.HR and (recovering or not run.policy.hr_ceiling_only):
        return el - run.hr_grace_from < e.config.grace_hr_s
    # Pace and cadence settle in a few strides. So does the *ceiling* of a short
    # work rep: HR rises through the rep, so exceeding the ceiling is never a
    # left-over of the previous step, and a 75 s grace would outlast the rep.
    return el - run.pace_grace_from < e.config.grace_pace_s


def _bounds(e: Engine, run: StepRun) -> tuple[float | None, float | None]:
    low, high = run.bounds(e.moving_s, e.distance_m)
    return (None if run.policy.hr_ceiling_only else low), high


def account(e: Engine, now: float, dt: float) -> None:
    """Count ``dt`` moving seconds as in/below/above (no margin: honest), or as a gap."""
    run = e.run
    m = None if run is None else run.policy.metric
    if run is None or m is None or dt <= 0:
        return
    value = metric_value(e, m, now)
    if value is None:
        run.stats.account(dt, None)
    elif not _in_grace(e, run, m):
        low, high = _bounds(e, run)
        run.stats.account(dt, raw_zone(value, low, high))


def end_reason(e: Engine, run: StepRun, now: float) -> tuple[EndedBy, float | None] | None:
    """Why the step ends now (and at what moving time, for time-based ends), or None."""
    d = run.ps.step.duration
    el = run.elapsed(e.moving_s)
    if d.type is DurationType.TIME and d.value is not None and el >= d.value:
        return EndedBy.TIME, run.start_moving + d.value
    if d.type is DurationType.DISTANCE and d.value is not None:
        return (EndedBy.DISTANCE, None) if run.covered(e.distance_m) >= d.value else None
    if d.type not in (DurationType.HR_BELOW, DurationType.HR_ABOVE) or d.value is None:
        return None
    if d.max_s is not None and el >= d.max_s:
        return EndedBy.TIME, run.start_moving + d.max_s
    hr = e.hr_value(now)
    met = hr is not None and (hr < d.value if d.type is DurationType.HR_BELOW else hr > d.value)
    # Debounced: one noisy beat must not end a recovery. min_s is respected.
    held = run.hr_condition.update(now, met)
    if met and held >= e.config.hr_condition_hold_s and el >= (d.min_s or 0.0):
        return EndedBy.HR, None
    return None


def evaluate(e: Engine, now: float) -> None:
    """Per-tick coaching of the running step."""
    run = e.run
    if run is None:
        return
    _judge(e, run, now)
    _halfway(e, run)
    el = run.elapsed(e.moving_s)
    texts = sorted(run.ps.step.text_cues, key=lambda c: c.offset_s)
    while run.text_next < len(texts) and el >= texts[run.text_next].offset_s:
        tc = texts[run.text_next]
        run.text_next += 1
        e.cue(
            CueKind.STEP_START,
            tc.text,
            f"workout text at {tc.offset_s:g} s",
            priority=Priority.INFO,
            source="workout",
        )
    nxt = run.ps.index + 1
    if nxt < len(e.steps) and e.steps[nxt].step.intensity is Intensity.ACTIVE:
        eta = run.eta_s(e.moving_s, e.distance_m, e.speed_value(now))
        countdown(e, eta, run.countdown_said, e.steps[nxt])


def _judge(e: Engine, run: StepRun, now: float) -> None:
    cfg = e.config
    m = run.policy.metric
    value = None if m is None else metric_value(e, m, now)
    if m is None or value is None or _in_grace(e, run, m):
        run.judge.reset()
        run.zone = Zone.NONE
        return
    low, high = _bounds(e, run)

    def margin(bound: float | None) -> float:
        if bound is None:
            return 0.0
        return margin_for(
            m,
            bound,
            speed_pct=cfg.margin_speed_pct,
            hr=cfg.margin_hr_bpm,
            cad=cfg.margin_cadence_spm,
        )

    run.zone = run.judge.update(
        now, value, low, high, margin_low=margin(low), margin_high=margin(high)
    )
    if run.zone is Zone.IN:
        e.book.calm()
    kind = correction_kind(m, run.zone)
    if kind is None or (kind in _UP and not run.policy.allow_up):
        return
    eta = run.eta_s(e.moving_s, e.distance_m, e.speed_value(now))
    if eta is not None and eta < cfg.quiet_before_step_end_s:
        return  # the step is about to change: a correction now is noise
    if not e.book.allowed(kind, now, cfg.correction_interval_s, cfg.correction_backoff):
        return
    e.book.said(kind, now)
    side = "below" if run.zone is Zone.BELOW else "above"
    rng = f"{low if low is not None else '-'}-{high if high is not None else '-'}"
    e.cue(
        kind,
        correction_text(kind, value, low, high, run.policy.hr_ceiling_only),
        f"{m.value} {value:.2f} {_UNIT[m]} {side} {rng} for {run.judge.hold_s:g} s",
        target=run.view(e.moving_s, e.distance_m),
        value=value,
    )


def _halfway(e: Engine, run: StepRun) -> None:
    if run.halfway_said:
        return
    planned = run.planned_s()
    d = run.ps.step.duration
    if planned is None or planned < e.config.halfway_min_s or d.value is None:
        return
    if d.type is DurationType.TIME:
        left = run.remaining_s(e.moving_s)
        if left is None or left > d.value / 2:
            return
        rest = seconds_phrase(left)
    else:
        left = run.remaining_m(e.distance_m)
        if left is None or left > d.value / 2:
            return
        rest = metres_phrase(left)
    run.halfway_said = True
    e.cue(CueKind.HALFWAY, f"Halfway. {rest} to go.", f"half of {d.value:g} {d.type.value}")


def watch_sensors(e: Engine, now: float) -> None:
    """Declare a sensor lost after ``sensor_lost_s`` of silence (cue only in a session)."""
    active = e.state in (State.COUNTDOWN, State.RUNNING, State.PAUSED)
    lost_s = e.config.sensor_lost_s
    if e.heart.check_lost(now, lost_s) and active:
        e.cue(
            CueKind.SENSOR_LOST,
            "Heart-rate strap lost: heart-rate coaching paused.",
            f"no heart rate for {lost_s:g} s",
        )
    if e.pod.check_lost(now, lost_s):
        if active:
            e.cue(
                CueKind.SENSOR_LOST,
                "Footpod lost: pace coaching paused.",
                f"no footpod data for {lost_s:g} s",
            )
        if e.paused_by == "auto":
            # Auto-pause needs the pod to see the runner move again: without it
            # the session would stay paused for good.
            e.resume_now(now, "footpod lost while auto-paused")


def safety(e: Engine, now: float) -> None:
    """HR above the ceiling: bypasses rate limits and quiet time, repeats every ~20 s."""
    cfg = e.config
    hr = e.hr_value(now)
    over = hr is not None and hr > e.ceiling
    held = e.safety_hold.update(now, over)
    if hr is None or not over or held < cfg.safety_hold_s:
        return
    if e.safety_last is not None and now - e.safety_last < cfg.safety_repeat_s:
        return
    e.safety_last = now
    e.cue(
        CueKind.SAFETY_HR_CEILING,
        f"Slow down now: heart rate {hr:.0f}, above your ceiling of {e.ceiling}.",
        f"hr {hr:.0f} bpm above ceiling {e.ceiling} for {held:.0f} s",
        value=hr,
    )


def autopause(e: Engine, now: float, run: StepRun | None) -> None:
    """Pause when the runner stands still, resume when they move (never in rest/recovery)."""
    cfg = e.config
    if not cfg.autopause or run is None:
        return
    still, moving = e.pod.motion(now, cfg.autopause_speed_mps, cfg.autopause_cadence_spm)
    # Not in the first seconds of a step either: a runner who stood through a
    # rest needs a moment to react to "go", and that is not a stop.
    settled = run.elapsed(e.moving_s) >= cfg.grace_pace_s
    if (
        e.state is State.RUNNING
        and run.policy.autopause
        and settled
        and still >= cfg.autopause_after_s
    ):
        e.pause_now(now, "auto", f"standing for {still:.0f} s (speed/cadence under threshold)")
    elif e.state is State.PAUSED and e.paused_by == "auto" and moving >= cfg.autoresume_after_s:
        e.resume_now(now, f"moving again for {moving:.0f} s")


def learn_max_hr(e: Engine, s: HeartRateSample, now: float) -> None:
    """Raise the profile's max HR after a clean, sustained higher reading (a Notice says so).

    Zones built from an estimated max (220 - age, Tanaka) are often 10+ bpm
    off; a real, clean observation above it is better evidence than the formula.
    """
    cfg = e.config
    learned = e.heart.learn(now, s, e.profile.max_hr, cfg.rr_tolerance, cfg.learn_max_hr_hold_s)
    if not learned:
        return
    try:
        new = raise_max_hr(e.profile, learned)
    except ValueError:
        return  # outside any human range: an artefact, not a maximum
    if new.max_hr > e.profile.max_hr:
        e.emit(
            Notice(
                f"New max heart rate {new.max_hr} (was {e.profile.max_hr}), held cleanly for "
                f"{cfg.learn_max_hr_hold_s:.0f} s; zones follow it from the next workout.",
                "max_hr_raised",
            )
        )
        e.profile = new
