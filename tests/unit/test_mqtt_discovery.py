"""The Home Assistant device discovery document (pure; HA's own schemas: integration tests)."""

from __future__ import annotations

import json
from typing import Any

import pytest

from hiitd.coach.events import CueKind
from hiitd.mqtt.command_parser import ACTIONS
from hiitd.mqtt.discovery import (
    BUTTONS,
    CUE_KINDS,
    LIVE_EXPIRE_S,
    config_topic,
    device_id,
    discovery_payload,
    ha_status_topic,
)
from hiitd.mqtt.payloads import encode
from hiitd.mqtt.topics import Topics
from hiitd.plan.ladders import EASY_MAX, EASY_MIN, EASY_STEP, LADDERS, plan_names, plan_workout
from hiitd_drivers.samples import Role

TOPICS = Topics("hiitd", "alex")
WORKOUTS = ["norwegian-4x4", "my-6x800"]


def _doc(**kwargs: Any) -> dict[str, Any]:
    args: dict[str, Any] = {"athlete_name": "Alex", "version": "1.2.3", "workouts": WORKOUTS}
    return discovery_payload(TOPICS, **(args | kwargs))


def test_topics_follow_the_device_discovery_layout() -> None:
    """The device message is <prefix>/device/hiitd_<athlete>/config; HA's birth <prefix>/status."""
    assert device_id("alex") == "hiitd_alex"
    assert config_topic("homeassistant", "alex") == "homeassistant/device/hiitd_alex/config"
    assert ha_status_topic("ha") == "ha/status"


def test_device_and_origin_identify_hiitd() -> None:
    """The device carries identifiers, name, maker, model and version; the origin names hiitd."""
    doc = _doc()
    assert doc["device"] == {
        "identifiers": ["hiitd_alex"],
        "name": "hiitd Alex",
        "manufacturer": "hiitd",
        "model": "HIIT running coach",
        "sw_version": "1.2.3",
    }
    assert doc["origin"] == {"name": "hiitd", "sw_version": "1.2.3"}
    assert _doc(support_url="https://x.example")["origin"]["support_url"] == "https://x.example"


def test_every_component_has_a_stable_unique_id_and_platform() -> None:
    """Unique ids are hiitd_<athlete>_<key>, distinct, and each component names its platform."""
    components = _doc()["components"]
    for key, comp in components.items():
        assert comp["unique_id"] == f"hiitd_alex_{key}"
        assert comp["platform"] in {"sensor", "button", "select", "event", "image", "number"}
    ids = [c["unique_id"] for c in components.values()]
    assert len(ids) == len(set(ids))


def test_the_runner_gets_every_asked_for_entity() -> None:
    """Live, session, result, battery sensors; six buttons; the select, the cue event, the chart."""
    assert set(_doc()["components"]) == {
        "heart_rate", "speed", "pace", "cadence", "stride_length", "distance", "zone",
        "session_state", "step", "step_remaining", "interval", "elapsed", "calories",
        "trimp", "strap_battery", "footpod_battery", "last_session", "work_in_target", "cue",
        "start",
        "pause", "resume", "skip", "lap", "stop", "workout", "chart",
        "next_session", "readiness", "load_ratio", "session_rpe", "start_next",
        "start_checkin", "checkin", "resting_hr", "ln_rmssd", "safety_ceiling",
        "max_hr_proposal", "health",
    }  # fmt: skip


def test_state_topics_are_the_daemons_own() -> None:
    """Entities read the existing JSON topics; only the chart has a topic of its own."""
    known = {
        TOPICS.hr, TOPICS.footpod, TOPICS.session_state, TOPICS.session_result,
        TOPICS.session_cue, TOPICS.plan_next, TOPICS.plan_checkin, TOPICS.max_hr_proposal,
    }  # fmt: skip
    for comp in _doc()["components"].values():
        if "state_topic" in comp:
            assert comp["state_topic"] in known
    assert _doc()["components"]["chart"]["image_topic"] == "hiitd/alex/session/chart"


def test_strap_and_footpod_entities_need_the_sensor_and_the_daemon() -> None:
    """A dropped strap makes its entities unavailable (mode all), and live values expire."""
    components = _doc()["components"]
    hr = components["heart_rate"]
    assert [a["topic"] for a in hr["availability"]] == [
        "hiitd/alex/status",
        TOPICS.availability(Role.HR),
    ]
    assert hr["availability_mode"] == "all"
    assert hr["expire_after"] == LIVE_EXPIRE_S
    pod = components["cadence"]
    assert pod["availability"][1]["topic"] == "hiitd/alex/footpod/availability"
    zone = components["zone"]
    assert [a["topic"] for a in zone["availability"]] == ["hiitd/alex/status"]
    assert "expire_after" not in zone, "retained session state never expires"


def test_disabled_sensors_have_no_entities() -> None:
    """Without a footpod there are no footpod entities (they could only be unavailable)."""
    components = _doc(roles=(Role.HR,))["components"]
    assert "heart_rate" in components
    assert not {"speed", "pace", "cadence", "stride_length", "footpod_battery"} & set(components)


