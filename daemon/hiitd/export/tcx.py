"""A session as a Garmin Training Center (TCX v2) file (pure: a ``SessionRecord`` in, text out).

Valid against Garmin's ``TrainingCenterDatabasev2.xsd`` with the trackpoint and
lap extensions of ``ActivityExtensionv2.xsd`` (TPX, LX). What the schema and
the tools that read TCX dictate:

- ``Lap`` children in schema order: TotalTimeSeconds, DistanceMeters,
  MaximumSpeed, Calories (required), Average/MaximumHeartRateBpm, Intensity
  (``Active`` or ``Resting`` only), Cadence (bikes only, not written),
  TriggerMethod, Track..., Notes, Extensions. One lap per workout step.
- TotalTimeSeconds is timer time; a pause ends a ``Track`` and the next one
  starts at the resume, as Garmin's own exports do.
- ``Trackpoint``: Time, DistanceMeters, HeartRateBpm only when the strap had
  contact (no 0 bpm, no held value), then ``TPX`` with Speed and RunCadence.
  Trackpoint ``Cadence`` is bike cadence ("Bike Cadence is stored in the TC2
  Trackpoint_t Cadence field", ActivityExtensionv2.xsd).
- ``RunCadence`` is strides (one foot) per minute, like FIT's running cadence:
  that is what Garmin devices and Garmin Connect write (about 85-95 for a run),
  and readers double it for steps per minute (e.g. Waddle's TCXParser:
  ``setCadence(2 * RunCadence)``); Runalyze keeps a test file,
  "Treadmill-doubled-cadence.tcx" (Runalyze issue #1679), for files that wrote
  steps there instead, which show as a doubled cadence.
- The AEv2 prefix is ``ns3``, as in Garmin Connect's exports, because some
  readers look the prefix up rather than the namespace. ElementTree reserves
  ``ns<digits>`` prefixes, so qualified names are written literally with their
  ``xmlns`` declarations on the root; every text and attribute value still goes
  through ElementTree's escaping.
"""

from __future__ import annotations

import xml.etree.ElementTree as ET
from typing import TYPE_CHECKING

from hiitd.export._track import (
    Point,
    build_track,
    lap_spans,
    session_serial,
    totals,
    utc_iso,
)

if TYPE_CHECKING:
    from collections.abc import Sequence

    from hiitd.record.session_record import SessionRecord, StepRecord

__all__ = ["TCX_NAMESPACE", "TPX_NAMESPACE", "export_tcx"]

TCX_NAMESPACE = "http://www.garmin.com/xmlschemas/TrainingCenterDatabase/v2"
TPX_NAMESPACE = "http://www.garmin.com/xmlschemas/ActivityExtension/v2"
_XSI = "http://www.w3.org/2001/XMLSchema-instance"
_SCHEMA_LOCATION = (
    f"{TCX_NAMESPACE} http://www.garmin.com/xmlschemas/TrainingCenterDatabasev2.xsd "
    f"{TPX_NAMESPACE} http://www.garmin.com/xmlschemas/ActivityExtensionv2.xsd"
)
_RESTING = {"rest", "recovery"}  # Intensity_t is Active | Resting
_TRIGGER = {"time": "Time", "distance": "Distance", "hr": "HeartRate"}  # TriggerMethod_t
_MAX_CADENCE = 254  # CadenceValue_t: unsignedByte, maxInclusive 254


def _sub(parent: ET.Element, tag: str, value: str | None = None, **attrib: str) -> ET.Element:
    el = ET.SubElement(parent, tag, attrib)
    if value is not None:
        el.text = value
    return el


def _num(value: float, digits: int) -> str:
    return f"{value:.{digits}f}"


def _strides(spm: float) -> int:
    """Steps/min -> RunCadence (strides/min), within CadenceValue_t."""
    return max(0, min(_MAX_CADENCE, round(spm / 2)))


def _lap_calories(total: float | None, weights: Sequence[float]) -> list[int]:
    """Split the session's calories over laps by weight, summing exactly to the rounded total."""
    if total is None or total <= 0:
        return [0] * len(weights)  # Calories is required; 0 is what TCX writers use for unknown
    whole = sum(weights)
    shares = [w / whole for w in weights] if whole > 0 else [1 / len(weights)] * len(weights)
    out: list[int] = []
    cum = 0.0
    for share in shares:
        before = round(cum * total)
        cum += share
        out.append(round(cum * total) - before)
    return out


def _trackpoint(track: ET.Element, p: Point, start_wall: float) -> None:
    tp = _sub(track, "Trackpoint")
    _sub(tp, "Time", utc_iso(round(start_wall) + p.sec))
    if p.distance_m is not None:
        _sub(tp, "DistanceMeters", _num(p.distance_m, 2))
    if p.bpm is not None and 0 < p.bpm < 256:  # positiveByte
        _sub(_sub(tp, "HeartRateBpm"), "Value", str(p.bpm))
    if p.has_pod and p.speed_mps is not None:
        tpx = _sub(_sub(tp, "Extensions"), "ns3:TPX", CadenceSensor="Footpod")
        _sub(tpx, "ns3:Speed", _num(p.speed_mps, 3))
        if p.cadence_spm is not None:
            _sub(tpx, "ns3:RunCadence", str(_strides(p.cadence_spm)))


