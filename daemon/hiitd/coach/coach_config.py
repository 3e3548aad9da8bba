"""The coach's thresholds: one frozen model, embedded in the settings file as ``[coach]``.

Every number the engine decides with lives here, with the reason for its
default, so a coach (or a test) can change behaviour without touching code.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict, Field


class CoachConfig(BaseModel):
    """How the real-time coach smooths, scores, and speaks."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    # ------------------------------------------------------------ session flow
    countdown_s: float = Field(
        10.0, ge=0, le=120, description="Countdown between 'start' and the first step, seconds."
    )
    countdown_cue_from: int = Field(
        3,
        ge=0,
        le=10,
        description="Say 3-2-1 (from this number down) before the session and before work steps.",
    )
    lap_ends_any_step: bool = Field(
        default=False,
        description=(
            "If true, 'lap' ends any step early. If false (default) it ends OPEN steps and "
            "only marks a lap inside timed/distance steps: a fumbled button must not cut an "
            "interval short; 'skip' is the explicit way to end a step."
        ),
    )

    # --------------------------------------------------------------- smoothing
    speed_window_s: float = Field(
        10.0,
        gt=0,
        description=(
            "Moving average of SPEED (never of pace: pace is 1/speed, and its mean over-weights "
            "slow moments) for scoring, seconds."
        ),
    )
    speed_window_fraction: float = Field(
        0.25,
        gt=0,
        le=1,
        description="For short reps the window shrinks to this fraction of the step duration.",
    )
    speed_window_min_s: float = Field(
        3.0, gt=0, description="The speed window never gets shorter than this, seconds."
    )
    hr_window_s: float = Field(
        5.0,
        gt=0,
        description="Heart-rate moving average, seconds (straps notify at 1 Hz; beats are noisy).",
    )

    # ------------------------------------------------------- grace, hysteresis
    grace_pace_s: float = Field(
        12.0,
        ge=0,
        description="No pace/cadence verdict for this long after a step start or a resume.",
    )
    grace_hr_s: float = Field(
        75.0,
        ge=0,
        description=(
            "No heart-rate verdict for this long after a step start: heart rate follows a change "
            "of effort as a first-order lag with a time constant near 60 s, so judging it "
            "earlier scolds a runner who is doing exactly the right thing."
        ),
    )
    margin_speed_pct: float = Field(
        2.0, ge=0, description="Speed must be beyond the target by this % to count as out."
    )
    margin_hr_bpm: float = Field(2.0, ge=0, description="Heart-rate margin beyond the target, bpm.")
    margin_cadence_spm: float = Field(3.0, ge=0, description="Cadence margin beyond the target.")
    hold_pace_s: float = Field(
        5.0, ge=0, description="Pace/cadence must stay beyond target+margin this long to be out."
    )
    hold_hr_s: float = Field(
        10.0, ge=0, description="Heart rate must stay beyond target+margin this long to be out."
    )
    short_hr_step_s: float = Field(
        180.0,
        ge=0,
        description=(
            "Work steps shorter than this with only a heart-rate target get a warning at load "
            "and treat heart rate as a ceiling: within ~3 tau of a 60 s lag HR cannot reach "
            "the target range, so 'push harder' would be wrong."
        ),
    )

    # ----------------------------------------------------------- cue pacing
    correction_interval_s: float = Field(
        30.0, ge=0, description="At most one correction of each kind per this many seconds."
    )
    correction_backoff: float = Field(
        2.0,
        ge=1,
        description=(
            "While the runner stays out of target, each repeat of a correction waits this "
            "factor longer (30, 60, 120 s); back in target resets it. 1 repeats every interval."
        ),
    )
    quiet_before_step_end_s: float = Field(
        10.0, ge=0, description="No corrections in the last seconds of a step."
    )
    speech_wpm: float = Field(
        175.0,
        ge=80,
        le=450,
        description=(
            "Nominal speaking rate, words a minute, from which the speech budget estimates how "
            "long each cue takes to say (175: espeak-ng's default; match [voice] rate)."
        ),
    )
    speech_share: float = Field(
        0.25,
        gt=0,
        le=1,
        description=(
            "At most this share of any minute, and of any step planned shorter than 60 s, is "
            "spoken; what does not fit is dropped, lowest priority first (safety never)."
        ),
    )
    speech_quiet_s: float = Field(
        3.0,
        ge=0,
        le=10,
        description="Nothing but the countdown is said in the last seconds before a step change.",
    )
    halfway_min_s: float = Field(
        120.0,
        ge=0,
        description=(
            "Say 'halfway' only in steps at least this long (time or est.): in a 1-minute "
            "rep it is chatter between the start and the countdown."
        ),
    )

    # --------------------------------------------------------------- safety
    safety_ceiling_bpm: int | None = Field(
        None,
        ge=60,
        le=250,
        description=(
            "Heart-rate ceiling. None: athlete.max_hr if set, else a confirmed learned max, "
            "else the estimated max plus ceiling_margin_bpm (coach/ceiling.py)."
        ),
    )
    ceiling_margin_bpm: int = Field(
        10,
        ge=0,
        le=30,
        description=(
            "Added to an *estimated* max HR (from age, or the default) to make the ceiling: "
            "the age formulas miss by 10+ bpm for many runners, and a ceiling below a runner's "
            "true max would nag through every hard rep. 0 for anyone with a health concern."
        ),
    )
    safety_hold_s: float = Field(
        10.0, ge=0, description="Smoothed HR above the ceiling this long gives a safety cue."
    )
    safety_repeat_s: float = Field(
        20.0,
        gt=0,
        description=(
            "The first repeat of the safety cue while it persists; each later one waits twice "
            "as long (20, 40, 80 s), unless heart rate rises 3 bpm more."
        ),
    )
    sensor_stale_s: float = Field(
        3.0,
        gt=0,
        description=(
            "No valid sample for this long is a data gap: scoring pauses (sensors notify at "
            "1-2 Hz, so three missed notifications are not jitter)."
        ),
    )
    sensor_lost_s: float = Field(
        5.0, gt=0, description="No valid sample for this long says 'sensor_lost'."
    )

    # ------------------------------------------------------------ auto-pause
    autopause: bool = Field(default=True, description="Pause when the runner stops (footpod).")
    autopause_speed_mps: float = Field(
        0.7, ge=0, description="Below this speed the runner is standing (walking is ~1.4 m/s)."
    )
    autopause_cadence_spm: float = Field(
        30.0, ge=0, description="Below this cadence the runner is standing."
    )
    autopause_after_s: float = Field(
        3.0, ge=0, description="Standing this long pauses (not during rest/recovery steps)."
    )
    autoresume_after_s: float = Field(2.0, ge=0, description="Moving this long resumes.")

    # ------------------------------------------------------ step conditions
    hr_condition_hold_s: float = Field(
        5.0,
        ge=0,
        description="hr_below/hr_above steps end when smoothed HR holds the condition this long.",
    )
    pod_max_speed_mps: float = Field(
        12.5,
        gt=0,
        description=(
            "Faster than any runner (Bolt peaked near 12.4 m/s): a pod distance jump implying "
            "more is a counter reset or wrap, and speed integration is used instead."
        ),
    )

    # ------------------------------------------------------------- limits
    max_session_h: float = Field(
        6.0,
        gt=0,
        le=24,
        description=(
            "A workout planned longer than this is refused, and a session still going after "
            "this long is stopped: a forgotten session must not record (and coach) forever."
        ),
    )

    # ------------------------------------------------------ max-HR learning
    learn_max_hr: bool = Field(
        default=True,
        description=(
            "Propose a higher max HR after a clean sustained reading above it (at most "
            "+5 bpm a session); nothing changes until the runner confirms the proposal."
        ),
    )
    learn_max_hr_hold_s: float = Field(
        5.0, ge=0, description="Clean beats above max HR needed this long before learning."
    )
    rr_tolerance: float = Field(
        0.15,
        gt=0,
        lt=1,
        description=(
            "A reading is clean when its RR intervals agree with its bpm within this fraction; "
            "a slipping strap double-counts T waves and reports an HR the RR does not support."
        ),
    )
