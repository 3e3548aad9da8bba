"""A session as a FIT activity file (pure: a ``SessionRecord`` in, bytes out).

Encoded with Garmin's own FIT SDK for Python (``garmin_fit_sdk.Encoder``,
since 21.x; the same package decodes workouts), so the header, definitions and
CRC are the reference implementation's. Message order follows the FIT SDK
cookbook "Encoding Activity Files" with summary messages last: ``file_id``
first, ``file_creator``, the timer start ``event``, one ``device_info`` for
hiitd (the creator) and one per sensor, the ``workout``/``workout_step``
messages of the workout that was followed, then ``record``, ``hrv`` and timer
``event`` messages in time order, and finally one ``lap`` per workout step,
one ``session`` and one ``activity``. Field names, units and scales are the
FIT Profile's (Profile.xlsx 21.x, "Messages"); comments cite them by message.

Honest data: a second without heart rate has a ``record`` with no
``heart_rate`` field (never 0), a dropout has no records at all, and no
record is written while the timer is stopped (as watches do).
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import TYPE_CHECKING

from garmin_fit_sdk import Profile

from hiitd.export._fit_encode import FitWriter, fit_time, text
from hiitd.export._fit_workout import write_workout
from hiitd.export._track import Point, Totals, build_track, lap_spans, session_serial, totals

if TYPE_CHECKING:
    from hiitd.coach.workout_model import Workout
    from hiitd.record.session_record import DeviceRecord, SessionRecord, StepRecord

__all__ = ["export_fit"]

_PRODUCT_NAME = "hiitd"
_HIITD_PRODUCT = 0  # manufacturer "development" (255) has no product list; 0 it is.
# FIT Profile type ble_device_type (device_info.device_type when source_type is
# bluetooth_low_energy): heart_rate = 1, footpod = 6.
_BLE_DEVICE_TYPE = {"hr": 1, "footpod": 6}
# hrv.time is an array; a Garmin watch writes up to 5 intervals per message.
_RR_PER_HRV = 5
_RR_MAX_S = 65.534  # hrv.time is uint16 in ms (scale 1000); 0xFFFF is "invalid"
_INTENSITIES = {"warmup", "active", "recovery", "rest", "cooldown", "interval", "other"}
# StepRecord.ended_by -> FIT Profile type lap_trigger.
_LAP_TRIGGER = {"time": "time", "distance": "distance", "stop": "session_end"}


def export_fit(
    record: SessionRecord,
    *,
    workout: Workout | None = None,
    calories_kcal: float | None = None,
    software_version: str = "0.1.0",
    utc_offset_s: int | None = None,
) -> bytes:
    """Encode ``record`` as a FIT activity file.

    ``workout`` adds the workout and its (expanded) steps, so a lap's
    ``wkt_step_index`` points at its step. ``calories_kcal`` (from
    ``hiitd.metrics``) goes into the session. ``utc_offset_s`` sets
    ``activity.local_timestamp``; by default the machine's zone at the start.
    Raises ``ExportError`` when a value cannot be encoded.
    """
    points = build_track(record)
    w = FitWriter()
    t0 = fit_time(record.start_wall)
    t_end = fit_time(record.start_wall + record.duration_s)
    sub_sport = _sub_sport(record.sub_sport)
    _write_header(w, record, _version(software_version))
    if workout is not None:
        write_workout(w, workout, record.steps, sub_sport)
    _write_stream(w, record, points, t0)
    w.write("event", timestamp=t_end, event="timer", event_type="stop_all", data=0, event_group=0)
    num_laps = _write_laps(w, record, points, sub_sport)
    session = totals(points, record.pauses, 0.0, record.duration_s)
    w.write(
        "session",
        message_index=0,
        timestamp=t_end,
        start_time=t0,
        event="session",
        event_type="stop",
        sport="running",
        sub_sport=sub_sport,
        first_lap_index=0,
        num_laps=num_laps,
        trigger="activity_end",
        total_calories=round(calories_kcal) if calories_kcal is not None else None,
        min_heart_rate=min((p.bpm for p in points if p.bpm and not p.paused), default=None),
        **_summary_fields(session),
    )
    offset = utc_offset_s if utc_offset_s is not None else _local_offset(record.start_wall)
    w.write(
        "activity",
        timestamp=t_end,
        total_timer_time=session.timer_s,
        num_sessions=1,
        type="manual",
        event="activity",
        event_type="stop",
        local_timestamp=t_end + offset,
    )
    return w.close()


def _write_header(w: FitWriter, record: SessionRecord, version: float) -> None:
    """file_id, file_creator, the timer start, and a device_info for hiitd and per sensor."""
    t0 = fit_time(record.start_wall)
    serial = session_serial(record.session_id)
    # file_id must be the first message (FIT Protocol, "File Types").
    w.write(
        "file_id",
        type="activity",
        manufacturer="development",
        product=_HIITD_PRODUCT,
        serial_number=serial,
        time_created=t0,
        product_name=_PRODUCT_NAME,
    )
    # file_creator.software_version is an integer: version * 100 (e.g. 1.23 -> 123).
    w.write("file_creator", software_version=round(version * 100))
    w.write("event", timestamp=t0, event="timer", event_type="start", data=0, event_group=0)
    w.write(
        "device_info",
        timestamp=t0,
        device_index=0,  # FIT Profile type device_index: 0 = creator
        manufacturer="development",
        product=_HIITD_PRODUCT,
        serial_number=serial,
        software_version=version,
        source_type="local",
        product_name=_PRODUCT_NAME,
    )
    for i, dev in enumerate(record.devices, start=1):
        _write_device(w, dev, i, t0)


def _write_laps(
    w: FitWriter, record: SessionRecord, points: tuple[Point, ...], sub_sport: str
) -> int:
    """One lap per recorded step (the whole session when none); returns how many were written."""
    spans = lap_spans(record)
    last = len(spans) - 1
    for i, span in enumerate(spans):
        tot = totals(points, record.pauses, span.start_t, span.end_t)
        w.write(
            "lap",
            message_index=i,
            timestamp=fit_time(record.start_wall + span.end_t),
            start_time=fit_time(record.start_wall + span.start_t),
            event="lap",
            event_type="stop",
            sport="running",
            sub_sport=sub_sport,
            intensity=_intensity(span.step),
            lap_trigger=_lap_trigger(span.step, is_last=i == last),
            wkt_step_index=span.step.index if span.step is not None else None,
            **_summary_fields(tot),
        )
    return len(spans)


def _write_stream(w: FitWriter, record: SessionRecord, points: tuple[Point, ...], t0: int) -> None:
    """Records, RR intervals and the pause/resume timer events, in time order."""
    # (t, event_type, timer_trigger): stop_all at a pause, start at the resume.
    events: list[tuple[float, str, int]] = []
    for p in record.pauses:
        events.append((p.start_t, "stop_all", 1 if p.auto else 0))
        if p.end_t is not None:
            events.append((p.end_t, "start", 1 if p.auto else 0))
    events.sort(key=lambda e: e[0])
    pending = iter(events)
    nxt = next(pending, None)
    for point in points:
        while nxt is not None and nxt[0] <= point.t:
            # FIT Profile event: event timer, data = timer_trigger (0 manual, 1 auto).
            w.write(
                "event",
                timestamp=fit_time(record.start_wall + nxt[0]),
                event="timer",
                event_type=nxt[1],
                data=nxt[2],
                event_group=0,
            )
            nxt = next(pending, None)
        if not point.paused:
            fields = _record_fields(point)
            if fields:
                w.write("record", timestamp=t0 + point.sec, **fields)
        # Every beat is kept, paused or not: RR series are analysed as one stream.
        rr = [ms / 1000 for ms in point.rr_ms if 0 < ms / 1000 <= _RR_MAX_S]
        for i in range(0, len(rr), _RR_PER_HRV):
            w.write("hrv", time=rr[i : i + _RR_PER_HRV])
    while nxt is not None:
        w.write(
            "event",
            timestamp=fit_time(record.start_wall + nxt[0]),
            event="timer",
            event_type=nxt[1],
            data=nxt[2],
            event_group=0,
        )
        nxt = next(pending, None)


def _strides(spm: float | None) -> tuple[int | None, float | None]:
    """Steps/min -> FIT running cadence: (strides/min integer part, fractional part).

    FIT ``record.cadence`` is in rpm, i.e. strides (one foot) per minute for
    running, and ``fractional_cadence`` (scale 128) holds the remainder; tools
    show steps = 2 x (cadence + fractional_cadence). Writing steps into
    ``cadence`` shows a doubled cadence on Strava and Garmin Connect.
    """
    if spm is None or spm < 0:
        return None, None
    in_128ths = min(round(spm / 2 * 128), 254 * 128)  # cadence is uint8; 255 = invalid
    return in_128ths // 128, (in_128ths % 128) / 128


def _record_fields(p: Point) -> dict[str, float | int]:
    fields: dict[str, float | int] = {}
    if p.bpm is not None and 0 < p.bpm < 255:  # record.heart_rate: uint8 bpm, 255 invalid
        fields["heart_rate"] = p.bpm
    if p.has_pod and p.speed_mps is not None:
        if p.distance_m is not None:
            fields["distance"] = p.distance_m  # record.distance: m, scale 100
        # record.speed (uint16) for older readers, enhanced_speed (uint32) for current ones.
        fields["speed"] = min(p.speed_mps, 65.534)
        fields["enhanced_speed"] = p.speed_mps
        cadence, fraction = _strides(p.cadence_spm)
        if cadence is not None and fraction is not None:
            fields["cadence"] = cadence
            fields["fractional_cadence"] = fraction
        if p.stride_m is not None and 0 < p.stride_m < 6.5:
            fields["step_length"] = p.stride_m * 1000  # record.step_length: mm, scale 10
    return fields


def _summary_fields(tot: Totals) -> dict[str, float | int | None]:
    """The lap/session fields both messages share (same names and scales in the profile)."""
    avg_cad, avg_frac = _strides(tot.avg_cadence_spm)
    max_cad, max_frac = _strides(tot.max_cadence_spm)
    return {
        "total_elapsed_time": tot.elapsed_s,
        "total_timer_time": tot.timer_s,
        "total_distance": tot.distance_m,
        "avg_heart_rate": tot.avg_hr,
        "max_heart_rate": tot.max_hr,
        "avg_speed": min(tot.avg_speed_mps, 65.534) if tot.avg_speed_mps is not None else None,
        "enhanced_avg_speed": tot.avg_speed_mps,
        "max_speed": min(tot.max_speed_mps, 65.534) if tot.max_speed_mps is not None else None,
        "enhanced_max_speed": tot.max_speed_mps,
        # avg_cadence is read as avg_running_cadence (strides/min) for running.
        "avg_cadence": avg_cad,
        "avg_fractional_cadence": avg_frac,
        "max_cadence": max_cad,
        "max_fractional_cadence": max_frac,
        "avg_step_length": tot.avg_stride_m * 1000 if tot.avg_stride_m else None,
    }


def _intensity(step: StepRecord | None) -> str:
    """StepRecord.intensity -> FIT Profile type intensity (same names; unknown -> active)."""
    if step is None or step.intensity not in _INTENSITIES:
        return "active"
    return step.intensity


def _lap_trigger(step: StepRecord | None, *, is_last: bool) -> str:
    if step is None:
        return "session_end"
    trigger = _LAP_TRIGGER.get(step.ended_by or "")
    if trigger is None:
        # lap, skip, hr: the runner or a condition ended it; the last one ends the session.
        return "session_end" if is_last else "manual"
    return trigger


def _write_device(w: FitWriter, dev: DeviceRecord, index: int, t0: int) -> None:
    """One device_info per sensor, as a watch writes for a paired BLE sensor."""
    device_type = _BLE_DEVICE_TYPE.get(dev.role)
    w.write(
        "device_info",
        timestamp=t0,
        device_index=index,
        source_type="bluetooth_low_energy",
        # device_type is read as ble_device_type because source_type is BLE (FIT
        # Profile device_info sub-fields); the encoder needs the raw number.
        device_type=device_type,
        manufacturer=_manufacturer(dev.manufacturer),
        serial_number=_numeric_serial(dev.serial),
        software_version=_firmware(dev.firmware),
        product_name=text(dev.model or dev.name),
        descriptor=text(dev.name or dev.address),
        battery_level=dev.battery if dev.battery is not None and 0 <= dev.battery <= 100 else None,
    )


def _manufacturer(name: str | None) -> str | None:
    """A Device Information manufacturer string -> a FIT manufacturer name, when one fits."""
    words = re.findall(r"[a-z0-9]+", (name or "").lower())
    if not words:
        return None
    known = {str(v) for v in Profile["types"]["manufacturer"].values()} - {"development"}
    for candidate in ("_".join(words), words[0]):
        if candidate in known:
            return candidate
    prefixed = [k for k in known if k.startswith(words[0] + "_")]
    return prefixed[0] if len(prefixed) == 1 else None  # "Polar Electro Oy" -> polar_electro


def _numeric_serial(serial: str | None) -> int | None:
    """device_info.serial_number is uint32z: only an all-digit serial that fits is written."""
    if serial and serial.isdigit() and 0 < int(serial) < 2**32:
        return int(serial)
    return None


def _firmware(firmware: str | None) -> float | None:
    """ "3.0.56" -> 3.0 (device_info.software_version: uint16, scale 100, so 0..655.34)."""
    match = re.match(r"\D*(\d+)(?:\.(\d{1,2}))?", firmware or "")
    if match is None:
        return None
    value = float(f"{match[1]}.{match[2] or 0}")
    return value if value <= 655.34 else None


def _version(software_version: str) -> float:
    """ "0.1.0" -> 0.1; "1.23" -> 1.23 (file_creator / device_info software_version)."""
    return _firmware(software_version) or 0.0


def _sub_sport(name: str) -> str:
    """SessionRecord.sub_sport -> FIT Profile type sub_sport (unknown -> generic)."""
    return name if name in {str(v) for v in Profile["types"]["sub_sport"].values()} else "generic"


def _local_offset(unix_s: float) -> int:
    """The machine's UTC offset at ``unix_s``, in seconds (activity.local_timestamp)."""
    offset = datetime.fromtimestamp(unix_s, tz=UTC).astimezone().utcoffset()
    return int(offset.total_seconds()) if offset is not None else 0
