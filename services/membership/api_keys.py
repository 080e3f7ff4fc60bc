"""Partners' API keys (API.md "Partner members: new calls", DESIGN.md "Second round").

An admin creates a named key; the key itself (``pek_`` + 256 random bits, base64url) is in
that one answer and never again: membership keeps its sha256. A high-entropy key needs no
slow hash (argon2 is for passwords, which are guessable; nobody can enumerate 2^256 keys),
and a fast one lets the gateway exchange a key on the hot path with one indexed lookup.

The gateway exchanges a key for a short-lived access token (``exchange``, service token):
``sub`` ``api_key:<id>``, ``kind`` ``api_key``, ``partner_id`` the key's partner. Services
verify it like any access token; ``services.common.auth`` lets such a principal call only
routes under ``/api/v1/partners/`` (403 ``forbidden`` elsewhere, e.g. ``/api/v1/me``), and
membership answers its role in its own partner as ``api_key`` (``handlers.current_role``), which no
admin-only check accepts (403 ``forbidden``)."""
from __future__ import annotations

import hashlib
import re
import secrets
import time
from datetime import datetime, timedelta

from flask import current_app, g
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from services.common.auth import API_KEY_KIND, API_KEY_SUBJECT, require_member, require_service
from services.common.db import utcnow
from services.common.errors import Problem
from services.common.webapp import current_runtime

from . import handlers
from .models import ApiKey
from .schemas import ONE_LINE, SessionSchema, _one_line_of_text as one_line_of_text

PREFIX = "pek_"
KEY_FORMAT = re.compile(r"pek_[A-Za-z0-9_-]{43}")  # 32 random bytes, base64url without padding
TOKEN_SECONDS = 120          # an exchanged token's lifetime; the gateway caches it a few seconds
LAST_USE_RESOLUTION = timedelta(minutes=1)  # last_used_at is written at most once a minute a key
MAX_LIVE_KEYS = 50


# -- the rules, no Flask and no SQLAlchemy

def new_key() -> tuple[str, str]:
    """A new key and the sha256 (hex) that is all membership keeps of it."""
    key = PREFIX + secrets.token_urlsafe(32)
    return key, key_hash(key)


def key_hash(key: str) -> str:
    return hashlib.sha256(key.encode()).hexdigest()


def well_formed(key: object) -> bool:
    return isinstance(key, str) and KEY_FORMAT.fullmatch(key) is not None


def subject_of(key_id: str) -> str:
    return f"{API_KEY_SUBJECT}{key_id}"


def stale(last_used_at: datetime | None, now: datetime) -> bool:
    """Whether a use at ``now`` should be written down (at most once a minute a key)."""
    return last_used_at is None or now - last_used_at >= LAST_USE_RESOLUTION


# -- use cases

def create(session: Session, partner_id: str, actor: str, name: str):
    handlers.require_admin(session, partner_id, actor)
    live = session.scalar(select(func.count()).select_from(ApiKey)
                          .where(ApiKey.partner_id == partner_id, ApiKey.revoked_at.is_(None)))
    if live >= MAX_LIVE_KEYS:
        raise Problem(409, "api_key_limit_reached", f"A partner has at most {MAX_LIVE_KEYS} API keys; revoke one first.")
    key, digest = new_key()
    row = ApiKey(id=secrets.token_hex(12), partner_id=partner_id, name=name.strip(), key_hash=digest,
                 created_by=actor)
    session.add(row)
    session.flush()
    return row, key


def live_keys(session: Session, partner_id: str) -> list:
    return session.scalars(select(ApiKey).where(ApiKey.partner_id == partner_id, ApiKey.revoked_at.is_(None))
                           .order_by(ApiKey.created_at.desc(), ApiKey.id)).all()


def revoke(session: Session, partner_id: str, actor: str, key_id: str) -> None:
    handlers.require_admin(session, partner_id, actor)
    row = session.get(ApiKey, key_id) if len(key_id) <= 24 else None
    if row is None or row.partner_id != partner_id or row.revoked_at is not None:
        raise Problem(404, "not_found", "No such API key.")
    row.revoked_at = utcnow()


