"""``simulate_plan``: a simulated runner following the planner, day by day. Time is an argument.

Every day of the simulation, in order:

1. **Morning check-in** (06:30): the runner of that morning (``TrainingState``,
   with illness and a little day-to-day variation) sits still for two minutes
   with the simulated strap; its RR intervals go through the real decoder and
   ``checkin_from_runs``, as a live check-in's do.
2. **The plan**: ``recommend_next(history, checkins, plan, today, 07:00, gate=...)``,
   the daemon's own planner, on what the runner has done so far, through the
   daemon's gate (``plan.eligibility``: screening, age, beta blockers, health).
   A persona's ``ill`` days are reported as the runner would (``ill`` on the
   first morning, ``ok`` on the first morning after), so the plan says no
   running while ill and then gives ``plan.easy_days_after_break`` easy days.
3. **The session** (07:00), unless the plan says rest, the runner is ill or on
   a break, or skips it (``adherence``, drawn from the seed): the
   recommendation's catalogue workout (``plan_workout``, resolved for the
   athlete's profile) through the real coach (``session_run``), the metrics
   computed from its record, and the planner's history entry built from them
   by ``store.plan_history.entry_of``, as for a stored session. The runner
   reports an RPE: the physiology's (``SimulatedAthlete.session_rpe``) or, for
   HIIT sessions, the persona's typical one, rounded after a little noise.
4. **The night**: the day's TRIMP (0 without a session) moves fitness and
   fatigue (``TrainingState.after_day``).

Plan weeks are counted from the first day, 7 days each; the first day is a
Monday so the planner's deload weeks (Monday to Sunday) line up with them.
"""

from __future__ import annotations

import math
import random
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta
from typing import TYPE_CHECKING, Any

from hiitd.coach.coach_config import CoachConfig
from hiitd.coach.profile import profile_from_settings
from hiitd.coach.resolve import resolve_workout
from hiitd.coach.zones import format_pace
from hiitd.plan.checkin_values import checkin_from_runs
from hiitd.plan.daily_load import load_days
from hiitd.plan.eligibility import HealthState, HealthStatus, evaluate
from hiitd.plan.ladders import plan_workout
from hiitd.plan.plan_values import Checkin, Kind
from hiitd.plan.recommend import HIIT_KINDS, recommend_next
from hiitd.plan.week_plan import running_minutes
from hiitd.plansim.session_run import run_session
from hiitd.store.plan_history import entry_of
from hiitd.store.rows import SessionRow
from hiitd_drivers.samples import HeartRateSample
from hiitd_drivers.sim import SensorFeed
from hiitd_drivers.sim_athlete import SimulatedAthlete
from hiitd_drivers.sim_fitness import Fitness, TrainingState

if TYPE_CHECKING:
    from hiitd.coach.events import SessionSummary
    from hiitd.coach.profile import AthleteProfile
    from hiitd.plan.plan_values import Recommendation, SessionEntry
    from hiitd.plansim.persona import Persona
    from hiitd_drivers.samples import Sample

START = date(2024, 1, 1)  # a Monday
CHECKIN_AT = time(6, 30)
SESSION_AT = time(7, 0)
CHECKIN_S = 120.0
# Day-to-day variation of the morning values (SD): resting HR in bpm, and vagal
# tone as a log factor (lnRMSSD varies by ~0.1-0.3 from day to day at rest).
DAILY_RESTING_HR_SD = 1.5
DAILY_TONE_SD = 0.15
RPE_SD = 0.5  # a rating is a whole number; the runner is not a metronome
STRENGTH_KINDS = frozenset({Kind.CIRCUIT})


