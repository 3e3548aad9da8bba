"""The plan simulation: a simulated runner following the planner day by day.

``hiitd plan simulate``.

Like the running daemon it composes the layers below (the coach, the recorder,
the metrics, the planner, the store's history entries, the simulated
sensors), but on an explicit clock: nothing sleeps and nothing is stored.
"""
