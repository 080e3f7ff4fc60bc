"""Membership's HTTP views: thin, they validate and hand over to handlers."""
from __future__ import annotations

from flask import current_app, g, jsonify, request
from sqlalchemy import select
from flask_smorest import Blueprint

from services.common.auth import require_member, require_service
from services.common.db import utcnow
from services.common.errors import Problem
from services.common.idempotency import PARTNER_GUARD, idempotent
from services.common.webapp import current_runtime

from . import accounts, domain, handlers, limits, schemas
from .limits import limiter
from .models import Account, Invitation

public = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and sign-in")
internal = Blueprint("internal", __name__, url_prefix="/internal/v1", description="Operator calls")
keys = Blueprint("keys", __name__, description="Token verification keys")


@public.post("/accounts")
@limiter.limit(limits.SIGNUP_BY_ADDRESS)
@limiter.limit(limits.SIGNUP_BY_EMAIL, key_func=limits.target_email)
@public.arguments(schemas.CreateAccountSchema)
@public.response(201, schemas.AccountSchema)
@public.alt_response(409, response="CONFLICT")
@public.alt_response(429, response="TOO_MANY_REQUESTS")
def create_account(body):
    """Sign up with an email, a password and a name: 201 with an unverified account, and a mail
    to the address with its verification link. 422 ``weak_password`` (under 10 characters, one
    repeated character, the email or its local part, or among the 10,000 most common passwords);
    409 ``email_taken`` (another account has the address, unless it is unverified and older than
    24 hours: then it is replaced); 429 ``rate_limited`` per client address and per email."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        return handlers.create_account(runtime, session, **body)


@public.post("/accounts/verify")
@public.arguments(schemas.VerifyEmailSchema)
@public.response(204)
@public.alt_response(404, response="NOT_FOUND")
def verify_email(body):
    """Confirm an account's email address with the token of the mailed link (single use):
    204, or 404 ``verification_not_found`` (unknown or used)."""
    with current_runtime().db.transaction() as session:
        handlers.verify_email(session, body["token"])


@public.post("/sessions")
@limiter.limit(limits.SIGNIN_BY_ADDRESS)
@public.arguments(schemas.CreateSessionSchema)
@public.response(200, schemas.SessionSchema)
@public.alt_response(401, response="UNAUTHORIZED")
@public.alt_response(429, response="TOO_MANY_REQUESTS")
def create_session(body):
    """Sign in: a short-lived access token, and the ``known_device`` cookie. 401
    ``invalid_credentials``; 401 ``totp_required`` when two-factor sign-in is on and
    ``totp_code`` is missing, wrong, used before or a used recovery code; 429 ``rate_limited`` with ``Retry-After`` per client address, and
    after too many failed sign-ins for the account, except from a client that signed in to it
    before (its ``known_device`` cookie; API.md, Details of the second round)."""
    devices, failures = current_app.extensions["known_devices"], current_app.extensions["failed_signins"]
    email = domain.normalise_email(body["email"])
    with current_runtime().db.transaction() as session:
        account = handlers.account_by_email(session, email)
        known = account is not None and account.id in devices.accounts(request)
        if not known:
            failures.take_a_place(email)
        try:
            account = handlers.authenticate(session, account, body["password"])
            accounts.check_second_factor(session, account, body.get("totp_code"))
        except Problem as problem:
            if problem.code == "totp_required" and not body.get("totp_code"):
                if not known:  # the right password, the code still to come: not a guess
                    failures.succeeded(email)
            elif known:
                failures.failed(email)
            raise
    if not known:
        failures.succeeded(email)
    response = jsonify(_access_token(account.id))
    devices.remember(request, response, account.id)
    return response


@public.get("/me")
@require_member
@public.response(200, schemas.MeSchema)
def me():
    """The signed-in account and the partners it belongs to."""
    with current_runtime().db.transaction() as session:
        account = session.get(Account, g.principal.account_id)
        if account is None:
            raise Problem(401, "unauthorized", "This account no longer exists.")
        if not accounts.token_is_current(session, account.id, g.principal.claims.get("iat")):
            raise Problem(401, "unauthorized", "This session ended when the password changed; sign in again.")
        return {"id": account.id, "email": account.email, "name": account.name,
                "email_verified": account.verified_at is not None,
                "two_factor_enabled": accounts.totp_enabled(session, account.id),
                "partners": handlers.partners_of(session, account.id)}


@internal.post("/partners")
@require_service
@idempotent
@internal.arguments(schemas.GrantAccessSchema)
@internal.response(201, schemas.PartnerSchema)
def grant_access(body):
    """Grant portal access: a partner company whose admin is the named account."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        return handlers.grant_access(runtime, session, **body)


