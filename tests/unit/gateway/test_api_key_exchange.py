"""The gateway's key exchange cache and per-key limit, with a hand-written membership and clock."""
from __future__ import annotations

import pytest

from gateway.frontdoor.api_keys import Exchanged, KeyExchange, KeyLimit
from services.common.errors import Problem

KEY = "pek_" + "k" * 43


class Membership:
    """Answers the exchange as membership would, counting the calls; revocable."""

    def __init__(self):
        self.calls, self.live = 0, {KEY}

    def __call__(self, key: str) -> Exchanged | None:
        self.calls += 1
        return Exchanged(f"token-{self.calls}", "k1", "p1") if key in self.live else None


class Clock:
    def __init__(self):
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_an_exchange_is_remembered_for_the_ttl_then_asked_again_so_a_revoked_key_stops():
    membership, clock = Membership(), Clock()
    exchange = KeyExchange(membership, ttl=3.0, clock=clock)
    assert exchange.token_for(KEY).access_token == "token-1"
    clock.now += 2.9
    assert exchange.token_for(KEY).access_token == "token-1" and membership.calls == 1
    membership.live.clear()
    clock.now += 0.1
    with pytest.raises(Problem) as refused:
        exchange.token_for(KEY)
    assert refused.value.status == 401 and refused.value.code == "unauthorized"


def test_a_refused_key_is_remembered_too_and_an_overlong_one_never_reaches_membership():
    membership, clock = Membership(), Clock()
    exchange = KeyExchange(membership, ttl=3.0, clock=clock)
    for _ in range(5):
        with pytest.raises(Problem):
            exchange.token_for("pek_unknown")
    assert membership.calls == 1
    with pytest.raises(Problem):
        exchange.token_for("pek_" + "x" * 10_000)
    assert membership.calls == 1


def test_membership_failing_is_never_remembered():
    clock, calls = Clock(), []

    def down(key):
        calls.append(key)
        raise Problem(503, "service_unavailable")

    exchange = KeyExchange(down, ttl=3.0, clock=clock)
    for _ in range(2):
        with pytest.raises(Problem) as failed:
            exchange.token_for(KEY)
        assert failed.value.status == 503
    assert len(calls) == 2


def test_the_cache_keeps_at_most_its_size():
    membership, clock = Membership(), Clock()
    exchange = KeyExchange(membership, ttl=3.0, clock=clock, max_remembered=10)
    for i in range(25):
        clock.now += 0.01
        with pytest.raises(Problem):
            exchange.token_for(f"pek_{i}")
    assert len(exchange._answers) <= 10


def test_each_key_has_its_own_limit_with_retry_after():
    limit = KeyLimit("memory://", "3/minute")
    for _ in range(3):
        limit.hit("a")
    with pytest.raises(Problem) as limited:
        limit.hit("a")
    assert limited.value.status == 429 and limited.value.code == "rate_limited"
    assert 1 <= int(limited.value.headers["Retry-After"]) <= 60
    limit.hit("b")
