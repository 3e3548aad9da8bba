"""FIT export: decoded by Garmin's official SDK and by fitdecode, with the session's data intact."""

from __future__ import annotations

import io
from collections import Counter
from typing import TYPE_CHECKING, Any, cast

import fitdecode  # type: ignore[import-untyped]
import pytest
from export_rig import CONTACT_LOSS, HR_DROPOUT, PAUSE, START_WALL, WORKOUT, four_by_four, free_run
from garmin_fit_sdk import FIT_EPOCH_S, Decoder, Stream

from hiitd.export import ExportError, export_fit
from hiitd.export._fit_encode import FitWriter
from hiitd.export._track import build_track

if TYPE_CHECKING:
    from pathlib import Path

Msgs = dict[str, list[dict[str, Any]]]


@pytest.fixture(scope="module")
def fit_bytes() -> bytes:
    return export_fit(four_by_four(), workout=WORKOUT, calories_kcal=512.4, utc_offset_s=3600)


def _sdk(data: bytes) -> Msgs:
    """Decode with garmin_fit_sdk, asserting it is FIT, intact and error-free."""
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    assert decoder.is_fit()
    assert decoder.check_integrity()
    decoder = Decoder(Stream.from_byte_array(bytearray(data)))
    messages, errors = decoder.read()
    assert errors == []
    return cast("Msgs", messages)


def _fitdecode(data: bytes) -> list[fitdecode.FitDataMessage]:
    """Decode with fitdecode, CRC checked and every error raised."""
    with fitdecode.FitReader(
        io.BytesIO(data),
        check_crc=fitdecode.CrcCheck.RAISE,
        error_handling=fitdecode.ErrorHandling.RAISE,
    ) as reader:
        return [f for f in reader if isinstance(f, fitdecode.FitDataMessage)]


def _values(msg: fitdecode.FitDataMessage) -> dict[str, Any]:
    return {f.name: f.value for f in msg.fields}


def _rel(ts: Any) -> float:
    """A decoded datetime -> seconds since the session start (FIT has whole seconds)."""
    return float(ts.timestamp()) - round(START_WALL)


def test_official_sdk_decodes_it_cleanly(fit_bytes: bytes) -> None:
    """Garmin's SDK: is_fit, check_integrity, no decode errors; file_id says activity from hiitd."""
    msgs = _sdk(fit_bytes)
    (file_id,) = msgs["file_id_mesgs"]
    assert file_id["type"] == "activity"
    assert file_id["manufacturer"] == "development"
    assert file_id["product_name"] == "hiitd"
    assert file_id["serial_number"] > 0
    assert _rel(file_id["time_created"]) == 0


def test_fitdecode_decodes_it_with_file_id_first(fit_bytes: bytes) -> None:
    """fitdecode (CRC checked, errors raised) reads it; file_id is the first message."""
    msgs = _fitdecode(fit_bytes)
    assert msgs[0].name == "file_id"
    counts = Counter(m.name for m in msgs)
    assert counts["session"] == 1
    assert counts["activity"] == 1
    assert counts["lap"] == len(four_by_four().steps) == 9
    assert msgs[-1].name == "activity"


def test_one_lap_per_step_with_index_and_intensity(fit_bytes: bytes) -> None:
    """Each lap carries its step's wkt_step_index, intensity, times; laps tile the session."""
    msgs = _sdk(fit_bytes)
    laps = msgs["lap_mesgs"]
    steps = four_by_four().steps
    assert [lap["wkt_step_index"] for lap in laps] == [s.index for s in steps]
    assert [lap["intensity"] for lap in laps] == [s.intensity for s in steps]
    assert {lap["lap_trigger"] for lap in laps} == {"time"}
    for lap, step in zip(laps, steps, strict=True):
        assert step.end_t is not None
        assert _rel(lap["start_time"]) == pytest.approx(step.start_t, abs=1)
        assert lap["total_elapsed_time"] == pytest.approx(step.end_t - step.start_t)
    paused = next(lap for lap, s in zip(laps, steps, strict=True) if s.start_t <= PAUSE[0])
    assert paused["total_timer_time"] <= paused["total_elapsed_time"]
    by_pause = [lap for lap in laps if lap["total_timer_time"] < lap["total_elapsed_time"]]
    assert len(by_pause) == 1
    assert by_pause[0]["total_elapsed_time"] - by_pause[0]["total_timer_time"] == 60
    work = [lap for lap in laps if lap["intensity"] == "active"]
    assert all(lap["avg_heart_rate"] > 140 and lap["enhanced_avg_speed"] > 3.8 for lap in work)


