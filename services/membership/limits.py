"""Rate limits on sign-in, sign-up and invitation accept, per client address and per account,
shared across gunicorn workers through Redis when ``REDIS_URL`` is set.

MEMBERSHIP_SIGNIN_LIMIT (sign-ins per address, default 30/minute), MEMBERSHIP_SIGNUP_LIMIT
(sign-ups per address, default 20/hour), MEMBERSHIP_SIGNUP_EMAIL_LIMIT (sign-ups per target
email, default 10/hour), MEMBERSHIP_ACCEPT_LIMIT (per address and per account, default
20/minute). Failed sign-ins per account are counted in throttle.py
(MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT), which exempts the owner's known devices."""
from __future__ import annotations

import hmac
import os

from flask import g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address
from werkzeug.middleware.proxy_fix import ProxyFix

from services.common.auth import gateway_proof
from services.common.errors import problem_response

from .throttle import FailedSignins, KnownDevices, device_secret


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def target_email() -> str:
    """The email a sign-up is for, as membership stores it (else the caller's address)."""
    body = request.get_json(silent=True)
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{email.strip().lower()}" if isinstance(email, str) and email.strip() else get_remote_address()


def caller_account() -> str:
    principal = g.get("principal")
    return f"account:{principal.account_id}" if principal and principal.account_id else get_remote_address()


def _too_many(limit):
    return problem_response(429, "rate_limited", "Too many attempts; try again later.",
                            {"Retry-After": str(limit.limit.get_expiry())})


SIGNIN_BY_ADDRESS = lambda: _setting("MEMBERSHIP_SIGNIN_LIMIT", "30/minute")  # noqa: E731
SIGNUP_BY_ADDRESS = lambda: _setting("MEMBERSHIP_SIGNUP_LIMIT", "20/hour")  # noqa: E731
SIGNUP_BY_EMAIL = lambda: _setting("MEMBERSHIP_SIGNUP_EMAIL_LIMIT", "10/hour")  # noqa: E731
ACCEPT = lambda: _setting("MEMBERSHIP_ACCEPT_LIMIT", "20/minute")  # noqa: E731


limiter = Limiter(key_func=get_remote_address, strategy="fixed-window", key_prefix="membership",
                  on_breach=_too_many)


class BelievedFromTheGatewayOnly:
    """WSGI middleware: the caller's address is the peer's, except on a call that carries the
    gateway's proof (``X-Gateway-Proof``, services.common.auth.gateway_proof), whose
    ``X-Forwarded-For`` names the visitor (MEMBERSHIP_TRUSTED_PROXIES hops, default 1). Anyone
    else's X-Forwarded-For is dropped, so no caller picks the address its limits key on."""

    def __init__(self, app, operator_token: str, hops: int = 1):
        self.app, self.proxied = app, ProxyFix(app, x_for=hops)
        self.proof = gateway_proof(operator_token)

    def __call__(self, environ, start_response):
        given = environ.pop("HTTP_X_GATEWAY_PROOF", "")
        if given and hmac.compare_digest(given.encode(), self.proof.encode()):
            return self.proxied(environ, start_response)
        environ.pop("HTTP_X_FORWARDED_FOR", None)
        return self.app(environ, start_response)


def install_limits(app, redis_url: str | None) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    limiter.init_app(app)
    config = app.config["PORTAL"]
    app.extensions["failed_signins"] = FailedSignins(redis_url or "memory://")
    app.extensions["known_devices"] = KnownDevices(device_secret(config), config.public_url.startswith("https://"))
