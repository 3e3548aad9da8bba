"""Token buckets for incoming commands, one per action, pure: time is an argument.

A phone or a dashboard sends a command now and then; a thousand a second is a
bug or an attack. Each command costs a token; tokens refill at ``rate_per_s``
up to ``burst``. A command without a token is dropped, and only the first one
dropped in a flood is answered (saying so): answering each would turn a flood
of commands into a flood of replies, and storing each would fill the SD card.
The flood is over when the bucket has filled up again; the next one is
answered again. Each action has its own bucket (a flood of one action cannot
starve another), and stop, pause and lap are carried out even in a flood of
their own: only their answers are skipped.
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
    ALLOW_QUIETLY = "allow_quietly"  # always served (stop, pause, lap), but not answered
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


# What a runner must always be able to do, whatever floods the broker: stop,
# pause, mark a lap. (An action that hands control back to the runner, when one
# exists, belongs here too.)
ALWAYS_SERVED: Final = frozenset({"stop", "pause", "lap"})


@dataclass
class CommandLimiter:
    """One token bucket per action: a flood of one action never starves another.

    An action in ``ALWAYS_SERVED`` is carried out even beyond its bucket;
    only its answer (and its line in the command log) is skipped then.
    """

    rate_per_s: float = COMMAND_RATE_PER_S
    burst: int = COMMAND_BURST
    _buckets: dict[str, TokenBucket] = field(init=False, default_factory=dict)

    def check(self, action: str, known: frozenset[str], now: float) -> Verdict:
        """The verdict for ``action`` at ``now``; unknown actions share one bucket."""
        key = action if action in known else "?"
        bucket = self._buckets.get(key)
        if bucket is None:
            bucket = self._buckets[key] = TokenBucket(self.rate_per_s, self.burst)
        verdict = bucket.check(now)
        if verdict is not Verdict.ALLOW and key in ALWAYS_SERVED:
            return Verdict.ALLOW_QUIETLY
        return verdict

    @property
    def denied(self) -> int:
        """Commands dropped so far, all actions (diagnostics)."""
        return sum(b.denied for b in self._buckets.values())

    def message(self, action: str) -> str:
        """The one reply to a flood of ``action``."""
        return f"{action[:40]}: " + TokenBucket(self.rate_per_s, self.burst).message
