"""Membership's rules, free of Flask and SQLAlchemy."""
from __future__ import annotations

import hashlib
import re
import secrets

from argon2 import PasswordHasher, exceptions as argon2_errors

# OWASP: argon2id, m=19 MiB, t=2, p=1 at minimum; we use 64 MiB, t=3, p=1.
PASSWORDS = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)
_DUMMY_HASH = PASSWORDS.hash("not-a-real-password")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
ADMIN, MEMBER = "admin", "member"


def normalise_email(email: str) -> str:
    return email.strip().lower()


def hash_password(password: str) -> str:
    return PASSWORDS.hash(password)


def password_matches(stored_hash: str | None, password: str) -> bool:
    """Constant work whether or not the account exists (no timing oracle for emails)."""
    try:
        return PASSWORDS.verify(stored_hash or _DUMMY_HASH, password) and stored_hash is not None
    except (argon2_errors.VerifyMismatchError, argon2_errors.InvalidHashError,
            argon2_errors.VerificationError):
        return False

INVITATION_DAYS = 7
MAX_INVITEES = 50


def new_invitation_token() -> tuple[str, str]:
    """A random token (192 bits from ``secrets``) and the sha256 that is all we keep of it."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


def invitation_email(partner_name: str, inviter_name: str, link: str, message: str) -> tuple[str, str]:
    """Subject and plain-text body of an invitation; the partner's message is quoted as text."""
    lines = [f"{inviter_name} invited you to join {partner_name} on the Partner Experts Portal.", ""]
    if message:
        lines += ["Their message:", "", *[f"> {line}" for line in message.splitlines()], ""]
    lines += ["Accept the invitation (the link works once and expires in 7 days):", link, "",
              "If you did not expect this email, you can ignore it."]
    return f"Join {partner_name} on the Partner Experts Portal", "\n".join(lines)
