"""aiomqtt's write-registration race on a closed socket is not logged as an error."""

from __future__ import annotations

import asyncio
import socket
from typing import Any

from hiitd.mqtt._aio import quiet_stale_socket_writes


def test_a_closed_socket_write_registration_is_quiet_and_other_errors_are_not() -> None:
    seen: list[dict[str, Any]] = []

    async def main() -> None:
        loop = asyncio.get_running_loop()
        loop.set_exception_handler(lambda _loop, context: seen.append(context))
        quiet_stale_socket_writes(loop)
        quiet_stale_socket_writes(loop)  # twice (several links on one loop): one handler
        sock = socket.socket()
        fd = sock.fileno()
        sock.close()
        # What aiomqtt does when paho asks to write on a socket that has just closed:
        loop.call_soon_threadsafe(loop.add_writer, fd, lambda: None)
        loop.call_soon(_fails)
        await asyncio.sleep(0.05)

    asyncio.run(main())
    assert [type(c.get("exception")) for c in seen] == [ZeroDivisionError]


def _fails() -> None:
    raise ZeroDivisionError
