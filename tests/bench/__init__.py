"""Benchmarks: scripts that print figures and write JSON (never timed assertions).

``./dev bench`` (or ``.venv/bin/python -m tests.bench``) runs them all.
"""
