"""The MQTT side of hiitd: topics and payloads (pure), the broker link, tools.

The only package that imports aiomqtt (DESIGN.md, "Data flow").
"""

from hiitd.mqtt.broker_link import DEFAULT_QUEUE_LIMIT, CommandHandler, MqttLink
from hiitd.mqtt.embedded_broker import broker_reachable, embedded_broker
from hiitd.mqtt.failures import Failure, FailureKind, classify
from hiitd.mqtt.payloads import (
    OFFLINE,
    ONLINE,
    command_result,
    encode,
    footpod_payload,
    hr_payload,
)
from hiitd.mqtt.topics import Topics
from hiitd.mqtt.watch import format_message, watch

__all__ = [
    "DEFAULT_QUEUE_LIMIT",
    "OFFLINE",
    "ONLINE",
    "CommandHandler",
    "Failure",
    "FailureKind",
    "MqttLink",
    "Topics",
    "broker_reachable",
    "classify",
    "command_result",
    "embedded_broker",
    "encode",
    "footpod_payload",
    "format_message",
    "hr_payload",
    "watch",
]
