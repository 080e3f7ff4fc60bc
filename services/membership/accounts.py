"""An account's own safety (API.md, Accounts: new calls, and Details of the second round):
password reset by a mailed link, password change, two-factor sign-in with TOTP (RFC 6238)
and recovery codes, and ending every session of an account after its password changed."""
from __future__ import annotations

import hashlib
import math
import re
import secrets
from datetime import datetime, timedelta, timezone

import pyotp
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from services.common.db import utcnow
from services.common.errors import Problem
from services.common.runtime import Runtime

from . import domain
from .account_models import AccountSecurity, PasswordReset, RecoveryCode
from .models import Account, OutgoingMail

RESET_LIFETIME = timedelta(hours=1)
ISSUER = "Partner Experts Portal"
RECOVERY_CODES = 10
TOTP = re.compile(r"^[0-9]{6}$")


def security_of(session: Session, account_id: str, lock: bool = False) -> AccountSecurity:
    """The account's row of ``account_security``, made on first use."""
    query = select(AccountSecurity).where(AccountSecurity.account_id == account_id)
    row = session.scalar(query.with_for_update() if lock else query)
    if row is None:
        row = AccountSecurity(account_id=account_id)
        session.add(row)
        session.flush()
    return row


def end_sessions(session: Session, account_id: str) -> None:
    """Every token issued and every portal session started until now is over."""
    security_of(session, account_id).sessions_valid_after = utcnow()


def token_is_current(session: Session, account_id: str, issued_at) -> bool:
    """Whether a token issued at ``issued_at`` (JWT ``iat``, whole seconds) was issued after the
    account's sessions last ended. A token of the very second they ended still counts, so that
    the one handed out right after a change is never refused."""
    valid_after = session.scalar(select(AccountSecurity.sessions_valid_after)
                                 .where(AccountSecurity.account_id == account_id))
    if valid_after is None:
        return True
    return isinstance(issued_at, (int, float)) and issued_at >= math.floor(valid_after.timestamp())


def session_is_current(session: Session, account_id: str, started_at: datetime) -> bool:
    """Whether a portal session started at ``started_at`` outlived no password change."""
    valid_after = session.scalar(select(AccountSecurity.sessions_valid_after)
                                 .where(AccountSecurity.account_id == account_id))
    if started_at.tzinfo is None:
        started_at = started_at.replace(tzinfo=timezone.utc)
    return valid_after is None or started_at >= valid_after


# -- password reset

def request_reset(runtime: Runtime, session: Session, email: str) -> None:
    """Mail a reset link to the account with this address, if there is one. The caller answers
    202 either way; the only work either way is a lookup and one or two inserts (the mail
    itself goes out later, from the outgoing mail queue), so time tells nothing either."""
    account = session.scalar(select(Account).where(Account.email == domain.normalise_email(email)))
    token, digest = domain.new_token()
    if account is None:
        return
    session.add(PasswordReset(account_id=account.id, token_hash=digest, expires_at=utcnow() + RESET_LIFETIME))
    subject, body = reset_email(f"{runtime.config.public_url}/password-reset/{token}")
    session.add(OutgoingMail(recipient=account.email, subject=subject, body=body))


def reset_email(link: str) -> tuple[str, str]:
    """Subject and plain-text body of the password reset mail."""
    lines = ["Hello,", "",
             "Someone (we hope you) asked to choose a new password for your Partner Experts Portal account.",
             "Choose it here (the link works once, for one hour):", link, "",
             "If you did not ask for this, ignore this email: your password stays as it is."]
    return "Choose a new password for the Partner Experts Portal", "\n".join(lines)


def confirm_reset(session: Session, token: str, password: str) -> Account:
    """Set the password of the account whose reset link holds ``token``: every link of the
    account stops working, every session ends and the address counts as verified (the link
    was mailed to it). 404 ``reset_not_found``, 410 ``reset_used`` / ``reset_expired``, 422
    ``weak_password``. The caller clears the account's sign-in throttle."""
    reset = session.scalar(select(PasswordReset).where(PasswordReset.token_hash == domain.token_hash(token))
                           .with_for_update())
    if reset is None:
        raise Problem(404, "reset_not_found", "This password reset link is not valid.")
    if reset.used_at is not None:
        raise Problem(410, "reset_used", "This password reset link was used already.")
    if reset.expires_at <= utcnow():
        raise Problem(410, "reset_expired", "This password reset link has expired; ask for a new one.")
    account = session.get(Account, reset.account_id)
    _set_password(session, account, password)
    now = utcnow()
    session.execute(update(PasswordReset).where(PasswordReset.account_id == account.id,
                                                PasswordReset.used_at.is_(None)).values(used_at=now))
    if account.verified_at is None:
        account.verified_at, account.verification_hash = now, None
    return account


def change_password(session: Session, account: Account, current: str, new: str) -> None:
    """The signed-in owner's new password: 403 ``invalid_credentials`` when ``current`` is
    wrong, 422 ``weak_password``; every other session ends (the caller starts a new one)."""
    if not domain.password_matches(account.password_hash, current):
        raise Problem(403, "invalid_credentials", "The current password is wrong.",
                      errors={"current_password": ["This is not your current password."]})
    _set_password(session, account, new, field="new_password")


def _set_password(session: Session, account: Account, password: str, field: str = "password") -> None:
    weakness = domain.password_weakness(password, account.email)
    if weakness:
        raise Problem(422, "weak_password", weakness, errors={field: [weakness]})
    account.password_hash = domain.hash_password(password)
    end_sessions(session, account.id)


