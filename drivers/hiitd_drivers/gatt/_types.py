"""Types shared by the parsers."""

from __future__ import annotations

from typing import TypeAlias

# bleak hands notification values over as bytearray, tests and the CLI use bytes;
# mypy (strict bytes) no longer treats those as interchangeable, so say both.
# (collections.abc.Buffer would do, but it is Python 3.12+ and hiitd runs on 3.11.)
Payload: TypeAlias = bytes | bytearray | memoryview
