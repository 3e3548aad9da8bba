"""``hiitd replay``: every shared FIT activity through the real engine, builder and metrics."""

from __future__ import annotations

import json
import os
import subprocess
import sys
from typing import TYPE_CHECKING

import pytest

from hiitd.cli.replay_cmd import ReplayResult, replay_file
from hiitd.coach.profile import AthleteProfile

if TYPE_CHECKING:
    from pathlib import Path

pytestmark = pytest.mark.integration

# A complete profile, so every metric can be computed (calories need weight, age, sex).
PROFILE = AthleteProfile(
    max_hr=190,
    max_hr_estimated=False,
    resting_hr=50,
    lthr=170,
    threshold_speed_mps=1000 / 270,
    vdot=None,
    age=40,
    sex="male",
    weight_kg=72,
)
# The Suunto writes no final lap, so its session totals stop at the last lap.
NO_FINAL_LAP = "runalyze__Suunto-Ambit-3-Peak-without-final-lap.fit"
_CACHE: dict[str, ReplayResult] = {}


def replayed(fit_dir: Path, name: str) -> ReplayResult:
    """Replay once per file per test run (the metrics tests share the result)."""
    if name not in _CACHE:
        _CACHE[name] = replay_file(fit_dir / name, PROFILE, workout=None)
    return _CACHE[name]


FIT_NAMES = [
    "fitdecode__2013-02-06-12-11-14.fit",
    "fitdecode__activity-small-fenix2-run.fit",
    "fitdecode__compressed-speed-distance.fit",
    "fitdecode__developer-types-sample.fit",
    "fitdecode__garmin-fenix-5-run.fit",
    "garmin-fit-python-sdk__HrmPluginTestActivity.fit",
    "runalyze__FR630-with-lth.fit",
    "runalyze__FR70-intervals.fit",
    "runalyze__FR920-additional-start-events.fit",
    "runalyze__FR920xt-with-Stryd.fit",
    "runalyze__FR920xt-with-runscribe-plus.fit",
    "runalyze__Fenix-3-with-runscribe-v1-38.fit",
    "runalyze__HRV-example.fit",
    NO_FINAL_LAP,
    "runalyze__garmin-runPower-2.fit",
]


@pytest.fixture(scope="module")
def fit_dir(shared_data: Path) -> Path:
    return shared_data / "fit_activities"


@pytest.mark.parametrize("name", FIT_NAMES)
def test_replay_builds_a_record_and_metrics(fit_dir: Path, name: str) -> None:
    """Every file replays to a stopped free-run session with a record, a summary and metrics."""
    r = replayed(fit_dir, name)
    assert r.samples > 0
    assert r.record is not None
    assert r.metrics is not None
    assert r.summary is not None
    assert r.workout == "free-run"
    assert [c.kind for c in r.cues][:1] == ["step_start"]
    assert r.cues[-1].kind == "session_end"


@pytest.mark.parametrize("name", FIT_NAMES)
def test_duration_matches_the_file(fit_dir: Path, name: str) -> None:
    """Duration within 10 s of the session's elapsed time, moving time within 10 s of its timer.

    10 s: records can stop a few seconds before the session message (the FR70 writes its
    last record 8 s early). Moving time matches the timer because the watch's pauses are
    replayed as pause/resume. The Suunto's totals stop at its last written lap, so its
    duration is checked against the session message's own timestamp instead.
    """
    r = replayed(fit_dir, name)
    session = r.source.sessions[0]
    assert r.record is not None
    assert r.summary is not None
    if name == NO_FINAL_LAP:
        assert session.end_t is not None
        assert r.record.duration_s == pytest.approx(session.end_t - session.start_t, abs=10)
        return
    assert session.elapsed_s is not None
    assert session.timer_s is not None
    assert r.record.duration_s == pytest.approx(session.elapsed_s, abs=10)
    assert r.summary.moving_s == pytest.approx(session.timer_s, abs=10)


@pytest.mark.parametrize("name", FIT_NAMES)
def test_average_hr_matches_the_watch(fit_dir: Path, name: str) -> None:
    """Average HR within 3 bpm of the file's session avg_heart_rate, where it has one.

    3 bpm: the watch averages every beat, the metric averages the recorded samples over
    time (the fenix 5 records only 21 samples in 57 s: 87.5 vs 90 bpm).
    """
    r = replayed(fit_dir, name)
    expected = r.source.sessions[0].avg_hr
    assert r.metrics is not None
    if expected is None:
        assert r.metrics.avg_hr is None or 40 < r.metrics.avg_hr < 200
        return
    assert r.metrics.avg_hr == pytest.approx(expected, abs=3)


@pytest.mark.parametrize("name", FIT_NAMES)
def test_distance_matches_the_watch(fit_dir: Path, name: str) -> None:
    """Distance within 2 % of the session's total_distance, where it has one (>0).

    2 %: the footpod total is the file's cumulative distance, so only the last seconds after
    the final record can differ.
    """
    r = replayed(fit_dir, name)
    expected = r.source.sessions[0].distance_m
    assert r.metrics is not None
    if not expected:
        return
    assert r.metrics.distance_m == pytest.approx(expected, rel=0.02)


