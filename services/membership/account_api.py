"""The account calls of the second round (API.md, Accounts: new calls, and the PATCH members
row): password reset by mail, password change, two-factor sign-in, and member roles."""
from __future__ import annotations

import os

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate

from services.common.auth import require_member
from services.common.errors import Problem
from services.common.webapp import current_runtime

from . import accounts, limits, roles
from .limits import limiter
from .models import Account
from .schemas import Email, MemberSchema

account_security = Blueprint("account_security", __name__, url_prefix="/api/v1",
                             description="Password reset and change, two-factor sign-in, member roles")

# MEMBERSHIP_RESET_LIMIT: reset requests per client address (default 10/hour);
# MEMBERSHIP_RESET_EMAIL_LIMIT: per target email (default 5/hour), so nobody floods an inbox;
# MEMBERSHIP_RESET_CONFIRM_LIMIT: new passwords per client address (default 30/hour);
# MEMBERSHIP_TOTP_LIMIT: two-factor setup and turning it off, per account (default 10/minute).
RESET_BY_ADDRESS = lambda: os.environ.get("MEMBERSHIP_RESET_LIMIT", "10/hour")  # noqa: E731
RESET_BY_EMAIL = lambda: os.environ.get("MEMBERSHIP_RESET_EMAIL_LIMIT", "5/hour")  # noqa: E731
RESET_CONFIRM = lambda: os.environ.get("MEMBERSHIP_RESET_CONFIRM_LIMIT", "30/hour")  # noqa: E731
TOTP_CHANGES = lambda: os.environ.get("MEMBERSHIP_TOTP_LIMIT", "10/minute")  # noqa: E731

PASSWORD = {"description": "At least 10 characters, not a common password (else 422 weak_password)"}


class ResetRequestSchema(Schema):
    email = Email()


class ResetRequestedSchema(Schema):
    detail = fields.String(metadata={"description": "The same sentence for every address"})


RESET_REQUESTED = "If an account has this address, a link to choose a new password is on its way."


class ResetConfirmSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256), metadata=PASSWORD)


class ChangePasswordSchema(Schema):
    current_password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, load_only=True, validate=validate.Length(max=256), metadata=PASSWORD)


class TotpSetupSchema(Schema):
    secret = fields.String(metadata={"description": "Base32 (RFC 4648) secret of RFC 6238 TOTP, 30 s, 6 digits"})
    otpauth_uri = fields.String(metadata={"description": "otpauth://totp/... for an authenticator app's QR code"})


class TotpCodeSchema(Schema):
    code = fields.String(required=True, validate=validate.Length(min=1, max=64),
                         metadata={"description": "Six digits from the app (or, to turn it off, a recovery code)"})


class RecoveryCodesSchema(Schema):
    recovery_codes = fields.List(fields.String(), metadata={"description": "Ten codes, each signs in once; "
                                                                            "shown only in this answer"})


class RoleSchema(Schema):
    role = fields.String(required=True, validate=validate.OneOf(["admin", "member"]))


@account_security.post("/password-resets")
@limiter.limit(RESET_BY_ADDRESS)
@limiter.limit(RESET_BY_EMAIL, key_func=limits.target_email)
@account_security.arguments(ResetRequestSchema)
@account_security.response(202, ResetRequestedSchema)
@account_security.alt_response(429, response="TOO_MANY_REQUESTS")
def request_password_reset(body):
    """Ask for a password reset link by mail: 202 whether or not an account has the address
    (the answer tells nobody which emails exist). The mailed link, ``/password-reset/<token>``
    under PORTAL_PUBLIC_URL, works once within an hour. 429 ``rate_limited`` per client
    address and per email."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        accounts.request_reset(runtime, session, body["email"])
    return {"detail": RESET_REQUESTED}


@account_security.post("/password-resets/confirm")
@limiter.limit(RESET_CONFIRM)
@account_security.arguments(ResetConfirmSchema)
@account_security.response(204)
@account_security.alt_response(404, response="NOT_FOUND")
@account_security.alt_response(410, response="DEFAULT_ERROR")
@account_security.alt_response(429, response="TOO_MANY_REQUESTS")
def confirm_password_reset(body):
    """Choose a new password with the mailed link's token: 204; every session of the account
    ends and its failed sign-ins are forgotten (API.md, Sign-in throttling). 404
    ``reset_not_found``, 410 ``reset_used`` / ``reset_expired``, 422 ``weak_password``."""
    with current_runtime().db.transaction() as session:
        account = accounts.confirm_reset(session, body["token"], body["password"])
        email = account.email
    current_app.extensions["failed_signins"].clear(email)


def signed_in_account(session) -> Account:
    """The caller's account, while its token outlived no password change (else 401)."""
    account = session.get(Account, g.principal.account_id)
    if account is None or not accounts.token_is_current(session, account.id, g.principal.claims.get("iat")):
        raise Problem(401, "unauthorized", "This session has ended; sign in again.")
    return account