# -- two-factor sign-in

def start_totp(session: Session, account: Account) -> dict:
    """A new secret to add to an authenticator app; asked at sign-in only once confirmed.
    409 ``totp_enabled`` when two-factor sign-in is on already (turn it off first)."""
    security = security_of(session, account.id, lock=True)
    if security.totp_enabled_at is not None:
        raise Problem(409, "totp_enabled", "Two-factor sign-in is on already; turn it off first.")
    security.totp_secret, security.totp_last_step = pyotp.random_base32(), None
    uri = pyotp.TOTP(security.totp_secret).provisioning_uri(name=account.email, issuer_name=ISSUER)
    return {"secret": security.totp_secret, "otpauth_uri": uri}


def confirm_totp(session: Session, account: Account, code: str) -> list[str]:
    """Turn two-factor sign-in on with a first code of the new secret: the ten recovery codes,
    shown only now (their sha256 is kept). 409 ``totp_not_started``; 422 ``invalid_totp_code``."""
    security = security_of(session, account.id, lock=True)
    if security.totp_secret is None or security.totp_enabled_at is not None:
        raise Problem(409, "totp_not_started", "Start two-factor setup first.")
    if not _accept_totp(session, security, code):
        raise Problem(422, "invalid_totp_code", "This code is not the one your app shows now.",
                      errors={"code": ["This code is not the one your app shows now."]})
    security.totp_enabled_at = utcnow()
    session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.account_id == account.id))
    codes = [_recovery_code() for _ in range(RECOVERY_CODES)]
    session.add_all(RecoveryCode(account_id=account.id, code_hash=_code_hash(c)) for c in codes)
    return codes


def disable_totp(session: Session, account: Account, code: str) -> None:
    """Turn two-factor sign-in off with a current code or an unused recovery code.
    409 ``totp_not_enabled``; 422 ``invalid_totp_code``."""
    security = security_of(session, account.id, lock=True)
    if security.totp_enabled_at is None:
        raise Problem(409, "totp_not_enabled", "Two-factor sign-in is off.")
    if not second_factor_accepted(session, security, code):
        raise Problem(422, "invalid_totp_code", "This code is not valid.",
                      errors={"code": ["Enter the code your app shows now, or an unused recovery code."]})
    security.totp_secret = security.totp_enabled_at = security.totp_last_step = None
    session.execute(RecoveryCode.__table__.delete().where(RecoveryCode.account_id == account.id))


def totp_enabled(session: Session, account_id: str) -> bool:
    return session.scalar(select(AccountSecurity.totp_enabled_at)
                          .where(AccountSecurity.account_id == account_id)) is not None


def check_second_factor(session: Session, account: Account, code: str | None) -> None:
    """At sign-in, after the password: nothing to do without two-factor sign-in; else 401
    ``totp_required`` unless ``code`` is a current TOTP code not used before or an unused
    recovery code (API.md, Details of the second round: Two-factor)."""
    security = session.scalar(select(AccountSecurity).where(AccountSecurity.account_id == account.id))
    if security is None or security.totp_enabled_at is None:
        return
    if not code or not second_factor_accepted(session, security, code):
        raise Problem(401, "totp_required", "Enter the code of your authenticator app, or a recovery code.")


def second_factor_accepted(session: Session, security: AccountSecurity, code: str) -> bool:
    """A TOTP code (six digits, spaces ignored) or a recovery code (dashes ignored), each
    accepted once, also when two sign-ins send the same code at the same moment."""
    compact = re.sub(r"[\s-]", "", code or "").lower()
    if TOTP.match(compact):
        return _accept_totp(session, security, compact)
    used = session.execute(update(RecoveryCode).where(
        RecoveryCode.account_id == security.account_id, RecoveryCode.code_hash == _code_hash(compact),
        RecoveryCode.used_at.is_(None)).values(used_at=utcnow()))
    return used.rowcount == 1


def _accept_totp(session: Session, security: AccountSecurity, code: str) -> bool:
    """The code of the time step now, or of the one before or after (clock drift), and only a
    step later than the last one accepted: the update's condition makes it once."""
    compact = re.sub(r"\s", "", code or "")
    if not TOTP.match(compact) or not security.totp_secret:
        return False
    totp, now = pyotp.TOTP(security.totp_secret), utcnow()
    step_now = totp.timecode(now)
    for step in (step_now - 1, step_now, step_now + 1):
        if secrets.compare_digest(totp.generate_otp(step), compact):
            taken = session.execute(update(AccountSecurity).where(
                AccountSecurity.account_id == security.account_id,
                (AccountSecurity.totp_last_step.is_(None)) | (AccountSecurity.totp_last_step < step),
            ).values(totp_last_step=step).execution_options(synchronize_session=False))
            if taken.rowcount == 1:
                security.totp_last_step = step
                return True
            return False
    return False


def _recovery_code() -> str:
    """Ten lowercase base32 characters (50 bits), shown as xxxxx-xxxxx."""
    raw = "".join(secrets.choice("abcdefghijklmnopqrstuvwxyz234567") for _ in range(10))
    return f"{raw[:5]}-{raw[5:]}"


def _code_hash(code: str) -> str:
    return hashlib.sha256(re.sub(r"[\s-]", "", code).lower().encode()).hexdigest()
