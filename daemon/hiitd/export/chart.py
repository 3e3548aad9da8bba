"""The session chart: heart rate and pace over time, as a PNG sized for a phone.

matplotlib is imported inside ``render_chart`` (drawing on an Agg canvas, no
display): it takes a second or more to import on a Raspberry Pi, and the
daemon must start without it. Importing ``hiitd.export`` never imports it.

What is drawn: heart rate (top) over HR zone bands, pace in min/km (bottom,
faster is up), workout steps shaded by intensity behind both, pauses hatched,
cues as small ticks along the top edge. A dropout is a gap in the line (NaN
breaks it), never a straight line across.
"""

from __future__ import annotations

import io
import math
from typing import TYPE_CHECKING

from hiitd.export._track import build_track, utc_iso

if TYPE_CHECKING:
    from collections.abc import Sequence

    from matplotlib.axes import Axes
    from matplotlib.figure import Figure

    from hiitd.export._track import Point
    from hiitd.record.session_record import SessionRecord

__all__ = ["default_hr_zones", "render_chart"]

# A line is broken where consecutive samples are further apart than this
# (straps notify at 1 Hz, footpods at 1-4 Hz).
_GAP_S = 3.0
_STANDING_MPS = 0.5  # slower than this there is no pace to show
_SLOWEST_PACE_S = 12 * 60  # 12:00 min/km: slower (walking) is clipped to keep the scale useful
_STEP_COLOURS = {
    "warmup": "#f2c94c",
    "active": "#eb5757",
    "interval": "#eb5757",
    "recovery": "#6fcf97",
    "rest": "#bdbdbd",
    "cooldown": "#56ccf2",
}
_ZONE_COLOURS = ("#d9ecff", "#d4f5dd", "#fff4c2", "#ffe0c2", "#ffd1d1", "#f5c2f5")
# Phone portrait: 1080 x 1350 px at 150 dpi, fonts large enough to read without zooming.
_SIZE_IN = (7.2, 9.0)
_DPI = 150


def default_hr_zones(max_hr: int) -> list[tuple[str, int, int]]:
    """Five zones at 50-60-70-80-90-100 % of max HR (the common "%HRmax" model)."""
    edges = [round(max_hr * f) for f in (0.5, 0.6, 0.7, 0.8, 0.9, 1.0)]
    return [(f"Z{i + 1}", edges[i], edges[i + 1]) for i in range(5)]


def _series(ts: Sequence[float], values: Sequence[float | None]) -> tuple[list[float], list[float]]:
    """(x minutes, y) with NaN at unknown values and inside gaps longer than ``_GAP_S``."""
    xs: list[float] = []
    ys: list[float] = []
    prev: float | None = None
    for t, v in zip(ts, values, strict=True):
        if prev is not None and t - prev > _GAP_S:
            xs.append((prev + t) / 2 / 60)
            ys.append(math.nan)
        xs.append(t / 60)
        ys.append(math.nan if v is None else v)
        prev = t
    return xs, ys


def render_chart(
    record: SessionRecord, *, hr_zones: list[tuple[str, int, int]] | None = None
) -> bytes:
    """Draw the session as PNG; ``hr_zones``: (name, low, high bpm), else ``default_hr_zones``."""
    # Imported here, not at module level: kept out of the daemon's start-up path.
    from matplotlib.backends.backend_agg import FigureCanvasAgg  # noqa: PLC0415
    from matplotlib.figure import Figure  # noqa: PLC0415

    zones = hr_zones if hr_zones is not None else default_hr_zones(record.athlete.max_hr)
    # A Figure on an Agg canvas, without pyplot: no global backend switch, no
    # figure registry to close, safe in a worker thread.
    fig = Figure(figsize=_SIZE_IN, dpi=_DPI, layout="constrained")
    FigureCanvasAgg(fig)  # attaches itself: savefig below renders with Agg
    ax_hr, ax_pace = fig.subplots(2, 1, sharex=True, height_ratios=(3, 2))
    points = build_track(record)
    _title(fig, record, points)
    # Drawn in this order, so later artists lie on top of earlier ones.
    _shade_steps_and_pauses((ax_hr, ax_pace), record)
    _draw_heart_rate(ax_hr, record, zones)
    _draw_pace(ax_pace, points)
    _mark_cues(ax_hr, record)
    for ax in (ax_hr, ax_pace):
        ax.set_xlim(0, max(record.duration_s / 60, 1 / 60))
        ax.grid(visible=True, alpha=0.3)
        ax.tick_params(labelsize=11)
    _legend(fig, record)
    buf = io.BytesIO()
    fig.savefig(buf, format="png")
    return buf.getvalue()


def _title(fig: Figure, record: SessionRecord, points: Sequence[Point]) -> None:
    """The workout's name, the day, the duration and the distance, above both plots."""
    distance_km = max((p.distance_m or 0.0 for p in points), default=0.0) / 1000
    # "$" would start matplotlib mathtext; a workout name is user text.
    title = (record.workout or "Run").replace("$", r"\$")
    day = utc_iso(record.start_wall)[:10]
    fig.suptitle(
        f"{title}\n{day}  {record.duration_s / 60:.0f} min  {distance_km:.2f} km", fontsize=14
    )


