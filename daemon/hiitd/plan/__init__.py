"""The gradual approach: training load, readiness and progression. Pure (no I/O, time as argument).

``recommend_next(history, checkins, config, today)`` gives the next session; the
daemon's I/O side (``hiitd.store.plan_history``) builds the history from the store. The
numbers and their sources are in each module: ``daily_load`` (Williams' EWMA
acute:chronic ratio, CTL/ATL, Foster's monotony and strain), ``readiness``
(lnRMSSD and resting-HR baselines, trend markers), ``ladders`` (rungs per
protocol), ``recommend`` (the decision order).
"""

from hiitd.plan.daily_load import LoadDay, load_days
from hiitd.plan.ladders import plan_workout
from hiitd.plan.plan_config import PlanConfig
from hiitd.plan.plan_values import Checkin, Flag, Kind, Recommendation, SessionEntry, Severity
from hiitd.plan.readiness import Readiness, readiness
from hiitd.plan.recommend import recommend_next

__all__ = [
    "Checkin",
    "Flag",
    "Kind",
    "LoadDay",
    "PlanConfig",
    "Readiness",
    "Recommendation",
    "SessionEntry",
    "Severity",
    "load_days",
    "plan_workout",
    "readiness",
    "recommend_next",
]
