"""One file of the watched import folder, imported in a short-lived child process.

For the reasons the post-session analysis runs in a child (runtime/analysis_child.py):
reading a long FIT activity and computing its metrics builds tens of thousands
of small objects that CPython would not give back to a Pi's memory, and a bug
in a decoder cannot take the coaching down. The child opens the store itself
(SQLite serialises the writers; the daemon's checkpoints wait at most its busy
timeout) and runs ``import_fit`` (runtime/fit_import.py), exactly what
``hiitd sessions import`` does.

The parent pickles ``(path, settings)`` to the child's stdin; the child prints
one JSON document: ``{"outcome": ...}`` (an ``ImportOutcome``), or
``{"store_error": ...}`` when the store could not be written (no fault of the
file: it stays in the folder for the next scan).

    python -m hiitd.runtime.import_child < job.pickle     (the daemon does this; not for people)
"""

from __future__ import annotations

import json
import pickle
import sys
from dataclasses import asdict, dataclass
from typing import TYPE_CHECKING, Final

from hiitd.runtime.child_process import run_child
from hiitd.runtime.fit_import import ImportOutcome

if TYPE_CHECKING:
    from pathlib import Path

    from hiitd.settings import Settings

# A 478 kB file (83 min, 13,000 RR intervals) takes 3 s here, perhaps 30 s on a
# Pi Zero 2: a minute plus a minute per megabyte of file is ample.
BASE_TIMEOUT_S: Final = 60.0
PER_MB_S: Final = 60.0


class ImportStoreError(Exception):
    """The child could not write the store: the file is not at fault (try it later)."""


@dataclass(frozen=True)
class ImportJob:
    """What the child is asked to do."""

    path: Path
    settings: Settings

    @classmethod
    def of(cls, path: Path, settings: Settings) -> ImportJob:
        """A job the child can unpickle: the settings' values as a plain ``Settings``.

        ``load_settings`` returns an instance of a class local to it (its sources),
        which pickle cannot name; the values are the same.
        """
        from hiitd.settings import Settings  # noqa: PLC0415 - a type-only import above

        values = {k: getattr(settings, k) for k in type(settings).model_fields}
        return cls(path, Settings.model_construct(**values))


def timeout_for(size_bytes: int) -> float:
    """How long the import of a file of ``size_bytes`` may take."""
    return BASE_TIMEOUT_S + PER_MB_S * size_bytes / 1e6


async def import_in_child(job: ImportJob, *, timeout_s: float) -> ImportOutcome:
    """Import ``job.path`` in a child; a crash or a timeout is a ``failed`` outcome.

    Raises ``ImportStoreError`` when the child says the store could not be written.
    """
    name = str(job.path)

    def failed(reason: str) -> ImportOutcome:
        return ImportOutcome(name, "failed", f"{name}: not imported: {reason}")

    data = pickle.dumps(job, protocol=pickle.HIGHEST_PROTOCOL)
    done = await run_child("hiitd.runtime.import_child", data, timeout_s=timeout_s)
    if done is None:
        return failed(f"the import took longer than {timeout_s:g} s")
    if done.returncode != 0:
        return failed(f"the import exited with {done.returncode}: {done.last_error_line()}")
    try:
        doc = json.loads(done.stdout)
        if "store_error" in doc:
            raise ImportStoreError(str(doc["store_error"]))
        return ImportOutcome(**doc["outcome"])
    except (ValueError, TypeError, KeyError) as exc:
        return failed(f"the import printed no result ({exc})")


def main() -> int:
    """The child: a pickled ``ImportJob`` on stdin, one JSON document on stdout."""
    # Run as __main__: the pickled job is hiitd.runtime.import_child.ImportJob, this module's twin.
    from hiitd.errors import StoreError  # noqa: PLC0415
    from hiitd.runtime import import_child as child  # noqa: PLC0415, PLW0406
    from hiitd.runtime.fit_import import import_fit  # noqa: PLC0415
    from hiitd.store.db import Store  # noqa: PLC0415

    job = pickle.loads(sys.stdin.buffer.read())  # noqa: S301 - from our own parent, over a pipe
    if not isinstance(job, child.ImportJob):
        print("hiitd.runtime.import_child: stdin is not an import job", file=sys.stderr)  # noqa: T201
        return 2
    try:
        with Store.open(job.settings.storage.state_dir) as store:
            outcome = import_fit(job.path, job.settings, store)
    except StoreError as exc:
        json.dump({"store_error": str(exc)}, sys.stdout)
        return 0
    json.dump({"outcome": asdict(outcome)}, sys.stdout, allow_nan=False)
    return 0


if __name__ == "__main__":
    sys.exit(main())
