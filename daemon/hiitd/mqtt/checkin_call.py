"""``hiitd checkin --live``: ask the running daemon for a check-in and follow it to the end.

The daemon owns the strap, so the command line cannot measure itself: it sends
``<base>/cmd/checkin`` with a fresh ``id`` and reads the replies that carry it,
``cmd/result`` (accepted or refused) and the retained ``plan/checkin``
(``measuring`` ... then ``done``, ``failed`` or ``cancelled``).
"""

from __future__ import annotations

import asyncio
from typing import TYPE_CHECKING, Any, Final

from hiitd.mqtt.command_call import (
    REPLY_TIMEOUT_S,
    NoDaemonError,
    check_offline,
    daemon_client,
    json_doc,
    new_request_id,
)
from hiitd.mqtt.connection import OPERATION_TIMEOUT_S
from hiitd.mqtt.payloads import encode

if TYPE_CHECKING:
    from collections.abc import Callable

    import aiomqtt

    from hiitd.mqtt.topics import Topics
    from hiitd.settings import MqttSettings

# After the measurement's own time: storing takes well under a second; a daemon
# whose clock is slower than ours (a loaded Pi) gets room.
FINISH_SLACK_S: Final = 60.0
ENDED: Final = frozenset({"done", "failed", "cancelled"})


async def request_checkin(
    settings: MqttSettings,
    topics: Topics,
    duration_s: int,
    on_progress: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    """The check-in's last ``plan/checkin`` document, or ``{"state": "refused", "error"}``.

    Raises MqttError when the broker cannot be reached and NoDaemonError
    when no daemon answers (both: exit status 69 on the command line).
    """
    request_id = new_request_id()
    subscribe = (topics.status, topics.cmd_result, topics.plan_checkin)
    async with daemon_client(settings, subscribe) as client:
        body = encode({"duration_s": duration_s, "id": request_id})
        await client.publish(topics.cmd("checkin"), body, qos=1, timeout=OPERATION_TIMEOUT_S)
        return await _follow(client, topics, request_id, duration_s, on_progress)


async def _follow(
    client: aiomqtt.Client,
    topics: Topics,
    request_id: str,
    duration_s: int,
    on_progress: Callable[[dict[str, Any]], None],
) -> dict[str, Any]:
    loop = asyncio.get_running_loop()
    no_daemon = NoDaemonError(
        f"no daemon answered on {topics.base}/cmd/checkin within {REPLY_TIMEOUT_S:g} s: "
        "is 'hiitd run' running, with this broker and athlete id?"
    )
    accepted = False
    try:
        async with asyncio.timeout(REPLY_TIMEOUT_S) as deadline:
            async for message in client.messages:
                topic = message.topic.value
                payload = message.payload
                check_offline(topics, topic, payload)
                doc = json_doc(payload)
                if doc is None or doc.get("id") != request_id:
                    continue  # a retained document of an earlier check-in, or someone else's
                if topic == topics.cmd_result and not accepted:
                    if not doc.get("ok"):
                        return {"state": "refused", "error": doc.get("error")}
                    accepted = True
                    deadline.reschedule(loop.time() + duration_s + FINISH_SLACK_S)
                elif topic == topics.plan_checkin:
                    if doc.get("state") in ENDED:
                        return doc
                    on_progress(doc)
    except TimeoutError:
        if not accepted:
            raise no_daemon from None
        raise NoDaemonError(
            f"the check-in was accepted but no result came within {duration_s} s "
            f"+ {FINISH_SLACK_S:g} s: see the daemon's log (journalctl -u hiitd)"
        ) from None
    raise no_daemon  # the broker closed the stream
