"""The adapter to Garmin's FIT SDK encoder (``garmin_fit_sdk.Encoder``): the only place it is used.

Why this wrapper: the SDK's ``Encoder.write_mesg`` silently drops a field
whose name is not in the profile (``_MesgDefinition`` skips it), and sub-field
names (``duration_time``, ``custom_target_heart_rate_low``, ``ble_device_type``)
are not recognised either. A typo would lose data without a word, so every
field name is checked against the profile here and values of sub-fields are
written raw through their main field by the callers. ``None`` means "leave the
field out" (FIT has no null: an absent field is "no data").
"""

from __future__ import annotations

from collections import Counter
from functools import cache
from typing import Any

from garmin_fit_sdk import FIT_EPOCH_S, Encoder, Profile

from hiitd.errors import HiitdError

__all__ = ["ExportError", "FitWriter", "fit_time", "text"]

# FIT strings are null-terminated in a field of at most 255 bytes (FIT
# Protocol, "Field Definition": size is a uint8); keep names short for watches.
_MAX_STRING_BYTES = 64


class ExportError(HiitdError):
    """A session could not be exported (a value the format cannot hold, or an encoder failure)."""


def fit_time(unix_s: float) -> int:
    """Unix seconds -> FIT Profile ``date_time``: whole seconds since 1989-12-31T00:00:00Z."""
    return round(unix_s) - FIT_EPOCH_S


def text(value: str | None, limit: int = _MAX_STRING_BYTES) -> str | None:
    """A string cut to ``limit`` UTF-8 bytes on a character boundary; None or empty -> None."""
    if not value:
        return None
    raw = value.encode("utf-8")[:limit]
    return raw.decode("utf-8", errors="ignore") or None


@cache
def _messages() -> dict[str, tuple[int, frozenset[str]]]:
    """Message name -> (global number, its main field names), from the SDK's profile."""
    out: dict[str, tuple[int, frozenset[str]]] = {}
    for num, mesg in Profile["messages"].items():
        names = frozenset(str(f["name"]) for f in mesg["fields"].values())
        out[str(mesg["name"])] = (int(num), names)
    return out


class FitWriter:
    """Writes checked messages; ``counts`` says how many of each were written."""

    def __init__(self) -> None:
        self._encoder = Encoder()
        self.counts: Counter[str] = Counter()

    def write(self, mesg: str, /, **fields: Any) -> None:
        """Write message ``mesg`` with the given (non-None) fields, by profile field name."""
        try:
            num, names = _messages()[mesg]
        except KeyError:
            raise ExportError(f"FIT profile has no message {mesg!r}") from None
        unknown = sorted(fields.keys() - names)
        if unknown:
            raise ExportError(f"FIT message {mesg} has no field(s) {unknown} (profile names only)")
        data: dict[str, Any] = {k: v for k, v in fields.items() if v is not None}
        data["mesg_num"] = num
        try:
            self._encoder.write_mesg(data)
        except ValueError as exc:
            raise ExportError(f"FIT {mesg} message could not be encoded: {exc}") from exc
        self.counts[mesg] += 1

    def close(self) -> bytes:
        """Finish the file (header sizes, CRC) and return it."""
        return bytes(self._encoder.close())
