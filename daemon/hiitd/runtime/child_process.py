"""A short-lived child process of the daemon: bytes in on stdin, bytes out, killed when late.

Shared by the post-session analysis (runtime/analysis_child.py) and the import of
a watched folder's file (runtime/import_child.py): ``python -m MODULE`` with the
daemon's interpreter, the job on stdin, the answer on stdout.
"""

from __future__ import annotations

import asyncio
import contextlib
import sys
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class ChildExit:
    """How the child ended: its status and what it wrote."""

    returncode: int
    stdout: bytes
    stderr: bytes

    def last_error_line(self) -> str:
        """The last line it wrote to stderr (a traceback's message), or "no output"."""
        lines = self.stderr.decode("utf-8", "replace").strip().splitlines()
        return lines[-1] if lines else "no output"


async def run_child(
    module: str, data: bytes, *, timeout_s: float, env: dict[str, str] | None = None
) -> ChildExit | None:
    """Run ``python -m module`` with ``data`` on stdin; None when it took over ``timeout_s``.

    A child that is late, or whose parent is cancelled (the daemon stops), is killed
    and reaped.
    """
    proc = await asyncio.create_subprocess_exec(
        sys.executable,
        "-m",
        module,
        stdin=asyncio.subprocess.PIPE,
        stdout=asyncio.subprocess.PIPE,
        stderr=asyncio.subprocess.PIPE,
        env=env,
    )
    try:
        async with asyncio.timeout(timeout_s):
            stdout, stderr = await proc.communicate(data)
    except TimeoutError:
        return None
    finally:
        if proc.returncode is None:  # timed out or cancelled
            with contextlib.suppress(ProcessLookupError):
                proc.kill()
            with contextlib.suppress(Exception):
                await asyncio.shield(proc.wait())
    return ChildExit(proc.returncode or 0, stdout, stderr)
