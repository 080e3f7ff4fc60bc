"""Membership's rules, free of Flask and SQLAlchemy."""
from __future__ import annotations

import re

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