@dataclass(frozen=True, slots=True)
class SimSession:
    """One session the simulated runner did."""

    day: int  # 1-based day of the plan
    workout: str
    kind: Kind
    minutes: float  # moving time, as the planner counts it
    rpe: int  # what the runner reported
    work_compliance: float | None  # % of the work steps' scored time in target (the engine's)
    entry: SessionEntry | None  # the planner's view (None: under 5 minutes)

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready (``hiitd plan simulate --json``)."""
        wc = self.work_compliance
        return {
            "day": self.day,
            "workout": self.workout,
            "kind": self.kind.value,
            "minutes": round(self.minutes, 1),
            "rpe": self.rpe,
            "work_compliance": None if wc is None else round(wc, 1),
        }


@dataclass(frozen=True, slots=True)
class SimWeek:
    """Seven days of the plan, as done."""

    week: int
    sessions: tuple[SimSession, ...]
    rest_days: int
    max_acwr: float | None
    flags: tuple[str, ...]
    fitness: Fitness  # the runner on the week's last morning (text report only)

    @property
    def run_minutes(self) -> float:
        """Running minutes as the planner counts them (``week_plan.running_minutes``): moving
        minutes of all but the strength circuit, of a run/walk its runs only."""
        return sum(
            running_minutes(s.entry) if s.entry is not None else s.minutes
            for s in self.sessions
            if s.kind not in STRENGTH_KINDS
        )

    @property
    def hiit_sessions(self) -> int:
        """Interval and hill sessions (what the weekly HIIT cap counts; not strides)."""
        return sum(1 for s in self.sessions if s.kind in HIIT_KINDS)

    @property
    def strength_sessions(self) -> int:
        """Plyometric and core circuits."""
        return sum(1 for s in self.sessions if s.kind in STRENGTH_KINDS)

    @property
    def rungs(self) -> dict[str, int]:
        """The highest rung run on each ladder this week."""
        out: dict[str, int] = {}
        for s in self.sessions:
            e = s.entry
            if e is not None and e.protocol is not None and e.step is not None:
                out[e.protocol] = max(out.get(e.protocol, 0), e.step)
        return out

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready: the documented keys, nothing else (docs/simulate.md)."""
        return {
            "week": self.week,
            "run_minutes": round(self.run_minutes, 1),
            "hiit_sessions": self.hiit_sessions,
            "strength_sessions": self.strength_sessions,
            "rest_days": self.rest_days,
            "max_acwr": None if self.max_acwr is None else round(self.max_acwr, 3),
            "rung": self.rungs,
            "flags": list(self.flags),
            "sessions": [s.to_payload() for s in self.sessions],
        }


@dataclass(frozen=True, slots=True)
class SimResult:
    """The whole simulation."""

    weeks: tuple[SimWeek, ...]
    start: Fitness  # the runner on the first morning

    def to_payload(self) -> dict[str, Any]:
        """``{"weeks": [...]}``: one JSON document."""
        return {"weeks": [w.to_payload() for w in self.weeks]}

    def table(self) -> list[str]:
        """The text report: a line a week, its sessions under it, the runner before and after."""
        lines = [
            "week  run min  hiit  strength  rest  max ratio  threshold  rest HR  rung; flags",
        ]
        for w in self.weeks:
            ratio = "-" if w.max_acwr is None else f"{w.max_acwr:.2f}"
            rungs = " ".join(f"{k} {v}" for k, v in sorted(w.rungs.items())) or "-"
            flags = ", ".join(w.flags) or "-"
            lines.append(
                f"{w.week:4d}  {w.run_minutes:7.0f}  {w.hiit_sessions:4d}  "
                f"{w.strength_sessions:8d}  {w.rest_days:4d}  {ratio:>9}  "
                f"{format_pace(w.fitness.threshold_speed_mps):>7}/km  {w.fitness.resting_hr:7.0f}"
                f"  {rungs}; {flags}"
            )
            for x in w.sessions:
                wc = "-" if x.work_compliance is None else f"{x.work_compliance:.0f} %"
                lines.append(
                    f"        day {x.day:3d}  {x.workout:<22} {x.kind.value:<10}"
                    f"{x.minutes:5.0f} min  RPE {x.rpe:2d}  work in target {wc}"
                )
        end = self.weeks[-1].fitness if self.weeks else self.start
        lines.append(
            f"runner: threshold {format_pace(self.start.threshold_speed_mps)} -> "
            f"{format_pace(end.threshold_speed_mps)} /km, resting HR "
            f"{self.start.resting_hr:.0f} -> {end.resting_hr:.0f} bpm "
            "(threshold and resting HR: the week's last morning)"
        )
        return lines


