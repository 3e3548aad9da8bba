"""Fixtures shared by every test: where the shared data is, and how a missing part is reported.

Under ``CI=true`` a test that needs a real part (mosquitto, dbus-daemon,
``../shared/data``) fails when the part is missing; elsewhere it skips, saying why.
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path
from typing import TYPE_CHECKING

import pytest
from hypothesis import HealthCheck, settings

if TYPE_CHECKING:
    from collections.abc import Callable

ROOT = Path(__file__).resolve().parent.parent
SHARED_DATA = Path(os.environ.get("HIITD_SHARED_DATA", ROOT.parent / "shared" / "data"))
IN_CI = os.environ.get("CI", "").lower() == "true"

# Hypothesis profiles: "ci" (the default) keeps the suite quick; "long" runs at
# least 100,000 examples per parser and importer (CONTRIBUTING.md, "Fuzzing"):
#   HYPOTHESIS_PROFILE=long .venv/bin/pytest --timeout 0 -q tests/unit/test_gatt_properties.py ...
# Fuzz tests take their count from ``fuzz_rig.fuzz(n)``: n in CI, the profile's under "long".
LONG_FUZZ_EXAMPLES = 100_000
settings.register_profile("ci", deadline=None, print_blob=True)
settings.register_profile(
    "long",
    max_examples=LONG_FUZZ_EXAMPLES,
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large],
)
settings.load_profile(os.environ.get("HYPOTHESIS_PROFILE", "ci"))


def missing_part(why: str) -> None:
    """Fail under CI=true, skip elsewhere: a real part this test needs is absent."""
    if IN_CI:
        pytest.fail(f"CI=true and {why}; .ci/run must install it", pytrace=False)
    pytest.skip(why)


def require_executable(name: str, *candidates: str) -> str:
    """Return the path of an executable, or fail/skip naming it."""
    for cand in (name, *candidates):
        found = shutil.which(cand)
        if found:
            return found
        if Path(cand).is_file() and os.access(cand, os.X_OK):
            return cand
    missing_part(f"{name} is not installed (apt-get install {name})")
    raise AssertionError  # unreachable: missing_part raises


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """The real files in ``../shared/data`` (read in place, never copied)."""
    if not (SHARED_DATA / "MANIFEST.md").is_file():
        missing_part(f"shared test data not found at {SHARED_DATA}")
    return SHARED_DATA


@pytest.fixture(scope="session")
def executable() -> Callable[..., str]:
    """``executable("systemd-analyze")``: the path, or fail (CI) / skip naming the package."""
    return require_executable
