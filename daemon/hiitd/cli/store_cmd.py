"""``hiitd store check``: the session store's full integrity check, read only.

Reads every page and index (``PRAGMA integrity_check``, then the foreign-key
check) through a read-only connection, so it is safe while the daemon runs.
Exit 0 when the store is whole (or there is none yet), 1 when it is not,
saying what is wrong. The daemon runs the quicker ``quick_check`` at each
start and moves a damaged file aside itself (store/integrity.py).
"""

from __future__ import annotations

import sys
from typing import TYPE_CHECKING

from hiitd.cli.cli_support import EX_FAILURE, EX_OK, print_json, settings_from_args
from hiitd.errors import StoreError
from hiitd.store import integrity, schema

if TYPE_CHECKING:
    import argparse


def cmd_store(args: argparse.Namespace) -> int:
    """``store check``."""
    path = settings_from_args(args).storage.state_dir / schema.FILE_NAME
    if not path.exists():
        found, ok = ["no store yet"], True
    else:
        try:
            integrity.examine(path, repair=False, quick=False)
            found = integrity.full_check(path)
        except StoreError as exc:
            found = [str(exc)]
        ok = found in (["ok"], ["no store yet"])
    if args.json:
        print_json({"file": str(path), "ok": ok, "found": found})
    elif ok:
        sys.stdout.write(f"{path}: {found[0]}\n")
    else:
        sys.stderr.write(f"hiitd: {path} is not whole:\n" + "".join(f"  {f}\n" for f in found))
    return EX_OK if ok else EX_FAILURE