def _shade_steps_and_pauses(axes: tuple[Axes, Axes], record: SessionRecord) -> None:
    """Workout steps shaded by intensity, pauses hatched, behind both plots."""
    for step in record.steps:
        end = record.duration_s if step.end_t is None else step.end_t
        colour = _STEP_COLOURS.get(step.intensity, "#e0e0e0")
        for ax in axes:
            ax.axvspan(step.start_t / 60, end / 60, color=colour, alpha=0.18, lw=0)
    for pause in record.pauses:
        end = record.duration_s if pause.end_t is None else pause.end_t
        for ax in axes:
            ax.axvspan(
                pause.start_t / 60, end / 60, facecolor="none", hatch="//", edgecolor="#888", lw=0
            )


def _draw_heart_rate(ax_hr: Axes, record: SessionRecord, zones: list[tuple[str, int, int]]) -> None:
    """The heart-rate line over the zone bands, each band named where it is in view."""
    hr_pts = [(h.t, h.bpm) for h in record.hr]
    hr_x, hr_y = _series([t for t, _ in hr_pts], [b for _, b in hr_pts])
    known = [b for _, b in hr_pts if b is not None]
    lo = min([*known, *(z[1] for z in zones[:1])], default=60) - 5
    hi = max([*known, *(z[2] for z in zones[-1:])], default=190) + 5
    for i, (name, z_lo, z_hi) in enumerate(zones):
        ax_hr.axhspan(z_lo, z_hi, color=_ZONE_COLOURS[i % len(_ZONE_COLOURS)], alpha=0.6, lw=0)
        if lo <= (z_lo + z_hi) / 2 <= hi:
            ax_hr.text(
                1.0,
                (z_lo + z_hi) / 2,
                f" {name}",
                transform=ax_hr.get_yaxis_transform(),
                va="center",
                ha="left",
                fontsize=10,
                color="#555",
                clip_on=False,
            )
    ax_hr.plot(hr_x, hr_y, color="#c0392b", lw=1.4)
    ax_hr.set_ylim(lo, hi)
    ax_hr.set_ylabel("Heart rate (bpm)", fontsize=12)


def _draw_pace(ax_pace: Axes, points: Sequence[Point]) -> None:
    """Pace in min/km, faster up, scaled to the running (not to standing or walking)."""
    from matplotlib.ticker import FuncFormatter, MultipleLocator  # noqa: PLC0415

    paces = [
        None
        if p.speed_mps is None or p.speed_mps < _STANDING_MPS or p.paused
        else min(1000 / p.speed_mps, _SLOWEST_PACE_S)
        for p in points
    ]
    pace_x, pace_y = _series([p.t for p in points], paces)
    ax_pace.plot(pace_x, pace_y, color="#2d6cdf", lw=1.2)
    known_paces = sorted(v for v in paces if v is not None)
    if known_paces:
        # Scale to the running, not to the odd slow second: 2nd-98th percentile.
        fast = known_paces[len(known_paces) // 50]
        slow = known_paces[-1 - len(known_paces) // 50]
        ax_pace.set_ylim(min(slow + 30, _SLOWEST_PACE_S), max(fast - 15, 0))  # faster is up
        span = slow - fast
        ax_pace.yaxis.set_major_locator(
            MultipleLocator(30 if span <= 240 else 60 if span <= 600 else 120)
        )
    else:
        ax_pace.invert_yaxis()
    ax_pace.yaxis.set_major_formatter(
        FuncFormatter(lambda s, _pos: f"{int(s // 60)}:{int(s % 60):02d}")
    )
    ax_pace.set_ylabel("Pace (min/km)", fontsize=12)
    ax_pace.set_xlabel("Time (min)", fontsize=12)


def _mark_cues(ax_hr: Axes, record: SessionRecord) -> None:
    """A small tick along the top edge of the heart-rate plot for each cue given."""
    cue_x = [c.t / 60 for c in record.cues]
    ax_hr.plot(
        cue_x,
        [0.985] * len(cue_x),
        "v",
        color="#333",
        ms=5,
        transform=ax_hr.get_xaxis_transform(),
        clip_on=False,
        ls="none",
    )


def _legend(fig: Figure, record: SessionRecord) -> None:
    """Below the plots: the step intensities shown, and "paused" when there were pauses."""
    from matplotlib.patches import Patch  # noqa: PLC0415

    shown = list(dict.fromkeys(s.intensity for s in record.steps))
    handles = [Patch(color=_STEP_COLOURS.get(i, "#e0e0e0"), alpha=0.4, label=i) for i in shown]
    if record.pauses:
        handles.append(Patch(facecolor="none", hatch="//", edgecolor="#888", label="paused"))
    if handles:
        fig.legend(
            handles=handles,
            loc="outside lower center",
            ncols=min(len(handles), 6),
            fontsize=10,
            frameon=False,
        )
