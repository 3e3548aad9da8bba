"""RMSSD with the adaptive artefact detector, cross-checked against NeuroKit2 and hrv-analysis.

The references are independent implementations: NeuroKit2's ``signal_fixpeaks``
with ``method="Kubios"`` (Lipponen & Tarvainen's detector, which corrects the
beats it finds instead of dropping them), and hrv-analysis' NaN interpolation
and time-domain features.
"""

from __future__ import annotations

import csv
import itertools
import math
import statistics
from typing import TYPE_CHECKING, Any

import pytest
from metrics_rig import breathing_rr, record, rmssd

from hiitd.metrics import hrv
from hiitd.plan import checkin_values
from hiitd.record.session_record import HrPoint

if TYPE_CHECKING:
    from collections.abc import Sequence
    from pathlib import Path

SHORT = "pyhrv_SampleNNISeriesShort_ms.txt"  # 5 min at rest, ECG: clean
LONG = "pyhrv_SampleNNISeriesLong_ms.txt"  # 60 min, ECG
FR630 = "rr_from_fit__FR630-with-lth.csv"  # a 14 min run, chest strap
FENIX3 = "rr_from_fit__Fenix-3-with-runscribe-v1-38.csv"  # a 46 min run, artefacts up to 8.3 s
HRV_EXAMPLE = "rr_from_fit__HRV-example.csv"  # 2 min with a 12.8 s dropout
FENIX5 = "rr_from_fit__garmin-fenix-5-run.csv"  # a 1 min run with many missed beats
SERIES = (SHORT, LONG, FR630, FENIX3, HRV_EXAMPLE, FENIX5)


def _load(shared_data: Path, name: str) -> list[float]:
    path = shared_data / "rr_datasets" / name
    if name.endswith(".txt"):
        return [float(x) for x in path.read_text(encoding="utf-8").split()]
    with path.open(encoding="utf-8", newline="") as f:
        return [float(row["rr_ms"]) for row in csv.DictReader(f)]


def _reference() -> Any:
    """hrv-analysis (an independent, published implementation)."""
    try:
        import hrvanalysis  # noqa: PLC0415
    except ImportError:
        from conftest import missing_part  # noqa: PLC0415

        missing_part("hrv-analysis is not installed (pip install -e '.[test]')")
    return hrvanalysis


def _neurokit() -> Any:
    """NeuroKit2, whose signal_fixpeaks(method="Kubios") implements the same paper."""
    try:
        import neurokit2  # noqa: PLC0415
    except ImportError:
        from conftest import missing_part  # noqa: PLC0415

        missing_part("neurokit2 is not installed (pip install -e '.[test]')")
    return neurokit2


def _peaks(rr: Sequence[float]) -> Any:
    """Beat times in ms as an array (NeuroKit2 takes detections at a sampling rate, here 1 kHz)."""
    import numpy as np  # noqa: PLC0415 - NeuroKit2's own dependency

    return np.array([0, *itertools.accumulate(round(x) for x in rr)])


def _kubios_corrected(rr: Sequence[float]) -> list[float]:
    """NeuroKit2's Kubios correction, iterated as Kubios does: the corrected RR series."""
    _, fixed = _neurokit().signal_fixpeaks(
        _peaks(rr), sampling_rate=1000, iterative=True, method="Kubios"
    )
    return [float(b - a) for a, b in itertools.pairwise(fixed)]


def _kubios_flagged(rr: Sequence[float]) -> set[int]:
    """The RR intervals NeuroKit2's Kubios detector classifies as artefacts (one pass)."""
    info, _ = _neurokit().signal_fixpeaks(
        _peaks(rr), sampling_rate=1000, iterative=False, method="Kubios"
    )
    # NeuroKit2 numbers an interval by the detection that ends it; ours from 0.
    kinds = ("ectopic", "missed", "extra", "longshort")
    return {int(i) - 1 for kind in kinds for i in info[kind]}


def _flagged(rr: Sequence[float]) -> list[int]:
    return [i for i, ok in enumerate(hrv.clean_mask(rr)) if not ok]


def _local_ratio(rr: Sequence[float], i: int) -> float:
    """RR ``i`` over the median of its in-range neighbours (5 each side)."""
    near = [
        rr[j]
        for j in range(max(0, i - 5), min(len(rr), i + 6))
        if j != i and hrv.RR_MIN_MS <= rr[j] <= hrv.RR_MAX_MS
    ]
    return rr[i] / statistics.median(near)


