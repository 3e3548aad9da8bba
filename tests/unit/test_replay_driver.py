"""hiitd_drivers.fit_replay on the shared FIT activities: samples, golden values, RR, errors."""

from __future__ import annotations

import csv
import json
from collections.abc import Iterator
from typing import TYPE_CHECKING

import fitdecode
import pytest

from hiitd_drivers.driver_errors import ReplayError
from hiitd_drivers.fit_replay import FitReplay, iter_fit, read_fit
from hiitd_drivers.samples import FootpodSample, HeartRateSample

if TYPE_CHECKING:
    from pathlib import Path

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
    "runalyze__Suunto-Ambit-3-Peak-without-final-lap.fit",
    "runalyze__garmin-runPower-2.fit",
]


@pytest.fixture(scope="module")
def fit_dir(shared_data: Path) -> Path:
    return shared_data / "fit_activities"


@pytest.fixture(scope="module")
def summary(fit_dir: Path) -> dict[str, dict[str, object]]:
    return {d["file"]: d for d in json.loads((fit_dir / "FIT_SUMMARY.json").read_text())}


def test_the_list_covers_every_shared_activity(fit_dir: Path) -> None:
    """Every .fit in fit_activities is in FIT_NAMES (a new file gets replayed by these tests)."""
    assert sorted(p.name for p in fit_dir.glob("*.fit")) == sorted(FIT_NAMES)


@pytest.mark.parametrize("name", FIT_NAMES)
def test_every_activity_decodes_in_time_order(fit_dir: Path, name: str) -> None:
    """Samples start at t=0, never go back in time, never hold 0 bpm, and cadence is steps."""
    r = read_fit(fit_dir / name)
    assert r.samples
    assert 0.0 <= r.samples[0].t < 10  # t=0 is the first record, which may hold nothing
    times = [s.t for s in r.samples]
    assert times == sorted(times)
    for s in r.samples:
        if isinstance(s, HeartRateSample):
            assert s.bpm is None or 25 <= s.bpm <= 250
        else:
            # Steps per minute: 0 standing, up to ~230 in a sprint (FIT strides x 2).
            assert 0 <= s.cadence_spm <= 260
            assert 0 <= s.speed_mps < 15


@pytest.mark.parametrize("name", FIT_NAMES)
def test_rr_counts_match_the_summary(
    fit_dir: Path, summary: dict[str, dict[str, object]], name: str
) -> None:
    """Every RR value is attached, or counted as dropped when timed after the last sample."""
    r = read_fit(fit_dir / name)
    attached = sum(len(s.rr_ms) for s in r.samples if isinstance(s, HeartRateSample))
    assert attached == r.rr_count
    assert r.rr_count + r.rr_dropped == summary[name]["rr_count"]
    # Only the tail can be dropped: at most what a Fenix 3 writes after its last record
    # (5 minutes of beats, 7 % of that file).
    assert r.rr_dropped <= 0.2 * r.rr_count + 20


def test_rr_are_milliseconds_in_file_order(fit_dir: Path) -> None:
    """The FR630's beats come out in the order and values of its hrv messages, in ms."""
    path = fit_dir / "runalyze__FR630-with-lth.fit"
    expected: list[float] = []
    with fitdecode.FitReader(str(path)) as reader:
        for frame in reader:
            if isinstance(frame, fitdecode.FitDataMessage) and frame.name == "hrv":
                raw = frame.get_value("time")
                values = raw if isinstance(raw, tuple) else (raw,)
                expected.extend(v * 1000 for v in values if v)
    r = read_fit(path)
    rr = [x for s in r.samples if isinstance(s, HeartRateSample) for x in s.rr_ms]
    assert len(rr) + r.rr_dropped == len(expected)  # the dropped ones are the last few
    assert rr == pytest.approx(expected[: len(rr)])


def test_beats_land_near_their_time(fit_dir: Path) -> None:
    """FR630 (clean strap): each sample's beats imply a heart rate near its bpm."""
    r = read_fit(fit_dir / "runalyze__FR630-with-lth.fit")
    close = total = 0
    for s in r.samples:
        if isinstance(s, HeartRateSample) and s.bpm and len(s.rr_ms) >= 2:
            total += 1
            close += abs(60000 / (sum(s.rr_ms) / len(s.rr_ms)) - s.bpm) <= 10
    assert total > 500
    assert close / total > 0.9


def test_golden_fenix5_records(fit_dir: Path) -> None:
    """The fenix 5's records match fitdecode's golden CSV (hr, strides x 2, speed, distance)."""
    rows = list(
        csv.DictReader(
            (fit_dir / "fitdecode__garmin-fenix-5-run-records.csv").read_text().splitlines()
        )
    )
    r = read_fit(fit_dir / "fitdecode__garmin-fenix-5-run.fit")
    hr = [s for s in r.samples if isinstance(s, HeartRateSample)]
    pod = [s for s in r.samples if isinstance(s, FootpodSample)]
    assert len(hr) == len(pod) == len(rows)
    for row, h, p in zip(rows, hr, pod, strict=True):
        assert h.bpm == int(row["heart_rate"])
        assert p.cadence_spm == pytest.approx(2 * int(row["cadence"]), abs=1.0)
        assert p.speed_mps == pytest.approx(float(row["speed"]))
        assert p.distance_m == pytest.approx(float(row["distance"]))


