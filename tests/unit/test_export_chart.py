"""Session chart: a phone-sized PNG; matplotlib stays out of the import path; gaps stay gaps."""

from __future__ import annotations

import math
import struct
import subprocess
import sys
from dataclasses import replace

from export_rig import four_by_four, free_run

from hiitd.export import render_chart
from hiitd.export.chart import _series, default_hr_zones

PNG_SIGNATURE = b"\x89PNG\r\n\x1a\n"


def _size(png: bytes) -> tuple[int, int]:
    assert png.startswith(PNG_SIGNATURE)
    width, height = struct.unpack(">II", png[16:24])  # IHDR comes first
    return width, height


def test_renders_a_phone_sized_png() -> None:
    """The 4x4 renders to a 1080x1350 PNG of a sensible size."""
    png = render_chart(four_by_four(), hr_zones=default_hr_zones(190))
    assert _size(png) == (1080, 1350)
    assert 30_000 < len(png) < 1_000_000


def test_renders_without_steps_zones_or_samples() -> None:
    """A free run, custom zones, and a session with no samples at all still render."""
    assert _size(render_chart(free_run(), hr_zones=[("easy", 100, 140), ("hard", 140, 200)]))
    empty = replace(free_run(), hr=(), pod=(), workout="$5 run")  # "$" is not mathtext here
    assert _size(render_chart(empty))


def test_importing_export_does_not_import_matplotlib() -> None:
    """A fresh interpreter importing hiitd.export (and its chart module) has no matplotlib."""
    code = (
        "import sys, hiitd.export, hiitd.export.chart; "
        "sys.exit(1 if any(m.split('.')[0] == 'matplotlib' for m in sys.modules) else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)


def test_gaps_break_the_line() -> None:
    """A dropout longer than 3 s and an unknown value become NaN, so no line crosses them."""
    xs, ys = _series([0, 1, 2, 60, 61], [100, None, 102, 150, 151])
    assert math.isnan(ys[1])
    assert math.isnan(ys[3])  # inserted between 2 s and 60 s
    assert xs[3] == 31 / 60
    assert [y for y in ys if not math.isnan(y)] == [100, 102, 150, 151]


def test_default_zones_are_five_percent_of_max_bands() -> None:
    """Default zones are 50-60-70-80-90-100 % of max HR."""
    assert default_hr_zones(200) == [
        ("Z1", 100, 120),
        ("Z2", 120, 140),
        ("Z3", 140, 160),
        ("Z4", 160, 180),
        ("Z5", 180, 200),
    ]
