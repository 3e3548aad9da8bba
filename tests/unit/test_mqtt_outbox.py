"""The outgoing queue: bounded for QoS 0 telemetry, never losing QoS 1."""

from __future__ import annotations

from hiitd.mqtt.send_queue import Outbox, Outgoing


def drain(box: Outbox) -> list[Outgoing]:
    items = []
    while (item := box.take()) is not None:
        items.append(item)
    return items


def test_full_queue_sheds_oldest_qos0() -> None:
    """When full, the oldest QoS 0 message goes and is counted."""
    box = Outbox(3)
    for i in range(5):
        box.put(Outgoing("t", str(i).encode()))
    assert box.dropped == 2
    assert [m.payload for m in drain(box)] == [b"2", b"3", b"4"]


def test_qos1_is_never_shed() -> None:
    """QoS 1 messages survive overflow; QoS 0 ones around them are shed first."""
    box = Outbox(2)
    box.put(Outgoing("cue", b"c1", qos=1))
    box.put(Outgoing("hr", b"h1"))
    box.put(Outgoing("cue", b"c2", qos=1))
    box.put(Outgoing("hr", b"h2"))
    assert [m.payload for m in drain(box)] == [b"c1", b"c2"]
    assert box.dropped == 2


def test_only_qos1_grows_past_the_limit() -> None:
    """A queue full of QoS 1 grows rather than drop one."""
    box = Outbox(2)
    for i in range(4):
        box.put(Outgoing("cue", str(i).encode(), qos=1))
    assert len(box) == 4
    assert box.dropped == 0


def test_put_back_goes_first() -> None:
    """An unsent QoS 1 message returns to the head, keeping order."""
    box = Outbox(5)
    box.put(Outgoing("a", b"1", qos=1))
    box.put(Outgoing("a", b"2", qos=1))
    first = box.take()
    assert first is not None
    box.put_back(first)
    assert [m.payload for m in drain(box)] == [b"1", b"2"]
