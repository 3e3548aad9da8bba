"""``hiitd checkin --live``: ask the running daemon for a check-in and follow it to the end.

The daemon owns the strap, so the command line cannot measure itself: it sends
``<base>/cmd/checkin`` with a fresh ``id`` and reads the replies that carry it,
``cmd/result`` (accepted or refused) and the retained ``plan/checkin``
(``measuring`` ... then ``done``, ``failed`` or ``cancelled``).
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from typing import TYPE_CHECKING, Any, Final

import aiomqtt

from hiitd.errors import MqttError
from hiitd.mqtt.connection import CONNECT_TIMEOUT_S, OPERATION_TIMEOUT_S, make_client
from hiitd.mqtt.failures import classify
from hiitd.mqtt.payloads import encode

if TYPE_CHECKING:
    from collections.abc import Callable

    from hiitd.mqtt.topics import Topics
    from hiitd.settings import MqttSettings

REPLY_TIMEOUT_S: Final = 10.0  # a running daemon answers a command in milliseconds
# After the measurement's own time: storing takes well under a second; a daemon
# whose clock is slower than ours (a loaded Pi) gets room.
FINISH_SLACK_S: Final = 60.0
ENDED: Final = frozenset({"done", "failed", "cancelled"})


class NoDaemonError(MqttError):
    """The broker answered but no daemon did (not running, or another athlete id)."""


def _doc(payload: bytes) -> dict[str, Any] | None:
    try:
        doc = json.loads(payload)
    except ValueError:
        return None
    return doc if isinstance(doc, dict) else None


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
    request_id = uuid.uuid4().hex[:16]
    try:
        async with contextlib.AsyncExitStack() as stack:
            client = await make_client(settings)
            async with asyncio.timeout(CONNECT_TIMEOUT_S):
                await stack.enter_async_context(client)
            for topic in (topics.status, topics.cmd_result, topics.plan_checkin):
                await client.subscribe(topic, qos=1, timeout=OPERATION_TIMEOUT_S)
            body = encode({"duration_s": duration_s, "id": request_id})
            await client.publish(topics.cmd("checkin"), body, qos=1, timeout=OPERATION_TIMEOUT_S)
            return await _follow(client, topics, request_id, duration_s, on_progress)
    except (aiomqtt.MqttError, OSError, TimeoutError) as exc:
        failure = classify(exc, host=settings.host, port=settings.port)
        raise MqttError(f"{failure.reason}; {failure.advice}") from exc


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
                if topic == topics.status and payload == b"offline":
                    raise NoDaemonError(
                        f"the daemon of {topics.base} is offline (its status says so): "
                        "start it with 'hiitd run' (systemctl start hiitd)"
                    )
                doc = _doc(payload)
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
