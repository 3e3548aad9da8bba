"""Exports of a recorded session: FIT, TCX, CSV, and a PNG chart (matplotlib loaded on use)."""

from hiitd.export._fit_encode import ExportError
from hiitd.export.chart import default_hr_zones, render_chart
from hiitd.export.csv import COLUMNS, export_csv
from hiitd.export.fit import export_fit
from hiitd.export.tcx import export_tcx

__all__ = [
    "COLUMNS",
    "ExportError",
    "default_hr_zones",
    "export_csv",
    "export_fit",
    "export_tcx",
    "render_chart",
]
