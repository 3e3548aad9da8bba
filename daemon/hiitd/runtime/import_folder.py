"""The watched import folder: FIT activities dropped in ``storage.import_dir`` become sessions.

A periodic scan (at start, then every ``storage.import_scan_s``), not inotify:
nothing to install, and a folder synced over the network or mounted late is
still seen. Each scan takes the folder's ``*.fit`` files (any case, not in
subfolders, not hidden: a syncing tool's ``.name.part`` is left alone) whose
last change is at least ``SETTLE_S`` old, so a file still being copied is taken
at a later scan. Each file is imported as by ``hiitd sessions import``
(runtime/fit_import.py) in a short-lived child process (runtime/import_child.py:
off the event loop, and its memory goes back to the system), one at a time;
then moved:

- imported (or imported before: the same bytes are already a session) to
  ``imported/``;
- not imported to ``failed/``, with ``<name>.error.txt`` beside it saying why.

A name already taken there gets ``-1``, ``-2``... before its suffix. Every
outcome goes out on ``<base>/session/import`` (durable, QoS 1; docs/mqtt.md)
and to the log; an imported session also makes the planner work out
``plan/next`` again. A store that cannot be written stops nothing: the file
stays where it is and is tried again at the next scan.
"""

from __future__ import annotations

import asyncio
import contextlib
import json
import time
from typing import TYPE_CHECKING, Final

import structlog

from hiitd.runtime.import_child import ImportJob, ImportStoreError, import_in_child, timeout_for
from hiitd.runtime.telemetry import Outgoing

if TYPE_CHECKING:
    from collections.abc import Callable
    from pathlib import Path

    from hiitd.mqtt.topics import Topics
    from hiitd.runtime.fit_import import ImportOutcome
    from hiitd.runtime.outlet import Outlet
    from hiitd.settings import Settings
    from hiitd.store.db import Store

log = structlog.get_logger(__name__)

IMPORTED: Final = "imported"
FAILED: Final = "failed"
# A file changed this recently may still be being written (a copy, a sync).
SETTLE_S: Final = 3.0


class ImportFolder:
    """Scans the import folder and imports what it finds (one owner: this task)."""

    def __init__(
        self,
        folder: Path,
        settings: Settings,
        store: Store | None,
        outlet: Outlet,
        *,
        topics: Topics,
        on_kept: Callable[[str], None],
        scan_s: float,
        settle_s: float = SETTLE_S,
    ) -> None:
        """``on_kept`` is told each newly imported session id (the planner refreshes)."""
        self._folder = folder
        self._settings = settings
        self._store = store
        self._outlet = outlet
        self._topics = topics
        self._on_kept = on_kept
        self._scan_s = scan_s
        self._settle_s = settle_s

    async def run(self) -> None:
        """Scan at start, then every ``scan_s``."""
        while True:
            await self.scan()
            await asyncio.sleep(self._scan_s)

    async def scan(self) -> list[ImportOutcome]:
        """Import every settled file once; what became of each."""
        if self._store is None:
            return []  # no store: nothing can be kept; the files wait
        try:
            found = await asyncio.to_thread(ready_files, self._folder, self._settle_s)
        except OSError as exc:
            log.warning("import_folder_unreadable", folder=str(self._folder), error=str(exc))
            return []
        outcomes = []
        for path in found:
            try:
                outcome = await self._one(path)
            except Exception as exc:
                log.exception("import_crashed", file=str(path), error=str(exc))
                outcome = None
            if outcome is not None:
                outcomes.append(outcome)
        return outcomes

    async def _one(self, path: Path) -> ImportOutcome | None:
        try:
            size = await asyncio.to_thread(lambda: path.stat().st_size)
            job = ImportJob.of(path, self._settings)
            outcome = await import_in_child(job, timeout_s=timeout_for(size))
        except (ImportStoreError, OSError) as exc:  # not the file's fault: try again later
            log.warning("import_not_done", file=str(path), error=str(exc))
            return None
        try:
            moved = await asyncio.to_thread(file_away, path, outcome)
        except OSError as exc:
            log.warning("import_move_failed", file=str(path), error=str(exc))
            moved = path
        log.info(
            "session_imported" if outcome.status == "imported" else f"import_{outcome.status}",
            file=str(path),
            moved_to=str(moved),
            session_id=outcome.session_id,
            message=outcome.message,
        )
        ts = time.time()
        # A stable id per message, for consumers to drop a redelivery (docs/mqtt.md, Delivery).
        ident = f"import-{int(ts * 1000):x}-{path.name}"
        payload = {"ts": ts, "id": ident, **outcome.to_payload(), "moved_to": str(moved)}
        body = json.dumps(payload, separators=(",", ":"), allow_nan=False).encode()
        self._outlet.send([Outgoing(self._topics.session_import, body, qos=1, durable=True)])
        if outcome.status == "imported" and outcome.session_id is not None:
            self._on_kept(outcome.session_id)
        return outcome


def ready_files(folder: Path, settle_s: float, now: float | None = None) -> list[Path]:
    """The folder's settled, visible ``.fit`` files, oldest first (the folder is created)."""
    folder.mkdir(parents=True, exist_ok=True)
    at = time.time() if now is None else now
    found = []
    for entry in folder.iterdir():
        if entry.name.startswith(".") or entry.suffix.lower() != ".fit":
            continue
        with contextlib.suppress(OSError):  # gone meanwhile
            st = entry.stat()
            if entry.is_file() and at - st.st_mtime >= settle_s:
                found.append((st.st_mtime, entry.name, entry))
    return [p for _, _, p in sorted(found)]


def file_away(path: Path, outcome: ImportOutcome) -> Path:
    """Move ``path`` to ``imported/`` or ``failed/`` (with ``.error.txt``); where it went."""
    target_dir = path.parent / (IMPORTED if outcome.ok else FAILED)
    target_dir.mkdir(exist_ok=True)
    target = _free_name(target_dir / path.name)
    path.replace(target)
    if not outcome.ok:
        target.with_name(target.name + ".error.txt").write_text(outcome.message + "\n")
    return target


def _free_name(wanted: Path) -> Path:
    if not wanted.exists():
        return wanted
    n = 1
    while (candidate := wanted.with_name(f"{wanted.stem}-{n}{wanted.suffix}")).exists():
        n += 1
    return candidate
