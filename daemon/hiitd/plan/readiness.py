"""Readiness from morning check-ins, and warning trends from the sessions. Pure.

Check-ins (a 2-minute resting measurement with the strap) give resting HR and
lnRMSSD. The baseline is the last ``baseline_days`` (60) of them:

- HRV: the 7-day rolling mean of lnRMSSD below the baseline mean minus half a
  baseline SD (the "smallest worthwhile change" band of Plews DJ, Laursen PB,
  Kilding AE, Buchheit M, "Evaluating training adaptation with heart-rate
  measures: a methodological comparison", Int J Sports Physiol Perform 2013; 8:
  688-91, and Plews et al., Sports Med 2013; 43: 773-81: single days are too
  noisy, a weekly mean is not). The whole window is the baseline, as there.
- Resting HR: ``resting_hr_days`` (2-3) days in a row at least 5 bpm above the
  mean of the window *before* those days (so the raised days do not lift their
  own baseline). A morning HR 5+ bpm up for days is the classic sign of
  incomplete recovery or illness (e.g. Buchheit M, "Monitoring training status
  with HR measures: do all roads lead to Rome?", Front Physiol 2014; 5: 73).

Trend markers from sessions, all amber (they hold progression back):
- efficiency factor down ``EF_DROP`` or more against earlier sessions run at a
  similar pace (within ``SIMILAR_PACE``), the same pace costing more heart beats;
- HRR60 slower: the mean of the last two sessions ``HRR_DROP_BPM`` below the
  earlier ones (slower recovery of heart rate after effort). Only measured
  values arrive here: HRR60 withheld because the runner kept jogging is None
  (metrics/hr_recovery.py), and metrics older than version 3 are skipped
  (store/plan_history.py);
- failing targets: the last two HIIT sessions below the compliance threshold.
These three thresholds are hiitd's heuristics (no study fixes them for a
single runner); they are module constants, stated in every flag's text.
"""

from __future__ import annotations

import statistics
from dataclasses import dataclass
from datetime import timedelta
from typing import TYPE_CHECKING, Any

from hiitd.plan.plan_values import Flag, Severity

if TYPE_CHECKING:
    from collections.abc import Sequence
    from datetime import date

    from hiitd.plan.plan_config import PlanConfig
    from hiitd.plan.plan_values import Checkin, SessionEntry

EF_DROP = 0.05  # 5 % less speed per beat
SIMILAR_PACE = 0.05  # paces within 5 % count as "the same pace"
HRR_DROP_BPM = 6.0
TREND_DAYS = 60  # sessions older than this say nothing about today
HRV_WINDOW_DAYS = 7


@dataclass(frozen=True, slots=True)
class Readiness:
    """Today's readiness: baselines, the rolling values, and any flags."""

    day: date
    checkins: int  # in the baseline window
    ln_rmssd_baseline: float | None
    ln_rmssd_sd: float | None
    ln_rmssd_7d: float | None
    resting_hr_baseline: float | None
    resting_hr: float | None  # the latest check-in's
    flags: tuple[Flag, ...] = ()

    @property
    def status(self) -> str:
        """red, amber, green, or unknown (too few check-ins for a baseline)."""
        if any(f.severity is Severity.RED for f in self.flags):
            return "red"
        if self.flags:
            return "amber"
        return "unknown" if self.ln_rmssd_baseline is None else "green"

    def to_payload(self) -> dict[str, Any]:
        """JSON-ready."""

        def r(x: float | None, d: int = 3) -> float | None:
            return None if x is None else round(x, d)

        return {
            "day": self.day.isoformat(),
            "status": self.status,
            "checkins": self.checkins,
            "ln_rmssd_baseline": r(self.ln_rmssd_baseline),
            "ln_rmssd_sd": r(self.ln_rmssd_sd),
            "ln_rmssd_7d": r(self.ln_rmssd_7d),
            "resting_hr_baseline": r(self.resting_hr_baseline, 1),
            "resting_hr": r(self.resting_hr, 1),
            "flags": [f.to_payload() for f in self.flags],
        }