def test_golden_compressed_speed_distance(fit_dir: Path) -> None:
    """Compressed timestamps and speed/distance decode to fitdecode's golden CSV values."""
    rows = list(
        csv.DictReader(
            (fit_dir / "fitdecode__compressed-speed-distance-records.csv").read_text().splitlines()
        )
    )
    replay = FitReplay(fit_dir / "fitdecode__compressed-speed-distance.fit")
    samples = list(replay.samples())
    t0 = replay.facts.t0
    assert t0 is not None
    hr = {s.t: s for s in samples if isinstance(s, HeartRateSample)}
    pod = {s.t: s for s in samples if isinstance(s, FootpodSample)}
    checked = 0
    for row in rows:
        t = float(row["Timestamp"]) - t0
        bpm = row[" Heart Rate [bpm]"]
        if bpm != "null":
            assert hr[t].bpm == int(bpm)
        if row["Speed [m/s]"] != "null":
            assert pod[t].speed_mps == pytest.approx(float(row["Speed [m/s]"]))
            assert pod[t].distance_m == pytest.approx(float(row["Distance [m]"]))
            if row["Cadence [rpm]"] != "null":
                assert pod[t].cadence_spm == pytest.approx(2 * int(row["Cadence [rpm]"]), abs=1)
            checked += 1
    assert checked > 700


def test_stryd_only_file_has_no_heart_rate(fit_dir: Path) -> None:
    """No heart_rate field: no HR samples at all (not bpm None), and the Stryd fields are named."""
    r = read_fit(fit_dir / "runalyze__FR920xt-with-Stryd.fit")
    assert not any(isinstance(s, HeartRateSample) for s in r.samples)
    assert any("no heart_rate" in n for n in r.notes)
    assert any("developer fields ignored" in n and "Power" in n for n in r.notes)


def test_pauses_from_timer_events(fit_dir: Path) -> None:
    """Stop/start timer pairs become pauses; the final stop is the end, not a pause."""
    fr920 = read_fit(fit_dir / "runalyze__FR920-additional-start-events.fit")
    assert [(p.start_t, p.end_t) for p in fr920.pauses] == [(207.0, 209.0), (8207.0, 8223.0)]
    compressed = read_fit(fit_dir / "fitdecode__compressed-speed-distance.fit")
    assert [(p.start_t, p.end_t) for p in compressed.pauses] == [(681.0, 791.0)]
    assert compressed.start_utc is None  # device-relative timestamps: no wall clock


def test_suunto_missing_final_lap_is_noted_not_invented(fit_dir: Path) -> None:
    """The Suunto's 21 laps end long before its records; no lap is made up."""
    r = read_fit(fit_dir / "runalyze__Suunto-Ambit-3-Peak-without-final-lap.fit")
    assert len(r.laps) == 21
    assert r.laps[-1].end_t < r.duration_s - 60
    assert any("final lap is missing" in n for n in r.notes)
    assert r.device == "suunto"


def test_metadata_of_a_treadmill_run(fit_dir: Path) -> None:
    """Sport, sub-sport, device, laps and step length (mm -> m) come from the file."""
    r = read_fit(fit_dir / "runalyze__FR920xt-with-runscribe-plus.fit")
    assert (r.sport, r.sub_sport, r.device) == ("running", "treadmill", "garmin fr920xt")
    assert len(r.laps) == 6
    strides = [s.stride_m for s in r.samples if isinstance(s, FootpodSample) and s.stride_m]
    assert 0.5 < sum(strides) / len(strides) < 2.0  # a step, in metres


def test_iter_fit_is_a_lazy_stream(fit_dir: Path) -> None:
    """iter_fit returns an iterator that yields the first sample before reading the whole file."""
    stream = iter_fit(fit_dir / "runalyze__FR920-additional-start-events.fit")
    assert isinstance(stream, Iterator)
    assert next(stream).t == 0.0


def test_truncated_file_raises_naming_it(fit_dir: Path, tmp_path: Path) -> None:
    """A FIT file cut in half raises ReplayError with the file's path."""
    cut = tmp_path / "cut.fit"
    cut.write_bytes((fit_dir / "runalyze__FR70-intervals.fit").read_bytes()[:2000])
    with pytest.raises(ReplayError, match=r"cut\.fit"):
        read_fit(cut)


def test_corrupt_byte_raises_naming_it(fit_dir: Path, tmp_path: Path) -> None:
    """One flipped byte fails the CRC: ReplayError naming the file."""
    data = bytearray((fit_dir / "runalyze__HRV-example.fit").read_bytes())
    data[2000] ^= 0xFF
    bad = tmp_path / "flipped.fit"
    bad.write_bytes(bytes(data))
    with pytest.raises(ReplayError, match=r"flipped\.fit"):
        read_fit(bad)


def test_not_fit_and_missing_files_raise(tmp_path: Path) -> None:
    """Text and absent files raise ReplayError naming the file."""
    text = tmp_path / "notes.fit"
    text.write_text("hello, this is not a FIT file at all\n")
    with pytest.raises(ReplayError, match=r"notes\.fit"):
        read_fit(text)
    with pytest.raises(ReplayError, match=r"absent\.fit"):
        read_fit(tmp_path / "absent.fit")


def test_workout_file_is_not_an_activity(shared_data: Path) -> None:
    """A FIT workout file raises ReplayError saying it is not an activity."""
    path = shared_data / "fit_workouts/fitdecode__WorkoutRepeatSteps.fit"
    with pytest.raises(ReplayError, match="not an activity"):
        read_fit(path)
