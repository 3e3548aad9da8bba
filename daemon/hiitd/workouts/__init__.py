"""Workouts: the built-in library and the importers (.zwo, FIT, intervals.icu text, TOML)."""
