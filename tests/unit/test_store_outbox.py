"""The persistent outbox: what must reach the broker survives restarts, in order."""

from __future__ import annotations

from typing import TYPE_CHECKING

from hiitd.store.db import Store

if TYPE_CHECKING:
    from pathlib import Path


def test_pending_messages_come_oldest_first_with_their_fields(tmp_path: Path) -> None:
    """pending() returns undelivered messages in enqueue order, payload bytes intact."""
    with Store.open(tmp_path) as store:
        ids = [store.enqueue(f"hiitd/a/session/cue/{i}", bytes([i, 0, 255])) for i in range(5)]
        result = store.enqueue("hiitd/a/session/result", b'{"ok":1}', qos=1, retain=True)
        assert ids == sorted(ids)
        assert result > ids[-1]
        items = store.pending(3)
        assert [i.id for i in items] == ids[:3]
        assert items[1].payload == bytes([1, 0, 255])
        assert (items[0].qos, items[0].retain, items[0].attempts) == (1, False, 0)
        last = store.pending(100)[-1]
        assert (last.topic, last.retain) == ("hiitd/a/session/result", True)


def test_delivered_messages_leave_the_queue_once(tmp_path: Path) -> None:
    """mark_delivered removes a message from pending; a second ack is reported as not pending."""
    with Store.open(tmp_path) as store:
        a, b, c = (store.enqueue("t", p) for p in (b"a", b"b", b"c"))
        assert store.mark_delivered(b)
        assert not store.mark_delivered(b)
        assert not store.mark_delivered(999)
        assert [i.id for i in store.pending()] == [a, c]
        assert store.pending_count() == 2


def test_pending_messages_survive_a_restart(tmp_path: Path) -> None:
    """A reopened store still holds what was not acknowledged, ids unchanged, attempts counted."""
    with Store.open(tmp_path) as store:
        a = store.enqueue("t", b"a")
        b = store.enqueue("t", b"b")
        store.mark_delivered(a)
        store.note_attempt(b)
    with Store.open(tmp_path) as store:
        (item,) = store.pending()
        assert (item.id, item.payload, item.attempts) == (b, b"b", 1)
        assert store.enqueue("t", b"c") > b


def test_ids_are_never_reused_after_pruning(tmp_path: Path) -> None:
    """Pruning delivered messages keeps ids growing (AUTOINCREMENT), so an id stays unique."""
    with Store.open(tmp_path) as store:
        ids = [store.enqueue("t", b"x") for _ in range(3)]
        for i in ids:
            store.mark_delivered(i)
        assert store.prune_delivered(0.0, now_wall=9e12) == 3
        assert store.enqueue("t", b"y") > ids[-1]


def test_only_messages_delivered_long_enough_ago_are_pruned(tmp_path: Path) -> None:
    """prune_delivered keeps pending messages and recent deliveries."""
    with Store.open(tmp_path) as store:
        a = store.enqueue("t", b"a")
        store.enqueue("t", b"pending")
        store.mark_delivered(a)
        assert store.prune_delivered(3600.0) == 0  # delivered just now
        assert store.pending_count() == 1
        assert store.prune_delivered(3600.0, now_wall=9e12) == 1
        assert store.pending_count() == 1
