"""Validate a device discovery message with Home Assistant's own MQTT code.

Runs inside a virtual environment with ``homeassistant`` installed (see
``ha_venv.py``), never in hiitd's: ``python ha_check.py < request.json``.

The request is ``{"discovery_prefix", "topic", "payload", "samples"}``:
``payload`` is the discovery message as published (a JSON string), and
``samples`` maps a state topic to example JSON messages. The answer on stdout is
``{"ha_version", "errors", "components"}``; each component has its validated
``platform`` and the ``rendered`` value of its templates for each sample.

The steps are those of ``homeassistant/components/mqtt/discovery.py``
(``async_discovery_message_received`` and ``_parse_device_payload``): the topic
matcher, abbreviation expansion, ``DEVICE_DISCOVERY_SCHEMA``, the origin
schema, the shared-option merge, then each platform's ``DISCOVERY_SCHEMA`` (as
``entity.async_setup_entity_entry_helper`` does). Stricter than Home Assistant
in one way: an option its ``DISCOVERY_SCHEMA`` silently drops (a typo) is an
error here. Sensors are also checked against ``DEVICE_CLASS_UNITS`` and
``DEVICE_CLASS_STATE_CLASSES``, which Home Assistant only logs about at runtime.
"""

from __future__ import annotations

import asyncio
import importlib
import json
import sys
import tempfile
from typing import Any

import voluptuous as vol
from homeassistant.components.mqtt import discovery as ha_discovery
from homeassistant.components.mqtt.models import MqttValueTemplate, PayloadSentinel
from homeassistant.components.sensor import DEVICE_CLASS_STATE_CLASSES, DEVICE_CLASS_UNITS
from homeassistant.const import __version__ as ha_version
from homeassistant.core import HomeAssistant
from homeassistant.util import dt as dt_util

_TEMPLATES = ("value_template", "json_attributes_template")


def _render(template: Any, payload: str) -> str | None:
    out = MqttValueTemplate(template).async_render_with_possible_json_value(
        payload, PayloadSentinel.DEFAULT
    )
    return None if out is PayloadSentinel.DEFAULT else str(out)


def _check_sensor(key: str, config: dict[str, Any], errors: list[str]) -> None:
    device_class = config.get("device_class")
    if device_class is None:
        return
    unit = config.get("unit_of_measurement")
    units = DEVICE_CLASS_UNITS.get(device_class)
    if units is not None and unit not in units:
        errors.append(f"{key}: unit {unit!r} is not valid for device class {device_class}")
    state_class = config.get("state_class")
    allowed = DEVICE_CLASS_STATE_CLASSES.get(device_class)
    if state_class is not None and allowed is not None and state_class not in allowed:
        errors.append(f"{key}: state class {state_class} is not valid for {device_class}")


def _check_rendered(key: str, config: dict[str, Any], value: str | None, errors: list[str]) -> None:
    if value is None or value == "None":
        return
    numeric = "unit_of_measurement" in config or config.get("state_class")
    if value == "" and numeric:
        return  # a numeric sensor ignores an empty state (mqtt/sensor.py, _update_state)
    if config.get("device_class") == "timestamp":
        parsed = dt_util.parse_datetime(value)
        if parsed is None or parsed.tzinfo is None:
            errors.append(f"{key}: {value!r} is not a timestamp with a time zone")
    elif config.get("options") and value not in config["options"]:
        errors.append(f"{key}: {value!r} is not one of its options")
    elif numeric:
        try:
            float(value)
        except ValueError:
            errors.append(f"{key}: {value!r} is not a number")


def _component(
    key: str, merged: dict[str, Any], samples: dict[str, list[str]]
) -> tuple[dict[str, Any], list[str]]:
    errors: list[str] = []
    config = dict(merged)
    platform = config.pop("platform")
    module = importlib.import_module(f"homeassistant.components.mqtt.{platform}")
    try:
        validated = module.DISCOVERY_SCHEMA(config)
    except vol.Invalid as exc:
        return {"platform": platform}, [f"{key} ({platform}): {exc}"]
    dropped = sorted(set(config) - set(validated))
    if dropped:
        errors.append(f"{key} ({platform}): options Home Assistant ignores: {dropped}")
    if platform == "sensor":
        _check_sensor(key, validated, errors)
    rendered: dict[str, list[str | None]] = {}
    for option in _TEMPLATES:
        if option not in validated:
            continue
        topic_option = "state_topic" if option == "value_template" else "json_attributes_topic"
        values = [_render(validated[option], p) for p in samples.get(validated[topic_option], [])]
        rendered[option] = values
        if option == "value_template":
            for value in values:
                _check_rendered(key, validated, value, errors)
        else:
            errors.extend(
                f"{key}: attributes template gave no JSON object: {value}"
                for value in values
                if value is not None and not isinstance(json.loads(value), dict)
            )
    return {"platform": platform, "rendered": rendered}, errors


def check(request: dict[str, Any]) -> dict[str, Any]:
    """Home Assistant's discovery steps on one device message; errors are collected."""
    prefix, topic = request["discovery_prefix"], request["topic"]
    errors: list[str] = []
    out: dict[str, Any] = {"ha_version": ha_version, "errors": errors, "components": {}}
    match = ha_discovery.TOPIC_MATCHER.match(topic.replace(f"{prefix}/", "", 1))
    if match is None or match.group("component") != "device":
        errors.append(f"{topic}: not a device discovery topic")
        return out
    payload = ha_discovery.MQTTDiscoveryPayload(json.loads(request["payload"]))
    ha_discovery._replace_all_abbreviations(payload)
    try:
        ha_discovery.DEVICE_DISCOVERY_SCHEMA(payload)
        ha_discovery.MQTT_ORIGIN_INFO_SCHEMA(payload["origin"])
    except vol.Invalid as exc:
        errors.append(f"device discovery: {exc}")
        return out
    samples = {t: [json.dumps(s) for s in docs] for t, docs in request["samples"].items()}
    for key, component in payload["components"].items():
        merged = ha_discovery.MQTTDiscoveryPayload(component)
        merged["device"], merged["origin"] = payload["device"], payload["origin"]
        ha_discovery._merge_common_device_options(merged, payload)
        result, problems = _component(key, merged, samples)
        out["components"][key] = result
        errors.extend(problems)
    return out


async def _main() -> dict[str, Any]:
    request = json.loads(sys.stdin.read())
    with tempfile.TemporaryDirectory() as config_dir:
        # Templates are validated and rendered as in Home Assistant: with its instance.
        hass = HomeAssistant(config_dir)
        try:
            return check(request)
        finally:
            await hass.async_stop(force=True)


if __name__ == "__main__":
    sys.stdout.write(json.dumps(asyncio.run(_main())) + "\n")