def _pieces(rr: Sequence[float], out: set[int]) -> list[list[float]]:
    """The runs of beats between the ``out`` ones."""
    runs: list[list[float]] = [[]]
    for i, x in enumerate(rr):
        if i in out:
            runs.append([])
        else:
            runs[-1].append(x)
    return [r for r in runs if len(r) >= 2]


# -- synthetic series: what the detector keeps and what it catches


@pytest.mark.parametrize(
    ("mean", "swing", "period"),
    [
        (1000.0, 50.0, 4.6),  # calm breathing at 60 bpm
        (1000.0, 150.0, 3.3),  # deep, fast breathing: a 20 % rule called 26 of 300 beats bad
        (1000.0, 250.0, 4.6),  # very deep breathing: +-25 % of the RR
        (400.0, 8.0, 7.3),  # steady running at 150 bpm
    ],
)
def test_breathing_swings_are_kept(mean: float, swing: float, period: float) -> None:
    """Respiratory sinus arrhythmia is variability, not artefact: no beat is removed."""
    rr = breathing_rr(300, mean, swing, period)
    res = hrv.hrv_from_runs([rr])
    assert res.clean_beats == 300
    assert res.artefact_pct == 0.0
    assert res.withheld is None
    assert res.rmssd_ms == pytest.approx(rmssd(rr))


def test_known_values_of_a_breathing_series() -> None:
    """Mean RR, SDNN (n - 1), RMSSD and lnRMSSD by their definitions."""
    rr = breathing_rr(120)
    res = hrv.hrv_from_runs([rr])
    assert res.rmssd_ms == pytest.approx(rmssd(rr))
    assert res.rmssd_ms == pytest.approx(44.6, abs=0.1)
    assert res.ln_rmssd == pytest.approx(math.log(rmssd(rr)))
    assert res.mean_rr_ms == pytest.approx(statistics.fmean(rr))
    assert res.sdnn_ms == pytest.approx(statistics.stdev(rr))


def test_a_dropout_beat_is_removed_and_not_differenced_across() -> None:
    """One 2500 ms beat (a dropout) is 1 % artefacts; RMSSD is that of the beats either side."""
    rr = breathing_rr(100)
    rr[50] = 2500.0
    res = hrv.hrv_from_runs([rr])
    assert res.artefact_pct == pytest.approx(1.0)
    assert res.clean_beats == 99
    assert res.rmssd_ms == pytest.approx(rmssd(rr[:50], rr[51:]))


def test_a_missed_beat_within_the_range_is_caught() -> None:
    """Running at 400 ms, one undetected beat makes an 800 ms RR, inside 300-2000: caught."""
    clean = breathing_rr(301, 400.0, 8.0, 7.3)
    rr = [*clean[:150], clean[150] + clean[151], *clean[152:]]
    assert _flagged(rr) == [150]
    assert hrv.artefacts(rr)[150] == hrv.Artefact.MISSED
    res = hrv.hrv_from_runs([rr])
    assert res.rmssd_ms == pytest.approx(rmssd(rr[:150], rr[151:]))
    assert res.rmssd_ms == pytest.approx(rmssd(clean), rel=0.02)


def test_an_extra_beat_is_caught_with_both_halves() -> None:
    """A false detection splits a 1000 ms beat into 400 + 600 ms: both pieces are dropped."""
    clean = breathing_rr(300)
    rr = [*clean[:150], 0.4 * clean[150], 0.6 * clean[150], *clean[151:]]
    assert _flagged(rr) == [150, 151]
    res = hrv.hrv_from_runs([rr])
    assert res.rmssd_ms == pytest.approx(rmssd(rr[:150], rr[152:]))


def test_an_ectopic_beat_and_its_pause_are_caught() -> None:
    """A premature beat (70 % of the RR) and its compensatory pause (130 %): both dropped."""
    rr = breathing_rr(300)
    rr[150], rr[151] = 0.7 * rr[150], 1.3 * rr[151]
    assert _flagged(rr) == [150, 151]
    res = hrv.hrv_from_runs([rr])
    assert res.rmssd_ms == pytest.approx(rmssd(rr[:150], rr[152:]))


