"""Settings for parser and importer fuzz tests: quick in CI, >= 100,000 under the long profile."""

from __future__ import annotations

from hypothesis import settings


def fuzz(ci_examples: int) -> settings:
    """``ci_examples`` in the quick profile; the profile's count when it is larger (``long``)."""
    # settings.default is the profile tests/conftest.py loaded (it runs before test modules).
    return settings(max_examples=max(ci_examples, settings.default.max_examples), deadline=None)