@internal.post("/accounts/<string:account_id>/tokens")
@require_service
@internal.arguments(schemas.TokenRenewalSchema, location="query")
@internal.response(200, schemas.SessionSchema)
def issue_token(query, account_id):
    """A fresh access token for an existing account: how the gateway keeps a browser
    session signed in past one token's lifetime without holding the password. With
    ``session_started_at``, 401 ``session_ended`` when the account's password changed since."""
    with current_runtime().db.transaction() as session:
        if session.get(Account, account_id) is None:
            raise Problem(404, "account_not_found", "No account has this id.")
        started = query.get("session_started_at")
        if started is not None and not accounts.session_is_current(session, account_id, started):
            raise Problem(401, "session_ended", "The account's password changed since this session began.")
    return _access_token(account_id)


@internal.post("/invitations:lookup")
@require_service
@internal.arguments(schemas.InvitationTokenSchema)
@internal.response(200, schemas.InvitationFactsSchema)
def invitation_facts(body):
    """What the invitation page shows before anyone joins (service token; the gateway's
    ``/invitations/<token>``): the partner's and the inviter's names, the invited address and
    the status (``expired`` for a pending one past its date). Answered only for the token
    itself, which stays usable: 404 ``invitation_not_found`` for any other string, so there is
    nothing to enumerate. The token travels in the body, never in a logged path."""
    with current_runtime().db.transaction() as session:
        return handlers.invitation_facts(session, body["token"])


def _access_token(account_id: str) -> dict:
    signer = current_app.extensions["token_signer"]
    return {"access_token": signer.issue(account_id), "token_type": "Bearer", "expires_in": signer.lifetime}


@keys.get("/.well-known/jwks.json")
@keys.response(200, schemas.JwksSchema)
def jwks():
    """The public keys that verify access tokens (several during a key rotation)."""
    response = jsonify(current_app.extensions["signing_keys"].jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response


team = Blueprint("team", __name__, url_prefix="/api/v1", description="Partner members and invitations")


def member_guard(pid: str) -> None:
    """404 unless the caller is (still) a member of ``pid``: runs before an idempotent repeat."""
    with current_runtime().db.transaction() as session:
        handlers.role_in(session, pid, g.principal.account_id)


team.record_once(lambda state: state.app.extensions.setdefault(PARTNER_GUARD, member_guard))


@team.get("/partners/<string:pid>/members")
@require_member
@team.response(200, schemas.MemberListSchema)
def list_members(pid):
    """The partner's members and their roles."""
    with current_runtime().db.transaction() as session:
        handlers.role_in(session, pid, g.principal.account_id)
        return {"items": handlers.members_of(session, pid)}


@team.delete("/partners/<string:pid>/members/<string:account_id>")
@require_member
@team.response(204)
def remove_member(pid, account_id):
    """Remove a member or another admin, or leave the team (admin only, 403 ``admin_only``);
    409 ``last_admin`` for the team's only admin (API.md, Details of the second round: Admins)."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        handlers.remove_member(runtime, session, pid, g.principal.account_id, account_id)


@team.post("/partners/<string:pid>/invitations")
@require_member
@idempotent
@team.arguments(schemas.InviteSchema)
@team.response(201, schemas.InvitationListSchema)
def invite(body, pid):
    """Invite coworkers by email with an optional message (admin only); each gets a single-use link."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        invitations = handlers.invite(runtime, session, pid, g.principal.account_id, body["emails"],
                                      body["message"])
        return {"items": invitations}


@team.get("/partners/<string:pid>/invitations")
@require_member
@team.response(200, schemas.InvitationListSchema)
def list_invitations(pid):
    """The partner's invitations, newest first."""
    with current_runtime().db.transaction() as session:
        handlers.role_in(session, pid, g.principal.account_id)
        rows = session.scalars(select(Invitation).where(Invitation.partner_id == pid)
                               .order_by(Invitation.created_at.desc())).all()
        return {"items": [_invitation(i) for i in rows]}


def _invitation(invitation: Invitation) -> dict:
    expired = invitation.status == "pending" and invitation.expires_at <= utcnow()
    return {"id": invitation.id, "email": invitation.email, "status": "expired" if expired else invitation.status,
            "expires_at": invitation.expires_at, "created_at": invitation.created_at}


@team.delete("/partners/<string:pid>/invitations/<string:invitation_id>")
@require_member
@team.response(204)
def revoke_invitation(pid, invitation_id):
    """Revoke an invitation: its link stops working (admin only)."""
    with current_runtime().db.transaction() as session:
        handlers.revoke(session, pid, g.principal.account_id, invitation_id)


@team.post("/partners/<string:pid>/invitations/<string:invitation_id>/resend")
@require_member
@team.response(200, schemas.InvitationSchema)
def resend_invitation(pid, invitation_id):
    """Send the invitation again with a new link; the old one stops working (admin only)."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        return _invitation(handlers.resend(runtime, session, pid, g.principal.account_id, invitation_id))


@team.post("/invitations/accept")
@require_member
@limiter.limit(limits.ACCEPT)
@limiter.limit(limits.ACCEPT, key_func=limits.caller_account)
@team.arguments(schemas.AcceptSchema)
@team.response(200, schemas.AcceptedSchema)
def accept_invitation(body):
    """Join the partner: the signed-in account's email must be the invited one."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        return {"partner_id": handlers.accept(runtime, session, g.principal.account_id, body["token"])}
