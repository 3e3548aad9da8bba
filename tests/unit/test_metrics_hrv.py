"""RMSSD with artefact filtering, cross-checked against hrv-analysis on real RR series."""

from __future__ import annotations

import csv
import math
from typing import TYPE_CHECKING, Any

import pytest
from metrics_rig import record

from hiitd.metrics import hrv
from hiitd.record.session_record import HrPoint

if TYPE_CHECKING:
    from pathlib import Path

SERIES = (
    "pyhrv_SampleNNISeriesShort_ms.txt",
    "pyhrv_SampleNNISeriesLong_ms.txt",
    "rr_from_fit__FR630-with-lth.csv",
    "rr_from_fit__Fenix-3-with-runscribe-v1-38.csv",
    "rr_from_fit__HRV-example.csv",
    "rr_from_fit__garmin-fenix-5-run.csv",
)


def _load(shared_data: Path, name: str) -> list[float]:
    path = shared_data / "rr_datasets" / name
    if name.endswith(".txt"):
        return [float(x) for x in path.read_text(encoding="utf-8").split()]
    with path.open(encoding="utf-8", newline="") as f:
        return [float(row["rr_ms"]) for row in csv.DictReader(f)]


def _reference() -> Any:
    """hrv-analysis' time-domain features (an independent, published implementation)."""
    try:
        from hrvanalysis import get_time_domain_features  # noqa: PLC0415
    except ImportError:
        from conftest import missing_part  # noqa: PLC0415

        missing_part("hrv-analysis is not installed (pip install -e '.[test]')")
    return get_time_domain_features


def _alternating(n: int, a: float = 800.0, b: float = 850.0) -> list[float]:
    return [a if i % 2 == 0 else b for i in range(n)]


def test_rmssd_of_an_alternating_series() -> None:
    """800/850 ms alternating: every difference is 50 ms, so RMSSD is 50 and lnRMSSD ln 50."""
    res = hrv.hrv_from_runs([_alternating(100)])
    assert res.rmssd_ms == pytest.approx(50.0)
    assert res.ln_rmssd == pytest.approx(math.log(50.0))
    assert res.mean_rr_ms == pytest.approx(825.0)
    assert res.sdnn_ms == pytest.approx(25.0 * math.sqrt(100 / 99))
    assert res.artefact_pct == 0.0
    assert res.withheld is None


def test_a_dropout_beat_is_removed_and_not_differenced_across() -> None:
    """One 2500 ms beat (a missed detection) is 1 % artefacts; RMSSD stays 50."""
    rr = _alternating(100)
    rr[50] = 2500.0
    res = hrv.hrv_from_runs([rr])
    assert res.artefact_pct == pytest.approx(1.0)
    assert res.clean_beats == 99
    assert res.rmssd_ms == pytest.approx(50.0)


def test_relative_rule_catches_an_in_range_ectopic() -> None:
    """A 1100 ms beat among 800-850 ms (> 20 % off the local median) is an artefact."""
    rr = _alternating(100)
    rr[30] = 1100.0
    mask = hrv.clean_mask(rr)
    assert mask[30] is False
    assert all(mask[i] for i in range(100) if i != 30)


def test_more_than_5_pct_artefacts_withholds_hrv() -> None:
    """Six bad beats in 100 (6 %) withhold RMSSD, saying why, but report the percentage."""
    rr = _alternating(100)
    for i in (10, 25, 40, 55, 70, 85):
        rr[i] = 250.0
    res = hrv.hrv_from_runs([rr])
    assert res.artefact_pct == pytest.approx(6.0)
    assert res.rmssd_ms is None
    assert res.sdnn_ms is None
    assert res.withheld is not None
    assert "6.0 %" in res.withheld


def test_too_few_beats_withholds_hrv() -> None:
    """Ten clean beats are too few for an RMSSD."""
    res = hrv.hrv_from_runs([_alternating(10)])
    assert res.rmssd_ms is None
    assert res.withheld is not None
    assert "clean successive beats" in res.withheld


def test_no_rr_at_all() -> None:
    """A strap that sends no RR intervals gives no HRV, not zero."""
    res = hrv.hrv_from_runs([])
    assert res.beats == 0
    assert res.withheld == "no RR intervals recorded"


def test_record_rr_runs_break_at_gaps_and_lost_contact() -> None:
    """RR from points 5 s apart, or after lost contact, start a new run."""
    pts = [
        HrPoint(0.0, 70, (800.0, 850.0), True),
        HrPoint(1.0, 70, (800.0,), True),
        HrPoint(6.0, 70, (900.0,), True),
        HrPoint(7.0, None, (), False),
        HrPoint(8.0, 70, (950.0,), True),
    ]
    runs = hrv.rr_runs(record(end_t=10.0, hr=pts))
    assert runs == [[800.0, 850.0, 800.0], [900.0], [950.0]]