def test_one_session_and_one_activity_with_totals(fit_bytes: bytes) -> None:
    """Session: running/treadmill, laps 0-8, timer time minus the pause, calories; one activity."""
    msgs = _sdk(fit_bytes)
    (session,) = msgs["session_mesgs"]
    assert (session["sport"], session["sub_sport"]) == ("running", "treadmill")
    assert (session["first_lap_index"], session["num_laps"]) == (0, 9)
    assert session["total_elapsed_time"] == pytest.approx(four_by_four().duration_s)
    assert session["total_timer_time"] == pytest.approx(four_by_four().duration_s - 60)
    assert session["total_calories"] == 512
    assert 6000 < session["total_distance"] < 9000
    lap_distance = sum(lap["total_distance"] for lap in msgs["lap_mesgs"])
    assert lap_distance == pytest.approx(session["total_distance"], abs=1)
    (activity,) = msgs["activity_mesgs"]
    assert activity["num_sessions"] == 1
    assert (activity["type"], activity["event"], activity["event_type"]) == (
        "manual",
        "activity",
        "stop",
    )
    # local_date_time is not converted by the SDK: FIT seconds, here UTC + 1 h.
    utc_fit = round(activity["timestamp"].timestamp()) - FIT_EPOCH_S
    assert activity["local_timestamp"] - utc_fit == 3600


def test_rr_intervals_are_kept_exactly(fit_bytes: bytes) -> None:
    """Every recorded RR interval is in the hrv messages, in order, to 0.5 ms, by both decoders."""
    recorded = [rr / 1000 for h in four_by_four().hr for rr in h.rr_ms]
    sdk: list[float] = []
    for m in _sdk(fit_bytes)["hrv_mesgs"]:
        value = m["time"]  # a one-element array decodes as a scalar
        sdk.extend(value if isinstance(value, list) else [value])
    other: list[float] = []
    for m in _fitdecode(fit_bytes):
        if m.name == "hrv":
            value = m.get_value("time")
            other.extend(value if isinstance(value, tuple | list) else [value])
    assert len(recorded) > 2000
    assert sdk == pytest.approx(recorded, abs=0.00051)
    assert other == pytest.approx(recorded, abs=0.00051)
    assert all(
        len(m["time"]) <= 5 for m in _sdk(fit_bytes)["hrv_mesgs"] if isinstance(m["time"], list)
    )


def test_no_heart_rate_field_in_a_dropout_or_without_contact(fit_bytes: bytes) -> None:
    """Records during the strap dropout and the contact loss have no heart_rate (not 0)."""
    records = [_values(m) for m in _fitdecode(fit_bytes) if m.name == "record"]
    for gap in (HR_DROPOUT, CONTACT_LOSS):
        inside = [r for r in records if gap[0] + 2 <= _rel(r["timestamp"]) < gap[1] - 1]
        assert len(inside) > (gap[1] - gap[0]) / 2  # the footpod still wrote records
        assert all(r.get("heart_rate") is None for r in inside)
    with_hr = [r["heart_rate"] for r in records if r.get("heart_rate") is not None]
    assert min(with_hr) > 0
    assert len(with_hr) > 0.8 * len(records)


def test_no_records_while_paused_and_timer_events_around_it(fit_bytes: bytes) -> None:
    """Timer start at t0, stop_all/start at pause and resume, stop_all at end; no paused records."""
    msgs = _sdk(fit_bytes)
    events = [(_rel(e["timestamp"]), e["event"], e["event_type"]) for e in msgs["event_mesgs"]]
    end = four_by_four().duration_s
    assert events == [
        (0, "timer", "start"),
        (PAUSE[0], "timer", "stop_all"),
        (PAUSE[1], "timer", "start"),
        (end, "timer", "stop_all"),
    ]
    times = [_rel(r["timestamp"]) for r in msgs["record_mesgs"]]
    assert not [t for t in times if PAUSE[0] + 1 <= t < PAUSE[1]]
    assert times == sorted(times)
    assert len(set(times)) == len(times)


def test_cadence_is_strides_with_fraction_and_distance_grows(fit_bytes: bytes) -> None:
    """cadence*2 + fractional*2 = recorded steps/min; distance never falls across the pod reset."""
    record = four_by_four()
    by_sec = {p.sec: p for p in build_track(record) if p.has_pod}
    records = [_values(m) for m in _fitdecode(fit_bytes) if m.name == "record"]
    checked = 0
    for r in records:
        point = by_sec.get(round(_rel(r["timestamp"])))
        if r.get("cadence") is None or point is None or point.cadence_spm is None:
            continue
        steps = 2 * (r["cadence"] + r["fractional_cadence"])
        assert steps == pytest.approx(point.cadence_spm, abs=1 / 64)
        assert r["step_length"] == pytest.approx(1000 * (point.stride_m or 0), abs=0.1)
        checked += 1
    assert checked > 2000
    assert max(r["cadence"] for r in records if r.get("cadence")) < 110  # strides, not steps
    distances = [r["distance"] for r in records if r.get("distance") is not None]
    assert distances == sorted(distances)


