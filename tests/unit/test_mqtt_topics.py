"""The MQTT topic tree: names from docs/mqtt.md, and commands only from our own topics."""

from __future__ import annotations

import subprocess
import sys

import pytest

from hiitd.mqtt.topics import Topics
from hiitd_drivers.samples import Role

T = Topics("hiitd", "anna")


def test_topic_names_follow_the_design() -> None:
    """Every topic is <prefix>/<athlete_id>/... as docs/mqtt.md lists it."""
    assert T.base == "hiitd/anna"
    assert T.status == "hiitd/anna/status"
    assert T.availability(Role.HR) == "hiitd/anna/hr/availability"
    assert T.availability(Role.FOOTPOD) == "hiitd/anna/footpod/availability"
    assert T.hr == "hiitd/anna/hr"
    assert T.footpod == "hiitd/anna/footpod"
    assert T.session_state == "hiitd/anna/session/state"
    assert T.session_cue == "hiitd/anna/session/cue"
    assert T.session_step == "hiitd/anna/session/step"
    assert T.session_result == "hiitd/anna/session/result"
    assert T.cmd("pause") == "hiitd/anna/cmd/pause"
    assert T.cmd_filter == "hiitd/anna/cmd/+"
    assert T.cmd_result == "hiitd/anna/cmd/result"
    assert T.all_filter == "hiitd/anna/#"


def test_command_action_of_own_topic() -> None:
    """<base>/cmd/<action> yields the action."""
    assert T.command_action("hiitd/anna/cmd/pause") == "pause"
    assert T.command_action(T.cmd("workout")) == "workout"


@pytest.mark.parametrize(
    "topic",
    [
        "hiitd/bob/cmd/pause",  # another athlete
        "hiitd/anna/cmdx",  # not the cmd level
        "hiitd/anna/cmdx/pause",
        "hiitd/anna/cmd/",  # empty action
        "hiitd/anna/cmd/a/b",  # deeper level
        "hiitd/anna/cmd/result",  # our own replies
        "hiitd/annabel/cmd/pause",  # prefix of another athlete id
        "other/anna/cmd/pause",
        "hiitd/anna/hr",
    ],
)
def test_command_action_rejects_foreign_topics(topic: str) -> None:
    """Anything but this daemon's own <base>/cmd/<action> is not a command."""
    assert T.command_action(topic) is None


def test_multi_level_prefix() -> None:
    """A prefix may span levels (home/hiitd)."""
    assert Topics("home/hiitd", "anna").status == "home/hiitd/anna/status"


@pytest.mark.parametrize(
    ("prefix", "athlete"), [("hiitd", "a/b"), ("hi+", "a"), ("", "a"), ("h", "#"), ("a//b", "x")]
)
def test_unusable_levels_are_rejected(prefix: str, athlete: str) -> None:
    """Wildcards, empty levels and a slash in the athlete id raise ValueError."""
    with pytest.raises(ValueError, match="topic level"):
        Topics(prefix, athlete)


def test_cmd_rejects_wildcard_action() -> None:
    """An action with a wildcard or slash cannot become a topic."""
    with pytest.raises(ValueError, match="action"):
        T.cmd("+")


def test_relative() -> None:
    """relative() strips <base>/ and is None outside it."""
    assert T.relative("hiitd/anna/hr/availability") == "hr/availability"
    assert T.relative("hiitd/bob/hr") is None


def test_importing_the_pure_mqtt_modules_loads_no_broker_library() -> None:
    """A fresh interpreter importing topics, payloads, commands, discovery has no aiomqtt/amqtt."""
    code = (
        "import sys, hiitd.mqtt.topics, hiitd.mqtt.payloads, hiitd.mqtt.command_parser, "
        "hiitd.mqtt.discovery; "
        "sys.exit(1 if {'aiomqtt', 'amqtt'} & set(sys.modules) else 0)"
    )
    subprocess.run([sys.executable, "-c", code], check=True, timeout=60)