def test_more_than_5_pct_artefacts_withholds_hrv() -> None:
    """Six bad beats in 100 (6 %) withhold RMSSD, saying why, but report the percentage."""
    rr = breathing_rr(100)
    for i in (10, 25, 40, 55, 70, 85):
        rr[i] = 250.0
    res = hrv.hrv_from_runs([rr])
    assert res.artefact_pct == pytest.approx(6.0)
    assert res.rmssd_ms is None
    assert res.sdnn_ms is None
    assert res.withheld == "6.0 % of beats are artefacts (more than 5 %)"


def test_too_few_beats_withholds_hrv() -> None:
    """Ten clean beats are too few for an RMSSD."""
    res = hrv.hrv_from_runs([breathing_rr(10)])
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


def test_session_hrv_uses_the_detector() -> None:
    """A session's RR with one missed beat: the beat is dropped and RMSSD is the clean one."""
    rr = breathing_rr(120)
    rr[60] = rr[60] + rr[61]
    del rr[61]
    pts = [HrPoint(float(t), 60, (x,), True) for t, x in enumerate(rr)]
    res = hrv.session_hrv(record(end_t=120.0, hr=pts))
    assert res.clean_beats == len(rr) - 1
    assert res.rmssd_ms == pytest.approx(rmssd(rr[:60], rr[61:]))


# -- real series against the independent implementations


def test_clean_resting_series_agrees_with_kubios(shared_data: Path) -> None:
    """pyhrv's 5 min at rest: 4 of 337 beats flagged, RMSSD within 5 % of NeuroKit2's Kubios.

    The 20 % rule used before dropped 25 beats (7.4 %, so HRV was withheld) and
    gave 71.1 ms.
    """
    rr = _load(shared_data, SHORT)
    res = hrv.hrv_from_runs([rr])
    reference = rmssd(_kubios_corrected(rr))
    assert res.withheld is None
    assert len(rr) - res.clean_beats <= 0.02 * len(rr)  # 4 beats
    assert res.rmssd_ms == pytest.approx(reference, rel=0.05)  # 96.2 ms against 98.4 ms


def test_a_clean_resting_check_in_is_stored(shared_data: Path) -> None:
    """The check-in keeps the resting series (the 20 % rule refused it at 7.4 % artefacts)."""
    rr = _load(shared_data, SHORT)
    row = checkin_values.checkin_from_rr(rr, 1_764_000_000.0, "rr_file")
    assert row.artefact_pct == pytest.approx(100 * 4 / 337)
    assert row.rmssd_ms == pytest.approx(96.2, abs=0.05)
    assert row.rmssd_ms == hrv.hrv_from_runs([rr]).rmssd_ms


@pytest.mark.parametrize("name", [SHORT, LONG])
def test_the_same_beats_as_kubios_at_rest(shared_data: Path, name: str) -> None:
    """NeuroKit2's detector flags nearly the same beats: RMSSD without them within 2 %."""
    rr = _load(shared_data, name)
    ours = set(_flagged(rr))
    theirs = _kubios_flagged(rr)
    res = hrv.hrv_from_runs([rr])
    reference = rmssd(*_pieces(rr, theirs))
    assert len(ours ^ theirs) <= 0.1 * len(ours | theirs) + 1
    assert res.rmssd_ms == pytest.approx(reference, rel=0.02)


@pytest.mark.parametrize("name", [SHORT, LONG, FR630])
def test_dropping_agrees_with_interpolating(shared_data: Path, name: str) -> None:
    """hrv-analysis interpolating over the beats we flag gives an RMSSD within 5 % of ours."""
    ha = _reference()
    rr = _load(shared_data, name)
    mask = hrv.clean_mask(rr)
    filled = ha.interpolate_nan_values(
        [x if ok else math.nan for x, ok in zip(rr, mask, strict=True)]
    )
    reference = float(ha.get_time_domain_features(filled)["rmssd"])
    res = hrv.hrv_from_runs([rr])
    assert res.rmssd_ms == pytest.approx(reference, rel=0.05)


