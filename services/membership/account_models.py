"""Membership's tables for an account's own safety (API.md, Accounts: new calls): password
reset links, two-factor sign-in and when the account's sessions last ended. Kept apart from
``accounts`` so that an account without any of these has no row here."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, ForeignKey, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.db import new_id, utcnow

from .models import Base


class AccountSecurity(Base):
    """One account's sign-in state beyond its password.

    ``sessions_valid_after``: tokens issued and portal sessions started before it are over (a
    password reset or change). ``totp_secret`` (RFC 6238, base32) is being set up while
    ``totp_enabled_at`` is null and asked at each sign-in once it is set; ``totp_last_step`` is
    the time step of the last code accepted, so that no code is accepted twice."""

    __tablename__ = "account_security"
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), primary_key=True)
    sessions_valid_after: Mapped[datetime | None] = mapped_column(nullable=True)
    totp_secret: Mapped[str | None] = mapped_column(String(64), nullable=True)
    totp_enabled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    totp_last_step: Mapped[int | None] = mapped_column(BigInteger, nullable=True)


class PasswordReset(Base):
    """A mailed password reset link: single use, one hour. Only the token's sha256 is kept."""

    __tablename__ = "password_resets"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)


class RecoveryCode(Base):
    """One of the ten codes that sign in once without the authenticator (sha256 kept only)."""

    __tablename__ = "recovery_codes"
    __table_args__ = (UniqueConstraint("account_id", "code_hash"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    account_id: Mapped[str] = mapped_column(ForeignKey("accounts.id", ondelete="CASCADE"), index=True)
    code_hash: Mapped[str] = mapped_column(String(64))
    used_at: Mapped[datetime | None] = mapped_column(nullable=True)