@account_security.put("/me/password")
@require_member
@account_security.arguments(ChangePasswordSchema)
@account_security.response(204)
@account_security.alt_response(403, response="DEFAULT_ERROR")
@account_security.alt_response(429, response="TOO_MANY_REQUESTS")
def change_password(body):
    """Change the signed-in account's password: 204, and every other session ends (tokens
    issued before now are refused by ``/api/v1/me``, portal sessions end). 403
    ``invalid_credentials`` for a wrong current password (counted like a failed sign-in:
    429 after too many); 422 ``weak_password``."""
    failures = current_app.extensions["failed_signins"]
    with current_runtime().db.transaction() as session:
        account = signed_in_account(session)
        email = account.email
    failures.take_a_place(email)
    try:
        with current_runtime().db.transaction() as session:
            accounts.change_password(session, signed_in_account(session), body["current_password"],
                                     body["new_password"])
    except Problem as problem:
        if problem.code != "invalid_credentials":
            failures.succeeded(email)  # not a guess: the current password was right
        raise
    failures.succeeded(email)


@account_security.post("/me/totp")
@require_member
@limiter.limit(TOTP_CHANGES, key_func=limits.caller_account)
@account_security.response(201, TotpSetupSchema)
@account_security.alt_response(409, response="CONFLICT")
def start_totp():
    """Start setting up two-factor sign-in: a new secret and its ``otpauth://`` URI; nothing is
    asked at sign-in until ``/me/totp/confirm``. 409 ``totp_enabled`` when it is on already."""
    with current_runtime().db.transaction() as session:
        return accounts.start_totp(session, signed_in_account(session))


@account_security.post("/me/totp/confirm")
@require_member
@limiter.limit(TOTP_CHANGES, key_func=limits.caller_account)
@account_security.arguments(TotpCodeSchema)
@account_security.response(200, RecoveryCodesSchema)
@account_security.alt_response(409, response="CONFLICT")
def confirm_totp(body):
    """Turn two-factor sign-in on with a code of the new secret: 200 with ten recovery codes,
    shown only here. 409 ``totp_not_started``; 422 ``invalid_totp_code``."""
    with current_runtime().db.transaction() as session:
        return {"recovery_codes": accounts.confirm_totp(session, signed_in_account(session), body["code"])}


@account_security.delete("/me/totp")
@require_member
@limiter.limit(TOTP_CHANGES, key_func=limits.caller_account)
@account_security.arguments(TotpCodeSchema)
@account_security.response(204)
@account_security.alt_response(409, response="CONFLICT")
def disable_totp(body):
    """Turn two-factor sign-in off with a current code or an unused recovery code: 204.
    409 ``totp_not_enabled``; 422 ``invalid_totp_code``."""
    with current_runtime().db.transaction() as session:
        accounts.disable_totp(session, signed_in_account(session), body["code"])


@account_security.patch("/partners/<string:pid>/members/<string:account_id>")
@require_member
@account_security.arguments(RoleSchema)
@account_security.response(200, MemberSchema)
@account_security.alt_response(403, response="DEFAULT_ERROR")
@account_security.alt_response(404, response="NOT_FOUND")
@account_security.alt_response(409, response="CONFLICT")
def change_role(body, pid, account_id):
    """Make a member an admin or an admin a member (admin only, 403 ``admin_only``): 200 with
    the member. 404 for anyone not in the team; 409 ``last_admin`` when the team would be left
    without an admin."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        membership = roles.change_role(runtime, session, pid, g.principal.account_id, account_id, body["role"])
        account = session.get(Account, membership.account_id)
        return {"account_id": account.id, "email": account.email, "name": account.name, "role": membership.role}