@pytest.mark.parametrize("name", SERIES)
def test_rmssd_matches_hrv_analysis_on_the_same_raw_input(shared_data: Path, name: str) -> None:
    """Unfiltered, our RMSSD/SDNN/mean RR equal hrv-analysis' on each real series."""
    features = _reference().get_time_domain_features
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
    features = _reference().get_time_domain_features
    rr = _load(shared_data, name)
    mask = hrv.clean_mask(rr)
    ours = hrv.time_domain([rr], [mask])
    runs = _pieces(rr, {i for i, ok in enumerate(mask) if not ok})
    clean = [x for x, ok in zip(rr, mask, strict=True) if ok]  # SDNN and mean RR: every kept beat
    pairs = sum(len(r) - 1 for r in runs)
    squares = sum(float(features(r)["rmssd"]) ** 2 * (len(r) - 1) for r in runs)
    ref = features(clean)
    assert ours.rmssd_ms == pytest.approx(math.sqrt(squares / pairs), rel=1e-9)
    assert ours.sdnn_ms == pytest.approx(float(ref["sdnn"]), rel=1e-9)
    assert ours.mean_rr_ms == pytest.approx(float(ref["mean_nni"]), rel=1e-9)
    full = hrv.hrv_from_runs([rr])
    if full.rmssd_ms is not None:
        assert full.rmssd_ms == pytest.approx(math.sqrt(squares / pairs), rel=1e-9)


# -- real strap series: the artefacts a user would otherwise see


def test_hrv_example_dropout_is_caught(shared_data: Path) -> None:
    """The 12.8 s dropout and every beat over 2 s are artefacts; HRV is then withheld."""
    rr = _load(shared_data, HRV_EXAMPLE)
    flagged = _flagged(rr)
    dropout = rr.index(12786.0)
    long_beats = [i for i, x in enumerate(rr) if x > hrv.RR_MAX_MS]
    assert dropout in long_beats
    assert len(long_beats) == 5
    assert set(long_beats) <= set(flagged)
    # 1202 ms after the hole, where the beats settle at 990 ms.
    assert dropout + 1 in flagged
    res = hrv.hrv_from_runs([rr])
    assert res.rmssd_ms is None
    assert res.withheld == "8.9 % of beats are artefacts (more than 5 %)"
    assert rmssd(rr) > 1000.0  # what the dropout would have reported unfiltered


def test_fenix_3_artefacts_up_to_8_s_are_caught(shared_data: Path) -> None:
    """A 46 min run: every beat over 2 s (up to 8.3 s) and every doubled beat is dropped."""
    rr = _load(shared_data, FENIX3)
    flagged = set(_flagged(rr))
    over = {i for i, x in enumerate(rr) if x > hrv.RR_MAX_MS}
    # Not the first beat (923 ms): it has no predecessor, and the strap is still settling.
    doubled = {i for i in range(1, len(rr)) if i not in over and _local_ratio(rr, i) > 1.8}
    assert max(rr) == 8277.0
    assert over <= flagged
    assert len(doubled) > 100
    assert doubled <= flagged
    res = hrv.hrv_from_runs([rr])
    assert res.withheld is None  # 2.1 % artefacts
    assert res.rmssd_ms is not None
    assert res.rmssd_ms < 10.0  # running; unfiltered it is 96 ms
    assert rmssd(rr) > 90.0


def test_fr630_running_loses_only_its_missed_beats(shared_data: Path) -> None:
    """A steady run with 1 ms wiggles: only the 20 doubled beats go; HRV is not withheld."""
    rr = _load(shared_data, FR630)
    doubled = [i for i in range(len(rr)) if _local_ratio(rr, i) > 1.8]
    assert len(doubled) == 20
    assert _flagged(rr) == doubled
    res = hrv.hrv_from_runs([rr])
    assert res.withheld is None
    assert res.rmssd_ms == pytest.approx(2.1, abs=0.05)


def test_fenix_5_consecutive_missed_beats_are_all_caught(shared_data: Path) -> None:
    """Four doubled beats in a row (1099-1118 ms among 550 ms) are all dropped."""
    rr = _load(shared_data, FENIX5)
    assert rr[103:107] == [1099.0, 1104.0, 1105.0, 1118.0]
    assert {103, 104, 105, 106} <= set(_flagged(rr))
    res = hrv.hrv_from_runs([rr])
    assert res.withheld == "12.4 % of beats are artefacts (more than 5 %)"
