"""Browser sessions of the portal. The cookie carries a random id (inside Flask's signed
session cookie); the gateway's database keeps its hash, the account and an access token,
renewed through membership while the session lasts, so no password is ever kept."""
from __future__ import annotations

import hashlib
import os
import secrets
from datetime import timedelta

from sqlalchemy import delete

from services.common.db import utcnow

from ..models import PortalSession

LIFETIME = timedelta(hours=int(os.environ.get("GATEWAY_SESSION_HOURS", "12")))
IDLE = timedelta(minutes=int(os.environ.get("GATEWAY_SESSION_IDLE_MINUTES", "120")))
RENEW_BEFORE = timedelta(seconds=60)


def _hash(raw_id: str) -> str:
    return hashlib.sha256(raw_id.encode()).hexdigest()


def start(db, account_id: str, token: str, expires_in: int) -> str:
    """A new session for ``account_id``; returns the id to put in the cookie."""
    raw_id, now = secrets.token_urlsafe(32), utcnow()
    with db.transaction() as session:
        session.execute(delete(PortalSession).where(PortalSession.expires_at <= now))  # forget the dead
        session.add(PortalSession(id_hash=_hash(raw_id), account_id=account_id, access_token=token,
                                  token_expires_at=now + timedelta(seconds=expires_in),
                                  created_at=now, last_seen_at=now, expires_at=now + LIFETIME))
    return raw_id


def load(db, raw_id: str | None) -> PortalSession | None:
    """The live session behind a cookie, or None (unknown, expired or idle too long)."""
    if not raw_id or len(raw_id) > 100:
        return None
    now = utcnow()
    with db.transaction() as session:
        row = session.get(PortalSession, _hash(raw_id))
        if row is None:
            return None
        if row.expires_at <= now or row.last_seen_at + IDLE <= now:
            session.delete(row)
            return None
        if now - row.last_seen_at > timedelta(minutes=1):
            row.last_seen_at = now
        session.expunge(row)
        return row


def needs_new_token(row: PortalSession) -> bool:
    return row.token_expires_at - RENEW_BEFORE <= utcnow()


def store_token(db, row: PortalSession, token: str, expires_in: int) -> None:
    with db.transaction() as session:
        live = session.get(PortalSession, row.id_hash)
        if live is not None:
            live.access_token = token
            live.token_expires_at = utcnow() + timedelta(seconds=expires_in)
    row.access_token = token


def end(db, raw_id: str | None) -> None:
    if raw_id:
        with db.transaction() as session:
            session.execute(delete(PortalSession).where(PortalSession.id_hash == _hash(raw_id)))

