"""Session metrics, pure and standard-library only: ``compute_metrics(record)``."""

from hiitd.metrics.summary import SessionMetrics, compute_metrics

__all__ = ["SessionMetrics", "compute_metrics"]