def work_compliance(summary: SessionSummary | None) -> float | None:
    """The session's work-step compliance, % of scored time in target: the engine's own
    ``SessionSummary.compliance_pct`` (``coach.compliance``), None when nothing was scored."""
    return None if summary is None else summary.compliance_pct


def _wall(day: date, at: time) -> float:
    return datetime.combine(day, at).astimezone().timestamp()


@dataclass
class _Runner:
    """The simulation's moving parts: one owner, changed only here."""

    persona: Persona
    seed: int
    coach: CoachConfig
    start: date
    profile: AthleteProfile = field(init=False)
    state: TrainingState = field(init=False)
    history: list[SessionEntry] = field(default_factory=list)
    checkins: list[Checkin] = field(default_factory=list)
    done: list[SimSession] = field(default_factory=list)
    flags: dict[int, set[str]] = field(default_factory=dict)
    fitness: dict[int, Fitness] = field(default_factory=dict)
    health: HealthState = field(default_factory=HealthState)  # the runner's reports

    def __post_init__(self) -> None:
        self.profile = profile_from_settings(self.persona.athlete)
        self.state = TrainingState.start(self.persona.baseline())
        # Separate streams: skipping a session does not reshuffle the check-ins.
        # Reproducible noise is the point here, not secrecy.
        self._checkin_rng = random.Random(f"hiitd-plansim:{self.seed}:checkin")  # noqa: S311
        self._adherence_rng = random.Random(f"hiitd-plansim:{self.seed}:adherence")  # noqa: S311
        self._rpe_rng = random.Random(f"hiitd-plansim:{self.seed}:rpe")  # noqa: S311

    # ------------------------------------------------------------------ a day

    def day(self, n: int) -> None:
        """Day ``n`` (0-based): check-in, the plan's pick, the session, the night."""
        today = self.start + timedelta(days=n)
        week = n // 7 + 1
        behaviour = self.persona.behaviour
        ill = any((i.week - 1) * 7 <= n < (i.week - 1) * 7 + i.days for i in behaviour.ill)
        on_break = any(b.week <= week < b.week + b.weeks for b in behaviour.breaks)
        morning = self.state.fitness()
        self.fitness[week] = morning
        checkin = self._checkin(morning, today, n)
        if checkin is not None:
            self.checkins.append(checkin)
        session_wall = _wall(today, SESSION_AT)
        if ill != (self.health.status is HealthStatus.ILL):  # reported before the plan is read
            status = HealthStatus.ILL if ill else HealthStatus.OK
            self.health = self.health.reported(status, _wall(today, CHECKIN_AT))
        gate = evaluate(
            self.persona.plan,
            age=self.persona.athlete.age,
            beta_blockers=self.persona.athlete.beta_blockers,
            health=self.health,
            now_wall=session_wall,
        )
        rec = recommend_next(
            self.history,
            self.checkins,
            self.persona.plan,
            today,
            session_wall,
            age=self.persona.athlete.age,
            gate=gate,
        )
        self.flags.setdefault(week, set()).update(f.code for f in rec.flags)
        trimp = 0.0
        if rec.workout is not None and rec.kind is not Kind.REST and not (ill or on_break):
            # One draw per planned session, whatever comes of it: the stream stays aligned.
            skipped = self._adherence_rng.random() >= behaviour.adherence
            if not skipped:
                trimp = self._session(rec, morning, n, session_wall)
        self.state = self.state.after_day(trimp, ill=ill)

    def _checkin(self, morning: Fitness, today: date, n: int) -> Checkin | None:
        """Two minutes sitting still with the strap; None when the recording is unusable."""
        rng = self._checkin_rng
        resting = morning.resting_hr + rng.gauss(0.0, DAILY_RESTING_HR_SD)
        tone = morning.vagal_tone * math.exp(rng.gauss(0.0, DAILY_TONE_SD))
        model = replace(
            morning.athlete_model(),
            resting_hr=min(morning.max_hr - 21, max(30, round(resting))),
            vagal_tone=tone,
        )
        athlete = SimulatedAthlete(model, seed=self.seed * 100_000 + 2 * n)
        samples: list[Sample] = []
        feed = SensorFeed(athlete, samples.append, speed_factor=1.0, cadence_scale=1.0)
        feed.start(0.0, 0.0)
        t = 0.0
        while t < CHECKIN_S:
            feed.advance(t, t + 1.0, 0.0)
            t += 1.0
        rr = [
            float(x)
            for s in samples
            if isinstance(s, HeartRateSample) and s.bpm is not None and s.contact is not False
            for x in s.rr_ms
        ]
        try:
            row = checkin_from_runs([rr], _wall(today, CHECKIN_AT), "simulated")
        except ValueError:
            return None
        return Checkin(today, row.resting_hr, row.ln_rmssd)

    def _session(self, rec: Recommendation, morning: Fitness, n: int, wall: float) -> float:
        """Run the recommended session; keep what the planner and the report see; its TRIMP."""
        assert rec.workout is not None  # checked by the caller
        workout = resolve_workout(plan_workout(rec.workout), self.profile)
        athlete = SimulatedAthlete(
            morning.athlete_model(self.persona.behaviour.effort),
            seed=self.seed * 100_000 + 2 * n + 1,
        )
        run = run_session(
            workout,
            self.profile,
            self.coach,
            athlete,
            start_wall=wall,
            session_prefix=f"sim{n + 1:03d}",
        )
        rpe = self._reported_rpe(run.rpe_model, rec.kind)
        record = run.record
        row = SessionRow(
            session_id=record.session_id,
            workout=record.workout,
            start_wall=record.start_wall,
            status=record.status.value,
            duration_s=record.duration_s,
            distance_m=None,
            has_summary=True,
            rpe=rpe,
            last_checkpoint_wall=None,
        )
        entry = entry_of(row, run.metrics)
        if entry is not None:
            self.history.append(entry)
        minutes = entry.minutes if entry is not None else record.duration_s / 60.0
        self.done.append(
            SimSession(
                day=n + 1,
                workout=rec.workout,
                kind=rec.kind,
                minutes=minutes,
                rpe=rpe,
                work_compliance=work_compliance(run.summary),
                entry=entry,
            )
        )
        return run.trimp

    def _reported_rpe(self, model_rpe: float, kind: Kind) -> int:
        typical = self.persona.behaviour.rpe
        felt = float(typical) if typical is not None and kind in HIIT_KINDS else model_rpe
        return min(10, max(0, round(felt + self._rpe_rng.gauss(0.0, RPE_SD))))

    # ------------------------------------------------------------------ weeks

    def weeks(self, count: int) -> tuple[SimWeek, ...]:
        """The report by plan week."""
        end = self.start + timedelta(days=7 * count - 1)
        acwr = {d.day: d.acwr for d in load_days(self.history, self.persona.plan, end)}
        out = []
        for w in range(1, count + 1):
            first = 7 * (w - 1) + 1
            days = range(first, first + 7)
            sessions = tuple(s for s in self.done if s.day in days)
            ratios = [
                r for d in days if (r := acwr.get(self.start + timedelta(days=d - 1))) is not None
            ]
            out.append(
                SimWeek(
                    week=w,
                    sessions=sessions,
                    rest_days=7 - len({s.day for s in sessions}),
                    max_acwr=max(ratios, default=None),
                    flags=tuple(sorted(self.flags.get(w, set()))),
                    fitness=self.fitness[w],
                )
            )
        return tuple(out)


def simulate_plan(
    persona: Persona,
    weeks: int,
    *,
    seed: int = 1,
    coach: CoachConfig | None = None,
    start: date = START,
) -> SimResult:
    """Follow the planner for ``weeks`` weeks with the persona's simulated runner."""
    if not 1 <= weeks <= 104:
        raise ValueError(f"weeks must be 1-104, got {weeks}")
    runner = _Runner(persona, seed, coach if coach is not None else CoachConfig(), start)
    first = runner.state.fitness()
    for n in range(7 * weeks):
        runner.day(n)
    return SimResult(weeks=runner.weeks(weeks), start=first)