def test_pace_is_a_plain_number_and_speed_is_km_per_h() -> None:
    """Pace has no device class (HA has no min/km speed unit); speed is km/h from m/s."""
    components = _doc()["components"]
    assert "device_class" not in components["pace"]
    assert components["pace"]["unit_of_measurement"] == "min/km"
    assert components["speed"]["device_class"] == "speed"
    assert "* 3.6" in components["speed"]["value_template"]


def test_buttons_send_an_empty_payload_to_their_command_topic() -> None:
    """Each button publishes nothing (not HA's "PRESS") on <base>/cmd/<action>."""
    components = _doc()["components"]
    assert set(BUTTONS) <= set(ACTIONS), "every button is a command the daemon knows"
    for action in ("start", "pause", "resume", "skip", "lap", "stop"):
        assert components[action]["command_topic"] == f"hiitd/alex/cmd/{action}"
        assert components[action]["payload_press"] == ""


def test_select_offers_the_catalogue_and_reads_the_session_workout() -> None:
    """The workout select lists the catalogue names and sends the choice to cmd/workout."""
    select = _doc()["components"]["workout"]
    assert select["options"] == WORKOUTS
    assert select["command_topic"] == "hiitd/alex/cmd/workout"
    assert select["state_topic"] == "hiitd/alex/session/state"
    with pytest.raises(ValueError, match="at least one"):
        _doc(workouts=[])


def test_cue_event_types_are_the_design_cue_kinds() -> None:
    """The event entity declares all 16 cue kinds of docs/mqtt.md."""
    cue = _doc()["components"]["cue"]
    assert cue["event_types"] == [k.value for k in CueKind] == list(CUE_KINDS)
    assert len(CUE_KINDS) == 16


def test_document_is_compact_json() -> None:
    """It encodes as strict JSON and stays a few kilobytes (38 entities: about 17.9 kB)."""
    size = len(encode(_doc()))
    assert size < 18_000
    assert json.loads(encode(_doc())) == _doc()


def test_plan_entities_read_plan_next_and_the_rpe_number_sends_whole_numbers() -> None:
    """Next session, readiness and load ratio read plan/next; the RPE box sends 0-10 to cmd/rpe."""
    c = _doc()["components"]
    assert c["next_session"]["state_topic"] == "hiitd/alex/plan/next"
    assert c["readiness"]["options"] == ["green", "amber", "red", "unknown"]
    assert c["load_ratio"]["value_template"] == "{{ value_json.acwr }}"
    rpe = c["session_rpe"]
    assert (rpe["command_topic"], rpe["min"], rpe["max"], rpe["step"]) == (
        "hiitd/alex/cmd/rpe",
        0,
        10,
        1,
    )
    assert rpe["command_template"] == "{{ value | int }}"


def test_check_in_entities_start_one_and_show_its_state_and_last_figures() -> None:
    """A button sends cmd/checkin; the state and figures read plan/checkin, kept while measuring."""
    c = _doc()["components"]
    press = c["start_checkin"]
    assert (press["command_topic"], press["payload_press"]) == ("hiitd/alex/cmd/checkin", "")
    state = c["checkin"]
    assert state["state_topic"] == state["json_attributes_topic"] == TOPICS.plan_checkin
    assert state["options"] == ["measuring", "done", "failed", "cancelled"]
    for key in ("ln_rmssd", "resting_hr", "error", "remaining_s", "readiness"):
        assert f"'{key}'" in state["json_attributes_template"]
    for key in ("resting_hr", "ln_rmssd"):
        # A numeric sensor ignores an empty state: the last stored value stays while measuring.
        assert c[key]["value_template"].endswith("if value_json.state == 'done' else '' }}")
        assert c[key]["state_class"] == "measurement"


def test_start_next_sends_next_and_the_select_can_list_every_plan_workout() -> None:
    """'Start next session' sends "next" to cmd/start; the plan's names fit the select."""
    assert set(ACTIONS) >= {"start", "checkin"}
    nxt = _doc()["components"]["start_next"]
    assert (nxt["command_topic"], nxt["payload_press"]) == ("hiitd/alex/cmd/start", "next")
    names = plan_names()
    assert "plan-intervals-12" in names
    assert {"plan-easy-10", "plan-easy-35", "plan-easy-120"} <= set(names)
    assert names[-1] == "plan-easy-120"
    easy = len(range(EASY_MIN, EASY_MAX + 1, EASY_STEP))
    assert len(names) == sum(len(ladder) for ladder in LADDERS.values()) + easy
    assert _doc(workouts=[*WORKOUTS, *names])["components"]["workout"]["options"][-1] == (
        "plan-easy-120"
    )


def test_every_plan_workout_name_can_be_started() -> None:
    """Each name the select offers for the plan resolves to a workout (cmd/workout can set it)."""
    for name in plan_names():
        assert plan_workout(name).name == name


def test_the_health_select_shows_plan_next_and_reports_on_cmd_health() -> None:
    """Health: ill, injured or ok, read from plan/next's ``health``, sent to cmd/health."""
    health = _doc()["components"]["health"]
    assert health["platform"] == "select"
    assert health["options"] == ["ill", "injured", "ok"]
    assert (health["state_topic"], health["command_topic"]) == (
        TOPICS.plan_next,
        TOPICS.cmd("health"),
    )
