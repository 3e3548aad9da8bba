"""TCX export: valid against Garmin's TCX v2 and ActivityExtension v2 schemas, data as recorded."""

from __future__ import annotations

import xml.etree.ElementTree as ET
from dataclasses import replace
from datetime import datetime
from typing import TYPE_CHECKING

import pytest
import xmlschema
from export_rig import CONTACT_LOSS, HR_DROPOUT, PAUSE, START_WALL, WORKOUT, four_by_four, free_run

from hiitd.export import export_tcx
from hiitd.export.tcx import TCX_NAMESPACE, TPX_NAMESPACE

if TYPE_CHECKING:
    from pathlib import Path

NS = {"tc": TCX_NAMESPACE, "ax": TPX_NAMESPACE}


@pytest.fixture(scope="module")
def schema(shared_data: Path) -> xmlschema.XMLSchema:
    """TCX v2 with AEv2 loaded too: Extensions are xsd:any lax, so TPX/LX are then checked."""
    xsd = shared_data / "tcx" / "xsd"
    return xmlschema.XMLSchema(
        [str(xsd / "TrainingCenterDatabasev2.xsd"), str(xsd / "ActivityExtensionv2.xsd")]
    )


@pytest.fixture(scope="module")
def tcx() -> str:
    return export_tcx(four_by_four(), calories_kcal=512.4)


def _rel(stamp: str) -> float:
    return datetime.fromisoformat(stamp).timestamp() - round(START_WALL)


def test_validates_against_tcx_and_extension_schemas(schema: xmlschema.XMLSchema, tcx: str) -> None:
    """The 4x4 and a free run validate against TCX v2 + ActivityExtension v2."""
    schema.validate(tcx)
    schema.validate(export_tcx(free_run()))


def test_extensions_are_really_checked(schema: xmlschema.XMLSchema, tcx: str) -> None:
    """A RunCadence above CadenceValue_t's 254 fails: the AEv2 part is validated, not skipped."""
    broken = tcx.replace("<ns3:RunCadence>", "<ns3:RunCadence>9", 1)
    assert not schema.is_valid(broken)
    assert not schema.is_valid(tcx.replace("<ns3:Speed>", "<ns3:Speed>fast", 1))


def test_one_lap_per_step_with_intensity_trigger_and_calories(tcx: str) -> None:
    """Laps follow the steps; recovery is Resting; Calories split over laps sum to the session's."""
    root = ET.fromstring(tcx)  # noqa: S314 - our own output
    laps = root.findall(".//tc:Lap", NS)
    steps = four_by_four().steps
    assert len(laps) == len(steps)
    intensities = [lap.findtext("tc:Intensity", namespaces=NS) for lap in laps]
    assert intensities == ["Resting" if s.intensity == "recovery" else "Active" for s in steps]
    assert {lap.findtext("tc:TriggerMethod", namespaces=NS) for lap in laps} == {"Time"}
    assert sum(int(lap.findtext("tc:Calories", "0", NS)) for lap in laps) == 512
    for lap, step in zip(laps, steps, strict=True):
        assert _rel(lap.attrib["StartTime"]) == pytest.approx(step.start_t, abs=1)
        assert lap.findtext("tc:Notes", namespaces=NS) == step.label
    timer = sum(float(lap.findtext("tc:TotalTimeSeconds", "0", NS)) for lap in laps)
    assert timer == pytest.approx(four_by_four().duration_s - (PAUSE[1] - PAUSE[0]))
    assert root.findtext(".//tc:Activity/tc:Notes", namespaces=NS) == WORKOUT.name


def test_heart_rate_only_when_known_and_no_points_while_paused(tcx: str) -> None:
    """No HeartRateBpm in the dropout or without contact; the pause splits its lap's Track."""
    root = ET.fromstring(tcx)  # noqa: S314 - our own output
    points = root.findall(".//tc:Trackpoint", NS)
    for tp in points:
        t = _rel(tp.findtext("tc:Time", "", NS))
        assert not PAUSE[0] + 1 <= t < PAUSE[1]
        if any(lo + 2 <= t < hi - 1 for lo, hi in (HR_DROPOUT, CONTACT_LOSS)):
            assert tp.find("tc:HeartRateBpm", NS) is None
    bpms = [
        int(v.text or "0") for v in root.findall(".//tc:Trackpoint/tc:HeartRateBpm/tc:Value", NS)
    ]
    assert min(bpms) > 0
    tracks = [len(lap.findall("tc:Track", NS)) for lap in root.findall(".//tc:Lap", NS)]
    assert sorted(tracks) == [1] * 8 + [2]
    distances = [
        float(d.text or "0") for d in root.findall(".//tc:Trackpoint/tc:DistanceMeters", NS)
    ]
    assert distances == sorted(distances)


def test_run_cadence_is_strides_per_minute(tcx: str) -> None:
    """RunCadence = steps/min / 2, as Garmin writes it (readers double it)."""
    root = ET.fromstring(tcx)  # noqa: S314 - our own output
    cadences = [int(c.text or "0") for c in root.findall(".//ax:TPX/ax:RunCadence", NS)]
    work = [c for c in cadences if c > 80]
    assert 80 < sum(work) / len(work) < 100  # ~180 steps/min at 4.2 m/s
    lap_avg = [int(c.text or "0") for c in root.findall(".//ax:LX/ax:AvgRunCadence", NS)]
    assert len(lap_avg) == 9
    assert max(lap_avg) < 100


def test_user_text_is_escaped() -> None:
    """A workout name with <, &, quotes round-trips through an XML parser unchanged."""
    record = free_run()
    named = replace(record, workout="a <b> & \"c\" ]]> 'd'")
    root = ET.fromstring(export_tcx(named))  # noqa: S314 - our own output
    assert root.findtext(".//tc:Activity/tc:Notes", namespaces=NS) == named.workout


def test_free_run_is_one_lap_with_creator() -> None:
    """With no steps the whole run is one Active lap; the Creator is hiitd as a Device_t."""
    root = ET.fromstring(export_tcx(free_run()))  # noqa: S314 - our own output
    (lap,) = root.findall(".//tc:Lap", NS)
    assert lap.findtext("tc:Intensity", namespaces=NS) == "Active"
    assert lap.findtext("tc:Calories", namespaces=NS) == "0"
    assert root.findtext(".//tc:Creator/tc:Name", namespaces=NS) == "hiitd"
    points = root.findall(".//tc:Trackpoint", NS)
    assert len(points) == 12
    assert points[5].find("tc:HeartRateBpm", NS) is None