def _tracks(lap: ET.Element, points: Sequence[Point], start_wall: float) -> None:
    """The lap's points as Tracks, a new Track after each pause (a point with the timer stopped)."""
    track: ET.Element | None = None
    for p in points:
        if p.paused:
            track = None
            continue
        if not (p.bpm is not None or p.has_pod):
            continue  # a second with only "no contact" says nothing a reader can use
        if track is None:
            track = _sub(lap, "Track")
        _trackpoint(track, p, start_wall)


def _intensity(step: StepRecord | None) -> str:
    return "Resting" if step is not None and step.intensity in _RESTING else "Active"


def _trigger(step: StepRecord | None) -> str:
    return _TRIGGER.get(step.ended_by or "", "Manual") if step is not None else "Manual"


def export_tcx(
    record: SessionRecord, *, calories_kcal: float | None = None, software_version: str = "0.1.0"
) -> str:
    """Encode ``record`` as a TCX v2 document (UTF-8 XML text).

    ``calories_kcal`` (from ``hiitd.metrics``) is split over the laps by
    distance, as TCX has calories only per lap; without it laps carry 0.
    """
    points = build_track(record)
    spans = lap_spans(record)
    start_wall = record.start_wall
    root = ET.Element(
        "TrainingCenterDatabase",
        {
            "xmlns": TCX_NAMESPACE,
            "xmlns:ns3": TPX_NAMESPACE,
            "xmlns:xsi": _XSI,
            "xsi:schemaLocation": _SCHEMA_LOCATION,
        },
    )
    activity = _sub(_sub(root, "Activities"), "Activity", Sport="Running")
    # Activity Id is an xsd:dateTime and must be unique in the file: the start time.
    _sub(activity, "Id", utc_iso(round(start_wall)))
    summaries = [totals(points, record.pauses, s.start_t, s.end_t) for s in spans]
    weights = [t.distance_m for t in summaries]
    if not any(weights):
        weights = [t.timer_s for t in summaries]
    calories = _lap_calories(calories_kcal, weights)
    for span, tot, kcal in zip(spans, summaries, calories, strict=True):
        lap = _sub(activity, "Lap", StartTime=utc_iso(round(start_wall + span.start_t)))
        _sub(lap, "TotalTimeSeconds", _num(tot.timer_s, 1))
        _sub(lap, "DistanceMeters", _num(tot.distance_m, 2))
        if tot.max_speed_mps is not None:
            _sub(lap, "MaximumSpeed", _num(tot.max_speed_mps, 3))
        _sub(lap, "Calories", str(kcal))
        if tot.avg_hr is not None and tot.max_hr is not None:
            _sub(_sub(lap, "AverageHeartRateBpm"), "Value", str(tot.avg_hr))
            _sub(_sub(lap, "MaximumHeartRateBpm"), "Value", str(tot.max_hr))
        _sub(lap, "Intensity", _intensity(span.step))
        _sub(lap, "TriggerMethod", _trigger(span.step))
        inside = [p for p in points if span.start_t <= p.t < span.end_t]
        _tracks(lap, inside, start_wall)
        if span.step is not None and span.step.label:
            _sub(lap, "Notes", span.step.label)
        if tot.avg_speed_mps is not None or tot.avg_cadence_spm is not None:
            lx = _sub(_sub(lap, "Extensions"), "ns3:LX")
            if tot.avg_speed_mps is not None:
                _sub(lx, "ns3:AvgSpeed", _num(tot.avg_speed_mps, 3))
            if tot.avg_cadence_spm is not None and tot.max_cadence_spm is not None:
                _sub(lx, "ns3:AvgRunCadence", str(_strides(tot.avg_cadence_spm)))
                _sub(lx, "ns3:MaxRunCadence", str(_strides(tot.max_cadence_spm)))
    if record.workout:
        _sub(activity, "Notes", record.workout)
    _creator(activity, record.session_id, software_version)
    ET.indent(root, space=" ")
    body = ET.tostring(root, encoding="unicode")
    return '<?xml version="1.0" encoding="UTF-8"?>\n' + body + "\n"


def _creator(activity: ET.Element, session_id: str, software_version: str) -> None:
    """Creator is an abstract Device_t/Application_t: hiitd as the recording device."""
    creator = _sub(activity, "Creator", **{"xsi:type": "Device_t"})
    _sub(creator, "Name", "hiitd")
    _sub(creator, "UnitId", str(session_serial(session_id)))
    _sub(creator, "ProductID", "0")
    parts = [*(int(x) for x in software_version.split(".")[:3] if x.isdigit()), 0, 0, 0]
    version = _sub(creator, "Version")
    for tag, value in zip(("VersionMajor", "VersionMinor", "BuildMajor"), parts, strict=False):
        _sub(version, tag, str(min(value, 65535)))
