"""Partners' API keys at the front door (DESIGN.md "Second round", API.md "Partner members:
new calls").

A request whose ``Authorization`` is ``Bearer pek_...`` is exchanged, before it is forwarded,
for the short-lived access token membership issues for that key
(``POST /internal/v1/api-keys:exchange``); the services behind see only access tokens. Each
worker remembers an exchange for ``GATEWAY_API_KEY_CACHE_SECONDS`` (3 s; refusals too, so
a stream of bad keys costs membership one call per key per worker every few seconds), so a
revoked key answers 401 within that bound on every worker, under the contract's 5 seconds.

Each key is rate limited (``GATEWAY_API_KEY_LIMIT``, default 600 per minute, fixed window)
in Redis when ``REDIS_URL`` is set, so every worker counts against one limit; past it the
answer is 429 ``rate_limited`` with ``Retry-After``. This is the ``limits`` engine under
Flask-Limiter, called directly because the limit's key (the key's id) is known only once
the exchange has answered."""
from __future__ import annotations

import hashlib
import math
import os
import threading
import time
from dataclasses import dataclass
from typing import Callable

from flask import Request, current_app
from limits import parse
from limits.storage import storage_from_string
from limits.strategies import FixedWindowRateLimiter

from services.common.errors import Problem

PREFIX = "pek_"
MAX_KEY_CHARS = 200
MAX_REMEMBERED = 10_000  # exchanges kept per worker; the oldest half goes when full


@dataclass(frozen=True)
class Exchanged:
    """What membership answered for a key: its access token and whose key it is."""

    access_token: str
    key_id: str
    partner_id: str


def unauthorized() -> Problem:
    return Problem(401, "unauthorized", "The API key is unknown or revoked.",
                   headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})


class KeyExchange:
    """Keys for access tokens, each answer (a refusal included) kept ``ttl`` seconds in this
    process. ``ask(key)`` is membership's exchange: an ``Exchanged``, None for a key it
    refuses, or ``Problem`` when it cannot answer (never remembered). Thread-safe."""

    def __init__(self, ask: Callable[[str], Exchanged | None], ttl: float = 3.0,
                 clock: Callable[[], float] = time.monotonic, max_remembered: int = MAX_REMEMBERED):
        self.ask, self.ttl, self.clock, self.max_remembered = ask, ttl, clock, max_remembered
        self._answers: dict[str, tuple[float, Exchanged | None]] = {}
        self._lock = threading.Lock()

    def token_for(self, key: str) -> Exchanged:
        """The key's access token; ``Problem`` 401 for a key membership refuses."""
        digest = hashlib.sha256(key.encode()).hexdigest()  # no key is kept in memory as it is
        remembered = self._answers.get(digest)
        now = self.clock()
        if remembered is not None and now - remembered[0] < self.ttl:
            answer = remembered[1]
        else:
            answer = self.ask(key) if len(key) <= MAX_KEY_CHARS else None
            self._remember(digest, now, answer)
        if answer is None:
            raise unauthorized()
        return answer

    def _remember(self, digest: str, at: float, answer: Exchanged | None) -> None:
        with self._lock:
            if len(self._answers) >= self.max_remembered:
                for old in sorted(self._answers, key=lambda k: self._answers[k][0])[: self.max_remembered // 2]:
                    del self._answers[old]
            self._answers[digest] = (at, answer)


class KeyLimit:
    """Requests per key: ``hit`` raises 429 ``rate_limited`` with ``Retry-After`` past the limit."""

    def __init__(self, storage_uri: str, limit: str):
        self.limiter = FixedWindowRateLimiter(storage_from_string(storage_uri))
        self.limit = parse(limit)

    def hit(self, key_id: str) -> None:
        if self.limiter.hit(self.limit, "gateway-api-key", key_id):
            return
        reset = self.limiter.get_window_stats(self.limit, "gateway-api-key", key_id).reset_time
        raise Problem(429, "rate_limited", "This API key made too many requests; slow down.",
                      headers={"Retry-After": str(max(1, math.ceil(reset - time.time())))})


def ask_membership(key: str) -> Exchanged | None:
    """Membership's exchange through the gateway's client (its breaker, timeouts and pool)."""
    config = current_app.config["PORTAL"]
    answer = current_app.extensions["clients"]["membership"].call(
        "POST", "/internal/v1/api-keys:exchange", config.operator_token, json_body={"key": key})
    if answer.status_code in (401, 422):
        return None
    if answer.status_code != 200:
        raise Problem(503, "service_unavailable", "API keys cannot be checked right now.",
                      headers={"Retry-After": "5"})
    body = answer.json()
    return Exchanged(body["access_token"], body["key_id"], body["partner_id"])


def _front_door():
    """This app's exchange and limit, made on first use from the environment."""
    made = current_app.extensions.get("api_keys")
    if made is None:
        exchange = KeyExchange(ask_membership, float(os.environ.get("GATEWAY_API_KEY_CACHE_SECONDS", "3")))
        limit = KeyLimit(current_app.config["PORTAL"].redis_url or "memory://",
                         os.environ.get("GATEWAY_API_KEY_LIMIT", "600/minute"))
        made = current_app.extensions.setdefault("api_keys", (exchange, limit))
    return made


def exchange_api_key(incoming: Request) -> None:
    """When the request carries an API key, put its access token in its place (401 for a key
    membership refuses, 429 past the key's limit). Any other request is left as it is."""
    scheme, _, credential = incoming.headers.get("Authorization", "").partition(" ")
    credential = credential.strip()
    if scheme.lower() != "bearer" or not credential.startswith(PREFIX):
        return
    exchange, limit = _front_door()
    exchanged = exchange.token_for(credential)
    limit.hit(exchanged.key_id)
    incoming.environ["HTTP_AUTHORIZATION"] = f"Bearer {exchanged.access_token}"
