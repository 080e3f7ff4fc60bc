"""Membership's HTTP views: thin, they validate and hand over to handlers."""
from __future__ import annotations

from flask import current_app, g, jsonify
from flask_smorest import Blueprint

from services.common.auth import require_member, require_service
from services.common.errors import Problem
from services.common.webapp import current_runtime

from . import handlers, schemas
from .models import Account

public = Blueprint("accounts", __name__, url_prefix="/api/v1", description="Accounts and sign-in")
internal = Blueprint("internal", __name__, url_prefix="/internal/v1", description="Operator calls")
keys = Blueprint("keys", __name__, description="Token verification keys")


@public.post("/accounts")
@public.arguments(schemas.CreateAccountSchema)
@public.response(201, schemas.AccountSchema)
def create_account(body):
    """Sign up with an email, a password and a name."""
    with current_runtime().db.transaction() as session:
        return handlers.create_account(session, **body)


@public.post("/sessions")
@public.arguments(schemas.CreateSessionSchema)
@public.response(200, schemas.SessionSchema)
def create_session(body):
    """Sign in: a short-lived access token."""
    with current_runtime().db.transaction() as session:
        account = handlers.authenticate(session, body["email"], body["password"])
    signer = current_app.extensions["token_signer"]
    token = signer.issue(account.id)
    return {"access_token": token, "token_type": "Bearer", "expires_in": signer.lifetime}


@public.get("/me")
@require_member
@public.response(200, schemas.MeSchema)
def me():
    """The signed-in account and the partners it belongs to."""
    with current_runtime().db.transaction() as session:
        account = session.get(Account, g.principal.account_id)
        if account is None:
            raise Problem(401, "unauthorized", "This account no longer exists.")
        return {"id": account.id, "email": account.email, "name": account.name,
                "partners": handlers.partners_of(session, account.id)}


@internal.post("/partners")
@require_service
@internal.arguments(schemas.GrantAccessSchema)
@internal.response(201, schemas.PartnerSchema)
def grant_access(body):
    """Grant portal access: a partner company whose admin is the named account."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        return handlers.grant_access(runtime, session, **body)


@keys.get("/.well-known/jwks.json")
def jwks():
    """The public keys that verify access tokens (several during a key rotation)."""
    response = jsonify(current_app.extensions["signing_keys"].jwks())
    response.headers["Cache-Control"] = "public, max-age=300"
    return response
