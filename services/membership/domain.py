"""Membership's rules, free of Flask and SQLAlchemy."""
from __future__ import annotations

import functools
import hashlib
import re
import secrets
from datetime import timedelta

from argon2 import PasswordHasher, exceptions as argon2_errors

from .mail_values import one_line

# OWASP: argon2id, m=19 MiB, t=2, p=1 at minimum; we use 64 MiB, t=3, p=1.
PASSWORDS = PasswordHasher(time_cost=3, memory_cost=65536, parallelism=1)
_DUMMY_HASH = PASSWORDS.hash("not-a-real-password")
SLUG = re.compile(r"^[a-z0-9](?:[a-z0-9-]{0,58}[a-z0-9])?$")
ADMIN, MEMBER = "admin", "member"


def normalise_email(email: str) -> str:
    return email.strip().lower()


MIN_PASSWORD = 10


def password_weakness(password: str, email: str) -> str | None:
    """Why a new password is refused, or None (API.md, Changed rules and Details of the second
    round): at least 10 characters, not one repeated character, not the email or its local part
    (ignoring case), not among the 10,000 most common passwords (zxcvbn's list)."""
    folded = password.casefold()
    email = normalise_email(email)
    if len(password) < MIN_PASSWORD:
        return f"Use at least {MIN_PASSWORD} characters."
    if len(set(password)) == 1:
        return "Use more than one repeated character."
    if folded in (email, email.partition("@")[0]):
        return "Use something other than your email address."
    if folded in _common_passwords():
        return "This is one of the most common passwords; choose another."
    return None


@functools.cache
def _common_passwords() -> frozenset[str]:
    """The 10,000 most common passwords of zxcvbn's frequency list (most frequent first)."""
    from zxcvbn.frequency_lists import FREQUENCY_LISTS
    return frozenset(FREQUENCY_LISTS["passwords"][:10_000])


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


def new_token() -> tuple[str, str]:
    """A random token (192 bits from ``secrets``) and the sha256 that is all we keep of it:
    invitation and email verification links."""
    token = secrets.token_urlsafe(24)
    return token, token_hash(token)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


VERIFICATION_GRACE = timedelta(hours=24)  # an unverified account younger than this keeps its email


def verification_email(link: str) -> tuple[str, str]:
    """Subject and plain-text body of the mail that proves an account's address."""
    lines = ["Hello,", "",
             "Confirm this email address for your Partner Experts Portal account:", link, "",
             "The link works once. If you did not create an account, ignore this email: "
             "without the link nobody can use this address on the portal."]
    return "Confirm your email address for the Partner Experts Portal", "\n".join(lines)


def invitation_email(partner_name: str, inviter_name: str, link: str, message: str) -> tuple[str, str]:
    """Subject and plain-text body of an invitation; the partner's message is quoted as text,
    each name is one line whatever was stored (names are checked at the API since issue 16)."""
    partner_name, inviter_name = one_line(partner_name), one_line(inviter_name)
    lines = [f"{inviter_name} invited you to join {partner_name} on the Partner Experts Portal.", ""]
    if message:
        lines += ["Their message:", "", *[f"> {line}" for line in message.splitlines()], ""]
    lines += ["Accept the invitation (the link works once and expires in 7 days):", link, "",
              "If you did not expect this email, you can ignore it."]
    return f"Join {partner_name} on the Partner Experts Portal", "\n".join(lines)
