"""A stand-in analysis child that never answers (a hung chart library, a full disk)."""

from __future__ import annotations

import sys
import time

sys.stdin.buffer.read()
while True:
    time.sleep(60)