def exchange(session: Session, key: str) -> dict:
    """A short-lived access token for a live key; 401 ``unauthorized`` for anything else.
    Its last use is written when the one on record is a minute old or more."""
    row = session.scalar(select(ApiKey).where(ApiKey.key_hash == key_hash(key))) if well_formed(key) else None
    if row is None or row.revoked_at is not None:
        raise Problem(401, "unauthorized", "The API key is unknown or revoked.",
                      headers={"WWW-Authenticate": 'Bearer error="invalid_token"'})
    now = utcnow()
    if stale(row.last_used_at, now):
        session.execute(update(ApiKey).where(ApiKey.id == row.id).values(last_used_at=now))
    signer = current_app.extensions["token_signer"]
    token = signer.issue(subject_of(row.id), {"kind": API_KEY_KIND, "partner_id": row.partner_id,
                                              "exp": int(time.time()) + TOKEN_SECONDS})
    return {"access_token": token, "token_type": "Bearer", "expires_in": TOKEN_SECONDS,
            "key_id": row.id, "partner_id": row.partner_id}


# -- HTTP

api_keys = Blueprint("api_keys", __name__, description="Partners' API keys")


class CreateApiKeySchema(Schema):
    name = fields.String(required=True, validate=[validate.Length(min=1, max=80), one_line_of_text, ONE_LINE],
                         metadata={"description": "What the key is for, one line of text"})


class ApiKeySchema(Schema):
    id = fields.String()
    name = fields.String()
    created_at = fields.DateTime()
    last_used_at = fields.DateTime(allow_none=True, metadata={"description": "Within a minute; null: never used"})


class NewApiKeySchema(ApiKeySchema):
    key = fields.String(metadata={"description": "`pek_...`: shown in this answer only"})

    class Meta:
        exclude = ("last_used_at",)


class ApiKeyListSchema(Schema):
    items = fields.List(fields.Nested(ApiKeySchema))


class ExchangeSchema(Schema):
    key = fields.String(required=True, validate=validate.Length(min=1, max=200))


class ExchangedSchema(SessionSchema):
    key_id = fields.String()
    partner_id = fields.String()


@api_keys.post("/api/v1/partners/<string:pid>/api-keys")
@require_member
@api_keys.arguments(CreateApiKeySchema)
@api_keys.response(201, NewApiKeySchema)
@api_keys.alt_response(403, response="FORBIDDEN")
@api_keys.alt_response(409, response="CONFLICT")
def create_api_key(body, pid):
    """A new API key named ``name`` (1-80 characters, one line), admin only (403 ``admin_only``;
    ``forbidden`` for an API key): 201 ``{id, name, key, created_at}``, the ``key``
    (``pek_...``) in this answer only. 404 for a partner the caller is not a member of; 409
    ``api_key_limit_reached`` past 50 live keys."""
    with current_runtime().db.transaction() as session:
        row, key = create(session, pid, g.principal.account_id, body["name"])
        return {"id": row.id, "name": row.name, "key": key, "created_at": row.created_at}


@api_keys.get("/api/v1/partners/<string:pid>/api-keys")
@require_member
@api_keys.response(200, ApiKeyListSchema)
def list_api_keys(pid):
    """The partner's live keys, newest first: ``{id, name, created_at, last_used_at}`` (never
    the key). Any member; 404 for a partner the caller is not a member of."""
    with current_runtime().db.transaction() as session:
        handlers.role_in(session, pid, g.principal.account_id)
        return {"items": live_keys(session, pid)}


@api_keys.delete("/api/v1/partners/<string:pid>/api-keys/<string:key_id>")
@require_member
@api_keys.response(204)
@api_keys.alt_response(403, response="FORBIDDEN")
def revoke_api_key(pid, key_id):
    """Revoke a key, admin only: the gateway refuses it (401) within 5 seconds. 404 for an
    unknown or already revoked key, or another partner's."""
    with current_runtime().db.transaction() as session:
        revoke(session, pid, g.principal.account_id, key_id)


@api_keys.post("/internal/v1/api-keys:exchange")
@require_service
@api_keys.arguments(ExchangeSchema)
@api_keys.response(200, ExchangedSchema)
@api_keys.alt_response(401, response="UNAUTHORIZED")
def exchange_api_key(body):
    """The gateway's exchange (service token): a live key for an access token of
    ``TOKEN_SECONDS`` (120 s) whose ``sub`` is ``api_key:<id>``, with ``kind: api_key`` and
    the key's ``partner_id``; 401 ``unauthorized`` for an unknown, malformed or revoked key."""
    with current_runtime().db.transaction() as session:
        return exchange(session, body["key"])
