"""What the broker link does with a message it receives: a command, or an extra subscription.

Commands arrive on ``<base>/cmd/<action>`` and go to one handler; a few other
topics (Home Assistant's status) have a handler each. A handler that fails is
logged and answered on ``cmd/result``: it must not drop the link.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Mapping
from typing import TYPE_CHECKING

import structlog

from hiitd.mqtt.payloads import command_result, encode

if TYPE_CHECKING:
    import aiomqtt

    from hiitd.mqtt.topics import Topics

CommandHandler = Callable[[str, bytes], Awaitable[None]]
"""``(action, payload)``: called for each command on ``<base>/cmd/<action>``."""

MessageHandler = Callable[[bytes], Awaitable[None]]
"""``(payload)``: called for each message on one extra subscription (Home Assistant's status)."""

Reply = Callable[[str, bytes, int], None]
"""``(topic, payload, qos)``: queues an answer on the link; never blocks."""

# A command handler only hands the command to the engine; longer is a bug.
_COMMAND_TIMEOUT_S = 10.0

log = structlog.get_logger()


class InboundRouter:
    """Routes each received message to its handler; answers a handler's failure."""

    def __init__(
        self,
        topics: Topics,
        *,
        on_command: CommandHandler | None,
        on_message: Mapping[str, MessageHandler],
        reply: Reply,
        clock: Callable[[], float],
    ) -> None:
        """``clock`` stamps the ``ts`` of an error answer (Unix seconds)."""
        self._topics = topics
        self._on_command = on_command
        self._on_message = dict(on_message)
        self._reply = reply
        self._clock = clock

    def subscriptions(self) -> list[str]:
        """The topic filters to subscribe to, commands first (only those with a handler)."""
        filters = [self._topics.cmd_filter] if self._on_command is not None else []
        return [*filters, *self._on_message]

    async def dispatch(self, message: aiomqtt.Message) -> None:
        """Hand ``message`` to its handler; ignore (and log) what is not ours or retained."""
        topic = message.topic.value
        if (handler := self._on_message.get(topic)) is not None:
            async with asyncio.timeout(_COMMAND_TIMEOUT_S):
                await handler(message.payload)
            return
        action = self._topics.command_action(topic)
        if action is None or self._on_command is None:
            log.debug("mqtt_message_ignored", topic=topic)
            return
        if message.retain:
            # A retained "stop" would be replayed at every reconnect.
            log.warning(
                "mqtt_command_ignored",
                topic=topic,
                reason="retained",
                advice="publish commands without the retain flag; clear this one with "
                "an empty retained message",
            )
            return
        await self._run_command(self._on_command, action, message.payload)

    async def _run_command(self, handler: CommandHandler, action: str, payload: bytes) -> None:
        # Debug only: a flood must not write a line per command. What the daemon
        # did with a command is logged once by the session (command_applied,
        # command_rejected) or, for a flood, once by the rate limiter.
        log.debug("mqtt_command_received", action=action[:40], size=len(payload))
        try:
            async with asyncio.timeout(_COMMAND_TIMEOUT_S):
                await handler(action, payload)
        except Exception as exc:  # a handler bug must not drop the link; it is logged and answered
            log.exception("mqtt_command_failed", action=action)
            error = f"internal error ({type(exc).__name__}); see the daemon log"
            self._reply(
                self._topics.cmd_result,
                encode(command_result(action, ok=False, error=error, ts=self._clock())),
                1,
            )
