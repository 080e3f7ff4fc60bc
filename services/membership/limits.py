"""Rate limits on sign-in and invitation accept, per client address and per account, shared
across gunicorn workers through Redis when ``REDIS_URL`` is set.

MEMBERSHIP_SIGNIN_LIMIT (per address, default 30/minute), MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT
(per email, default 10/minute), MEMBERSHIP_ACCEPT_LIMIT (per address and per account,
default 20/minute)."""
from __future__ import annotations

import os

from flask import g, request
from flask_limiter import Limiter
from flask_limiter.util import get_remote_address

from services.common.errors import problem_response


def _setting(name: str, default: str) -> str:
    return os.environ.get(name, default)


def signin_email() -> str:
    body = request.get_json(silent=True) or {}
    email = body.get("email") if isinstance(body, dict) else None
    return f"email:{str(email).strip().lower()}" if email else get_remote_address()


def caller_account() -> str:
    principal = g.get("principal")
    return f"account:{principal.account_id}" if principal and principal.account_id else get_remote_address()


def _too_many(limit):
    return problem_response(429, "rate_limited", "Too many attempts; try again later.",
                            {"Retry-After": str(limit.limit.get_expiry())})


SIGNIN_BY_ADDRESS = lambda: _setting("MEMBERSHIP_SIGNIN_LIMIT", "30/minute")  # noqa: E731
SIGNIN_BY_ACCOUNT = lambda: _setting("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "10/minute")  # noqa: E731
ACCEPT = lambda: _setting("MEMBERSHIP_ACCEPT_LIMIT", "20/minute")  # noqa: E731


limiter = Limiter(key_func=get_remote_address, strategy="fixed-window", key_prefix="membership",
                  on_breach=_too_many)


def install_limits(app, redis_url: str | None) -> None:
    app.config["RATELIMIT_STORAGE_URI"] = redis_url or "memory://"
    limiter.init_app(app)
