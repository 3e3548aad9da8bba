"""What the broker link hands in: commands and Home Assistant's status, each queued for its task.

The link calls ``command`` and ``ha_status`` for what arrives on the daemon's
own topics; the tasks that act on them (runtime/command_intake.py,
runtime/ha_presence.py) take them from here. The queues are bounded, so a
flood waits in the broker's socket rather than in memory, as it did when the
link called the handlers directly.
"""

from __future__ import annotations

import asyncio
from typing import Final

INBOX_SIZE: Final = 64  # a burst of button presses; beyond that the link waits


class Inbox:
    """Two bounded queues between the link and the tasks that answer."""

    def __init__(self, size: int = INBOX_SIZE) -> None:
        self.commands: asyncio.Queue[tuple[str, bytes]] = asyncio.Queue(size)
        self.ha_status: asyncio.Queue[bytes] = asyncio.Queue(size)

    async def command(self, action: str, payload: bytes) -> None:
        """``<base>/cmd/<action>`` arrived (the link's command handler)."""
        await self.commands.put((action, payload))

    async def ha_message(self, payload: bytes) -> None:
        """Home Assistant's status topic arrived."""
        await self.ha_status.put(payload)
