"""The broker link's retained values: the latest per topic, sent again after a reconnect."""

from __future__ import annotations

from hiitd.mqtt.retained_values import RetainedValues
from hiitd.mqtt.send_queue import Outgoing


def drain(values: RetainedValues) -> list[Outgoing]:
    items = []
    while (item := values.take_unsent()) is not None:
        items.append(item)
    return items


def test_only_the_latest_value_per_topic_is_sent_in_first_set_order() -> None:
    """Two values for one topic send once (the newer); topics go out in the order first set."""
    values = RetainedValues()
    values.set("a", b"1", 1)
    values.set("b", b"2", 0)
    values.set("a", b"3", 1)
    assert drain(values) == [Outgoing("a", b"3", 1, retain=True), Outgoing("b", b"2", 0, True)]


def test_held_values_are_sent_only_after_a_reconnect() -> None:
    """A value sent by other means is not sent again until every value is marked unsent."""
    values = RetainedValues()
    values.hold("a", b"1", 1)
    values.set("b", b"2", 1)
    assert [m.topic for m in drain(values)] == ["b"]
    values.mark_all_unsent()
    assert [m.topic for m in drain(values)] == ["a", "b"]
