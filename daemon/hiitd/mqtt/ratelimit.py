"""A token bucket for incoming commands, pure: time is an argument.

A phone or a dashboard sends a command now and then; a thousand a second is a
bug or an attack. Each command costs a token; tokens refill at ``rate_per_s``
up to ``burst``. A command without a token is dropped, and only the first one
dropped in a flood is answered (saying so): answering each would turn a flood
of commands into a flood of replies, and storing each would fill the SD card.
The flood is over when the bucket has filled up again; the next one is
answered again.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import Enum
from typing import Final

# A runner taps a button a few times a second at most; an automation sends a
# handful at once. 20 at once, then 5 a second, leaves both untouched.
COMMAND_BURST: Final = 20
COMMAND_RATE_PER_S: Final = 5.0


class Verdict(Enum):
    """What to do with one command."""

    ALLOW = "allow"
    DENY_AND_SAY = "deny_and_say"  # the first dropped in this flood: answer it once
    DENY = "deny"  # dropped silently: the flood has been answered already


@dataclass
class TokenBucket:
    """``rate_per_s`` commands a second on average, ``burst`` at once."""

    rate_per_s: float = COMMAND_RATE_PER_S
    burst: int = COMMAND_BURST
    _tokens: float = field(init=False)
    _last: float | None = field(init=False, default=None)
    _said: bool = field(init=False, default=False)
    denied: int = field(init=False, default=0)
    """Commands dropped so far (diagnostics)."""

    def __post_init__(self) -> None:
        if self.rate_per_s <= 0 or self.burst < 1:
            raise ValueError("rate_per_s must be > 0 and burst >= 1")
        self._tokens = float(self.burst)

    def check(self, now: float) -> Verdict:
        """Take a token for one command arriving at ``now`` (monotonic seconds)."""
        if self._last is not None and now > self._last:
            self._tokens = min(self.burst, self._tokens + (now - self._last) * self.rate_per_s)
        if self._last is None or now > self._last:
            self._last = now
        if self._tokens >= self.burst:
            self._said = False  # a full bucket: whatever flood there was has ended
        if self._tokens >= 1.0:
            self._tokens -= 1.0
            return Verdict.ALLOW
        self.denied += 1
        if self._said:
            return Verdict.DENY
        self._said = True
        return Verdict.DENY_AND_SAY

    @property
    def message(self) -> str:
        """The one reply to a flood."""
        return (
            f"rate limited: more than {self.burst} commands at once or "
            f"{self.rate_per_s:g} a second; further commands are dropped without reply "
            "until the flood stops"
        )