def test_fractional_cadence_of_a_hand_made_run() -> None:
    """171.3 spm is written as 85 strides + 83/128 and reads back as 171.3 within FIT resolution."""
    msgs = _sdk(export_fit(free_run(), utc_offset_s=0))
    first = msgs["record_mesgs"][0]
    assert (first["cadence"], first["fractional_cadence"]) == (85, 83 / 128)
    assert 2 * (first["cadence"] + first["fractional_cadence"]) == pytest.approx(171.3, abs=0.01)
    assert [r.get("heart_rate") for r in msgs["record_mesgs"]][5] is None
    (lap,) = msgs["lap_mesgs"]
    assert lap["lap_trigger"] == "session_end"
    assert "wkt_step_index" not in lap
    assert "workout_mesgs" not in msgs
    assert msgs["session_mesgs"][0]["sub_sport"] == "street"
    assert "total_calories" not in msgs["session_mesgs"][0]


def test_workout_and_expanded_steps_are_written(fit_bytes: bytes) -> None:
    """workout + one workout_step per run step: time in ms, speed in mm/s, HR as bpm + 100."""
    msgs = _sdk(fit_bytes)
    (workout,) = msgs["workout_mesgs"]
    assert workout["wkt_name"] == WORKOUT.name
    assert workout["num_valid_steps"] == 9
    steps = msgs["workout_step_mesgs"]
    assert [s["message_index"] for s in steps] == list(range(9))
    assert [s["intensity"] for s in steps] == [s.intensity for s in four_by_four().steps]
    warm, work = steps[0], steps[1]
    assert (warm["duration_type"], warm["duration_time"]) == ("time", 600)
    assert warm["target_type"] == "heart_rate"
    assert (warm["custom_target_heart_rate_low"], warm["custom_target_heart_rate_high"]) == (
        220,
        250,
    )
    assert work["target_type"] == "speed"
    assert (work["custom_target_speed_low"], work["custom_target_speed_high"]) == (4.0, 4.4)
    assert steps[2]["target_type"] == "open"


def test_device_info_for_hiitd_and_each_sensor(fit_bytes: bytes) -> None:
    """The creator plus a BLE heart-rate strap and footpod with maker, model, battery."""
    infos = _sdk(fit_bytes)["device_info_mesgs"]
    creator, strap, pod = infos
    assert (creator["device_index"], creator["product_name"]) == ("creator", "hiitd")
    assert creator["software_version"] == pytest.approx(0.1)
    assert strap["source_type"] == "bluetooth_low_energy"
    assert strap["ble_device_type"] == "heart_rate"
    assert (strap["manufacturer"], strap["product_name"], strap["battery_level"]) == (
        "polar_electro",
        "H10",
        90,
    )
    assert strap["serial_number"] == 1234567
    assert pod["ble_device_type"] == "footpod"
    assert "serial_number" not in pod  # "ST-42" is not a uint32


def test_export_is_deterministic() -> None:
    """The same session exports to the same bytes (a re-upload is recognised as such)."""
    record = four_by_four()
    assert export_fit(record, utc_offset_s=0) == export_fit(record, utc_offset_s=0)


def test_a_misspelt_field_is_an_error_not_silently_dropped() -> None:
    """The SDK encoder ignores unknown field names; the writer refuses them."""
    writer = FitWriter()
    with pytest.raises(ExportError, match="heartrate"):
        writer.write("record", timestamp=0, heartrate=150)
    with pytest.raises(ExportError, match="no message"):
        writer.write("recrod", timestamp=0)


def test_written_fields_are_those_garmin_devices_write(shared_data: Path) -> None:
    """Every record/lap/session field hiitd writes appears in a real Garmin running file."""
    real: dict[str, set[str]] = {"record": set(), "lap": set(), "session": set()}
    for path in sorted((shared_data / "fit_activities").glob("*.fit")):
        with fitdecode.FitReader(path) as reader:
            for frame in reader:
                if isinstance(frame, fitdecode.FitDataMessage) and frame.name in real:
                    real[frame.name].update(f.name for f in frame.fields if f.value is not None)
    ours: dict[str, set[str]] = {"record": set(), "lap": set(), "session": set()}
    for m in _fitdecode(export_fit(four_by_four(), workout=WORKOUT, calories_kcal=500)):
        if m.name in ours:
            ours[m.name].update(f.name for f in m.fields)
    for name, fields in ours.items():
        # The shared files were not run from a workout (wkt_step_index) and predate
        # step_length and session.min_heart_rate; all three are FIT Profile fields.
        newer = {"step_length", "avg_step_length", "wkt_step_index", "min_heart_rate"}
        assert fields - real[name] <= newer, name
