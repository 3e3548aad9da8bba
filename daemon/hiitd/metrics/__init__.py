"""Session metrics, pure and standard-library only: ``compute_metrics(record)``."""

from hiitd.metrics.session_metrics import SessionMetrics
from hiitd.metrics.summary import compute_metrics

__all__ = ["SessionMetrics", "compute_metrics"]