def test_session_hrv_from_a_record() -> None:
    """A record whose points carry alternating RR gives RMSSD 50."""
    pts = [HrPoint(float(t), 73, (800.0, 850.0), True) for t in range(60)]
    res = hrv.session_hrv(record(end_t=60.0, hr=pts))
    assert res.rmssd_ms == pytest.approx(50.0)


@pytest.mark.parametrize("name", SERIES)
def test_rmssd_matches_hrv_analysis_on_the_same_raw_input(shared_data: Path, name: str) -> None:
    """Unfiltered, our RMSSD/SDNN/mean RR equal hrv-analysis' on each real series."""
    features = _reference()
    rr = _load(shared_data, name)
    ours = hrv.time_domain([rr], [[True] * len(rr)])
    ref = features(rr)
    assert ours.rmssd_ms == pytest.approx(float(ref["rmssd"]), rel=1e-9)
    assert ours.sdnn_ms == pytest.approx(float(ref["sdnn"]), rel=1e-9)
    assert ours.mean_rr_ms == pytest.approx(float(ref["mean_nni"]), rel=1e-9)


@pytest.mark.parametrize("name", SERIES)
def test_rmssd_matches_hrv_analysis_on_the_clean_beats(shared_data: Path, name: str) -> None:
    """On the same clean beats, hrv-analysis and ours agree to 1e-9 (RMSSD, SDNN, mean RR).

    The reference gets each run of consecutive clean beats on its own (so no difference
    spans a removed artefact, as in ours); the runs' RMSSDs combine by their pair counts.
    """
    features = _reference()
    rr = _load(shared_data, name)
    mask = hrv.clean_mask(rr)
    ours = hrv.time_domain([rr], [mask])
    runs: list[list[float]] = [[]]
    for x, ok in zip(rr, mask, strict=True):
        if ok:
            runs[-1].append(x)
        elif runs[-1]:
            runs.append([])
    clean = [x for r in runs for x in r]  # SDNN and mean RR use every kept beat
    runs = [r for r in runs if len(r) >= 2]
    pairs = sum(len(r) - 1 for r in runs)
    squares = sum(float(features(r)["rmssd"]) ** 2 * (len(r) - 1) for r in runs)
    ref = features(clean)
    assert ours.rmssd_ms == pytest.approx(math.sqrt(squares / pairs), rel=1e-9)
    assert ours.sdnn_ms == pytest.approx(float(ref["sdnn"]), rel=1e-9)
    assert ours.mean_rr_ms == pytest.approx(float(ref["mean_nni"]), rel=1e-9)
    full = hrv.hrv_from_runs([rr])
    if full.rmssd_ms is not None:
        assert full.rmssd_ms == pytest.approx(math.sqrt(squares / pairs), rel=1e-9)


def test_hrv_example_dropout_is_filtered(shared_data: Path) -> None:
    """The 12.8 s dropout and the 2.2-5 s missed beats are artefacts; HRV is then withheld."""
    rr = _load(shared_data, "rr_from_fit__HRV-example.csv")
    mask = hrv.clean_mask(rr)
    dropout = rr.index(12786.0)
    flagged = [i for i, ok in enumerate(mask) if not ok]
    long_beats = [i for i, x in enumerate(rr) if x > hrv.RR_MAX_MS]
    assert dropout in long_beats
    assert len(long_beats) == 5
    # Every beat over 2 s is out, plus three the relative rule catches: the first
    # beat after the 17.8 s hole (1202 ms against a local median of 858 ms) and
    # the first two beats, 1148 and 1127 ms, before the heart rate settles.
    assert flagged == [0, 1, *long_beats, dropout + 1]
    assert all(mask[i + 1] for i in long_beats if i + 1 not in long_beats and i + 1 != dropout + 1)
    assert mask[dropout + 2]
    res = hrv.hrv_from_runs([rr])
    assert res.artefact_pct == pytest.approx(100 * 8 / 146)  # 5.5 %: over 5 %
    assert res.rmssd_ms is None
    assert res.withheld == "5.5 % of beats are artefacts (more than 5 %)"
    unfiltered = hrv.time_domain([rr], [[True] * len(rr)])
    assert unfiltered.rmssd_ms is not None
    assert unfiltered.rmssd_ms > 1000.0  # what the dropout would have reported unfiltered