@pytest.mark.parametrize("name", FIT_NAMES)
def test_calories_are_plausible_for_running(fit_dir: Path, name: str) -> None:
    """Running with heart rate and weight/age/sex set: 3 to 25 kcal per minute of HR data.

    3-25 kcal/min spans an easy jog to an elite race for a 72 kg runner (Keytel 2005 from
    HR); walking and the seated HRV recording are below it by nature and not checked.
    """
    r = replayed(fit_dir, name)
    m = r.metrics
    assert m is not None
    if r.source.sport != "running" or not m.hr_covered_s:
        return
    assert m.energy.kcal is not None
    per_min = m.energy.kcal / (m.hr_covered_s / 60)
    assert 3 <= per_min <= 25


@pytest.mark.parametrize("name", FIT_NAMES)
def test_rmssd_plausible_or_withheld(fit_dir: Path, name: str) -> None:
    """RMSSD in 2-150 ms during exercise, or withheld with a reason (no RR, artefacts > 5 %).

    2-150 ms: RMSSD falls to a few ms during hard running and rarely exceeds 150 ms even
    at rest; more than 5 % artefacts make any value meaningless, so it must be withheld.
    """
    r = replayed(fit_dir, name)
    hrv = r.metrics.hrv if r.metrics is not None else None
    assert hrv is not None
    if hrv.rmssd_ms is None:
        assert hrv.withheld
        return
    assert 2 <= hrv.rmssd_ms <= 150
    assert hrv.artefact_pct is not None
    assert hrv.artefact_pct <= 5


def test_interval_file_with_a_workout_changes_steps_and_corrects(fit_dir: Path) -> None:
    """FR70 intervals coached as Gibala 10x60: steps advance, and slow reps get speed_up."""
    r = replay_file(fit_dir / "runalyze__FR70-intervals.fit", PROFILE, workout="gibala-10x60")
    kinds = [c.kind for c in r.cues]
    assert len(r.steps) >= 10
    assert len({s.index for s in r.steps}) == len(r.steps)
    assert kinds.count("step_end") >= 10
    assert "speed_up" in kinds  # the runner jogged most of the "hard" minutes
    assert r.summary is not None
    assert r.summary.completed
    assert r.metrics is not None
    assert r.metrics.steps


def test_replay_speed_of_the_longest_file(fit_dir: Path) -> None:
    """167 minutes of FR920 replay in under 10 s (measured ~0.7 s: ~14,000x real time)."""
    r = replayed(fit_dir, "runalyze__FR920-additional-start-events.fit")
    print(f"FR920 {r.duration_s:.0f} s in {r.wall_s:.2f} s: {r.duration_s / r.wall_s:.0f}x")  # noqa: T201
    assert r.wall_s < 10


def _env(tmp_path: Path) -> dict[str, str]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("HIITD_")}
    env["STATE_DIRECTORY"] = str(tmp_path / "state")
    env["HIITD_ATHLETE__MAX_HR"] = "190"
    env["HIITD_ATHLETE__THRESHOLD_PACE"] = "4:30"  # the 4x4 is steered by pace
    return env


def test_cli_json_document(fit_dir: Path, tmp_path: Path) -> None:
    """``hiitd replay FILE --workout NAME --json`` prints one document with the contract keys."""
    fit = str(fit_dir / "runalyze__FR630-with-lth.fit")
    proc = subprocess.run(
        [sys.executable, "-m", "hiitd", "replay", fit, "--workout", "norwegian-4x4", "--json"],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=True,
        timeout=60,
    )
    doc = json.loads(proc.stdout)
    assert {"file", "workout", "samples", "duration_s", "cues", "steps", "metrics"} <= set(doc)
    assert doc["workout"] == "norwegian-4x4"
    assert doc["samples"] > 1000
    assert all({"t", "kind", "text"} <= set(c) for c in doc["cues"])


def test_cli_text_and_bad_file(fit_dir: Path, tmp_path: Path) -> None:
    """Text output lists cues with times; a truncated file fails naming it on stderr."""
    ok = subprocess.run(
        [sys.executable, "-m", "hiitd", "replay", str(fit_dir / "runalyze__HRV-example.fit")],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=True,
        timeout=60,
    )
    assert ok.stdout.startswith("00:00:00  >> ")
    assert "replayed " in ok.stdout
    cut = tmp_path / "cut.fit"
    cut.write_bytes((fit_dir / "runalyze__HRV-example.fit").read_bytes()[:1500])
    bad = subprocess.run(
        [sys.executable, "-m", "hiitd", "replay", str(cut)],
        capture_output=True,
        text=True,
        env=_env(tmp_path),
        check=False,
        timeout=60,
    )
    assert bad.returncode != 0
    assert "cut.fit" in bad.stderr