def readiness(checkins: Sequence[Checkin], cfg: PlanConfig, today: date) -> Readiness:
    """Baselines and flags from the check-ins up to ``today``."""
    window = sorted(
        (c for c in checkins if today - timedelta(days=cfg.baseline_days) < c.day <= today),
        key=lambda c: c.day,
    )
    lns = [c.ln_rmssd for c in window if c.ln_rmssd is not None]
    recent = [
        c.ln_rmssd
        for c in window
        if c.ln_rmssd is not None and c.day > today - timedelta(days=HRV_WINDOW_DAYS)
    ]
    flags: list[Flag] = []
    base = sd = mean7 = None
    if len(lns) >= cfg.min_baseline_checkins:
        base, sd = statistics.fmean(lns), statistics.stdev(lns)
        mean7 = statistics.fmean(recent) if recent else None
        limit = base - cfg.lnrmssd_sd_factor * sd
        if mean7 is not None and mean7 < limit:
            text = (
                f"7-day lnRMSSD {mean7:.2f} is below your 60-day baseline {base:.2f} "
                f"minus {cfg.lnrmssd_sd_factor:g} SD ({limit:.2f}): not recovered"
            )
            flags.append(Flag("hrv_low", Severity.RED, text, mean7))
    rhr_base, latest_rhr, rhr_flag = _resting_hr(window, cfg, today)
    if rhr_flag is not None:
        flags.append(rhr_flag)
    return Readiness(
        day=today,
        checkins=len(window),
        ln_rmssd_baseline=base,
        ln_rmssd_sd=sd,
        ln_rmssd_7d=mean7,
        resting_hr_baseline=rhr_base,
        resting_hr=latest_rhr,
        flags=tuple(flags),
    )


def _resting_hr(
    window: Sequence[Checkin], cfg: PlanConfig, today: date
) -> tuple[float | None, float | None, Flag | None]:
    by_day = {c.day: c.resting_hr for c in window if c.resting_hr is not None}
    if not by_day:
        return None, None, None
    latest_day = max(by_day)
    latest = by_day[latest_day]
    n = cfg.resting_hr_days
    tested = [latest_day - timedelta(days=i) for i in range(n)]
    older = [v for d, v in by_day.items() if d < tested[-1]]
    if len(older) < cfg.min_baseline_checkins - n:
        return None, latest, None
    base = statistics.fmean(older)
    raised = all(
        (v := by_day.get(d)) is not None and v >= base + cfg.resting_hr_rise_bpm for d in tested
    )
    if not raised or latest_day < today - timedelta(days=1):
        return base, latest, None
    text = (
        f"resting HR {latest:.0f} bpm, {n} days in a row at least "
        f"{cfg.resting_hr_rise_bpm:g} bpm above your baseline {base:.0f}: recovering or ill?"
    )
    return base, latest, Flag("resting_hr_high", Severity.RED, text, latest)


def trend_flags(history: Sequence[SessionEntry], cfg: PlanConfig, today: date) -> list[Flag]:
    """Amber markers: falling EF at similar pace, slower HRR60, failing targets."""
    recent = sorted(
        (e for e in history if today - timedelta(days=TREND_DAYS) <= e.day <= today),
        key=lambda e: e.start_wall,
    )
    flags: list[Flag] = []
    if (f := _ef_flag(recent)) is not None:
        flags.append(f)
    hrr = [e.hrr60_bpm for e in recent if e.hrr60_bpm is not None]
    if len(hrr) >= 5:
        before, last = statistics.fmean(hrr[:-2]), statistics.fmean(hrr[-2:])
        if last <= before - HRR_DROP_BPM:
            text = (
                f"heart rate recovers slower: HRR60 {last:.0f} bpm in the last two sessions "
                f"against {before:.0f} before (a drop of {HRR_DROP_BPM:g}+ bpm)"
            )
            flags.append(Flag("hrr60_slower", Severity.AMBER, text, last))
    hiit = [e for e in recent if e.hiit and e.compliance_pct is not None]
    if len(hiit) >= 2 and all(
        e.compliance_pct is not None and e.compliance_pct < cfg.compliant_pct for e in hiit[-2:]
    ):
        text = (
            f"targets missed: the last two HIIT sessions were under {cfg.compliant_pct:g} % "
            "of the time in target"
        )
        flags.append(Flag("failing_targets", Severity.AMBER, text, hiit[-1].compliance_pct))
    return flags


def _ef_flag(recent: Sequence[SessionEntry]) -> Flag | None:
    runs = [e for e in recent if e.ef is not None and e.pace_s_per_km is not None]
    if len(runs) < 3:
        return None
    last = runs[-1]
    last_ef, pace = last.ef, last.pace_s_per_km
    if last_ef is None or pace is None:  # filtered above; for the type checker
        return None
    similar = [
        e.ef
        for e in runs[:-1]
        if e.ef is not None
        and e.pace_s_per_km is not None
        and abs(e.pace_s_per_km - pace) <= SIMILAR_PACE * pace
    ]
    if len(similar) < 2:
        return None
    before = statistics.fmean(similar)
    if last_ef > before * (1 - EF_DROP):
        return None
    drop = 100 * (1 - last_ef / before)
    text = (
        f"efficiency factor down {drop:.0f} % at a similar pace ({last_ef:.2f} against "
        f"{before:.2f}): the same pace costs more heart beats"
    )
    return Flag("ef_falling", Severity.AMBER, text, last_ef)
