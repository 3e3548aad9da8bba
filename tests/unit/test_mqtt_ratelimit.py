"""The command rate limit: a token bucket that answers a flood once."""

from __future__ import annotations

import pytest

from hiitd.mqtt.ratelimit import TokenBucket, Verdict


def test_a_burst_within_the_limit_is_allowed() -> None:
    """Up to ``burst`` commands at the same instant all pass."""
    bucket = TokenBucket(rate_per_s=5, burst=20)
    assert all(bucket.check(0.0) is Verdict.ALLOW for _ in range(20))


def test_a_flood_is_answered_once_then_dropped_silently() -> None:
    """1,000 commands in a second: the first beyond the burst is answered, later drops are not."""
    bucket = TokenBucket(rate_per_s=5, burst=20)
    verdicts = [bucket.check(i / 1000) for i in range(1000)]
    assert verdicts.count(Verdict.DENY_AND_SAY) == 1
    allowed = verdicts.count(Verdict.ALLOW)
    assert 20 <= allowed <= 26, "the burst plus about a second of refill"
    assert bucket.denied == 1000 - allowed


def test_after_the_flood_the_bucket_refills_and_a_new_flood_is_answered_again() -> None:
    """Once the bucket is full again, commands pass, and the next flood gets one reply again."""
    bucket = TokenBucket(rate_per_s=5, burst=2)
    assert [bucket.check(0.0) for _ in range(4)] == [
        Verdict.ALLOW,
        Verdict.ALLOW,
        Verdict.DENY_AND_SAY,
        Verdict.DENY,
    ]
    assert bucket.check(1.0) is Verdict.ALLOW  # refilled to 2 (full), took one
    assert bucket.check(1.0) is Verdict.ALLOW
    assert bucket.check(1.0) is Verdict.DENY_AND_SAY


def test_a_steady_rate_below_the_limit_is_never_dropped() -> None:
    """Four commands a second for a minute against a limit of five: none dropped."""
    bucket = TokenBucket(rate_per_s=5, burst=1)
    assert all(bucket.check(i * 0.25) is Verdict.ALLOW for i in range(240))


def test_a_clock_going_backwards_does_not_mint_tokens() -> None:
    """An earlier ``now`` refills nothing."""
    bucket = TokenBucket(rate_per_s=5, burst=1)
    assert bucket.check(10.0) is Verdict.ALLOW
    assert bucket.check(5.0) is Verdict.DENY_AND_SAY


@pytest.mark.parametrize(("rate", "burst"), [(0, 1), (1, 0), (-1, 5)])
def test_nonsense_limits_are_refused(rate: float, burst: int) -> None:
    """A rate of zero or less, or a burst below one, is a ValueError."""
    with pytest.raises(ValueError, match="rate_per_s"):
        TokenBucket(rate_per_s=rate, burst=burst)
