"""Sign-in throttling that never locks the owner out (API.md, Details of the second round).

After ``MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT`` failed sign-ins for one email (default 10 per 15
minutes) further attempts answer 429 with ``Retry-After`` until the window ends, except from
a client that signed in to that account before: each successful sign-in sets the HttpOnly
cookie ``known_device``, signed (itsdangerous) with membership's device key and bound to the
account id, and a client that sends it back for that account is not throttled. Failures are
counted in Redis when ``REDIS_URL`` is set (shared by every worker), else in the process.

Each attempt takes its place in the count before the password is checked and gives it back on
success, so concurrent guesses cannot slip past the limit."""
from __future__ import annotations

import hashlib
import os
import time
from dataclasses import dataclass

from flask import Request, Response
from itsdangerous import BadSignature, URLSafeTimedSerializer
from limits import parse
from limits.storage import storage_from_string

from services.common.config import shared_secret
from services.common.errors import Problem

COOKIE = "known_device"
DEVICE_DAYS = 400  # browsers cap a cookie's lifetime at 400 days (RFC 6265bis)


def failures_limit():
    return parse(os.environ.get("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "10 per 15 minutes"))


class FailedSignins:
    """How many sign-ins failed for each email within the window."""

    def __init__(self, storage_uri: str):
        self.storage = storage_from_string(storage_uri)

    @staticmethod
    def _key(email: str) -> str:
        return "membership/signin-failures/" + hashlib.sha256(email.encode()).hexdigest()

    def take_a_place(self, email: str) -> None:
        """Count this attempt as a failure until it succeeds; 429 once the limit is reached."""
        limit, key = failures_limit(), self._key(email)
        if self.storage.incr(key, limit.get_expiry()) > limit.amount:
            self.storage.incr(key, limit.get_expiry(), amount=-1)  # a refused attempt is not a guess
            wait = max(1, int(self.storage.get_expiry(key) - time.time()))
            raise Problem(429, "rate_limited", "Too many failed sign-ins for this account; try again later.",
                          headers={"Retry-After": str(wait)})

    def succeeded(self, email: str) -> None:
        key = self._key(email)
        if self.storage.get(key) > 0:
            self.storage.incr(key, failures_limit().get_expiry(), amount=-1)

    def failed(self, email: str) -> None:
        """A failure of a client that took no place (a known device)."""
        self.storage.incr(self._key(email), failures_limit().get_expiry())

    def clear(self, email: str) -> None:
        """Forget the failures (a password reset)."""
        self.storage.clear(self._key(email))


@dataclass
class KnownDevices:
    """The ``known_device`` cookie: the account ids this client signed in to, signed."""

    secret: str
    secure: bool

    def __post_init__(self):
        self.serializer = URLSafeTimedSerializer(self.secret, salt="membership.known-device")

    def accounts(self, request: Request) -> list[str]:
        raw = request.cookies.get(COOKIE)
        if not raw or len(raw) > 2000:
            return []
        try:
            ids = self.serializer.loads(raw, max_age=DEVICE_DAYS * 86400)
        except BadSignature:
            return []
        return [i for i in ids if isinstance(i, str)] if isinstance(ids, list) else []

    def remember(self, request: Request, response: Response, account_id: str) -> None:
        """Set the cookie anew: this account first, then up to four others this client knew."""
        ids = [account_id, *[i for i in self.accounts(request) if i != account_id]][:5]
        response.set_cookie(COOKIE, self.serializer.dumps(ids), max_age=DEVICE_DAYS * 86400, path="/",
                            secure=self.secure, httponly=True, samesite="Lax")


def device_secret(config) -> str:
    """MEMBERSHIP_DEVICE_KEY, else a random one kept in the data folder (embedded default)."""
    return os.environ.get("MEMBERSHIP_DEVICE_KEY") or shared_secret(config.data_dir, "membership-device-key")
