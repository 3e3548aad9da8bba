"""Small JSON files in the state folder, written atomically. I/O.

A power cut while writing leaves either the old file or the new one, never half
of one: the document goes to a temporary file beside it, is flushed to disk,
then renamed over the old one. The temporary file is removed when writing fails.
"""

from __future__ import annotations

import contextlib
import json
import os
import tempfile
from pathlib import Path
from typing import Any


def write_atomic(path: Path, doc: Any, *, indent: int | None = None) -> None:
    """Write ``doc`` as JSON to ``path`` atomically (OSError when it cannot)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(dir=path.parent, prefix=f".{path.stem}.", suffix=".tmp")
    try:
        with os.fdopen(fd, "w", encoding="utf-8") as fh:
            json.dump(doc, fh, indent=indent)
            fh.write("\n")
            fh.flush()
            os.fsync(fh.fileno())
        Path(tmp).replace(path)
    except BaseException:
        with contextlib.suppress(OSError):
            Path(tmp).unlink()
        raise
