"""Preview links (API.md second round, ``POST/GET/DELETE /api/v1/partners/<pid>/page/
preview-links``): a secret link that shows a partner's page as it would look if published
now, to someone without an account, until it expires (1-30 days) or is revoked. Only the
token's SHA-256 is stored (a 256-bit random token needs no slow hash, and the gateway's look-up
stays one indexed read); the token itself is in the one answer that creates it."""
from __future__ import annotations

import hashlib
import secrets

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from datetime import datetime, timedelta

from sqlalchemy import String, select
from sqlalchemy.orm import Mapped, mapped_column

from services.common.auth import require_member, require_service
from services.common.db import new_id, utcnow
from services.common.errors import Problem
from services.common.webapp import current_runtime

from . import handlers
from .api import Scoped, _actor
from .models import Base, Page

links = Blueprint("preview_links", __name__, url_prefix="/api/v1/partners/<string:pid>/page/preview-links",
                  description="Preview links of the page")
internal = Blueprint("previews", __name__, url_prefix="/internal/v1/previews",
                     description="Pages shown through a preview link (for the gateway)")
MAX_LIVE = 50  # live links per partner


class PreviewLink(Base):
    """A secret link to the page as it would look if published now (services/catalog/previews.py):
    only the token's SHA-256 is kept; revoking deletes the row."""

    __tablename__ = "preview_links"
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    created_by: Mapped[str] = mapped_column(String(36))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column()


class CreatePreviewLinkSchema(Schema):
    expires_in_days = fields.Integer(load_default=7, validate=validate.Range(min=1, max=30))


class PreviewLinkSchema(Schema):
    id = fields.String(required=True)
    url = fields.String(metadata={"description": "Only in the answer that creates the link"})
    expires_at = fields.DateTime(required=True)
    created_at = fields.DateTime(required=True)
    created_by = fields.String(required=True)


class PreviewLinkListSchema(Schema):
    items = fields.List(fields.Nested(PreviewLinkSchema), required=True)


class PreviewSchema(Schema):
    partner_id = fields.String(required=True)
    slug = fields.String(required=True)
    page = fields.Dict(required=True)


def token_hash(token: str) -> str:
    return hashlib.sha256(token.encode("utf-8", "replace")).hexdigest()


def _shown(link: PreviewLink) -> dict:
    return {"id": link.id, "expires_at": link.expires_at, "created_at": link.created_at,
            "created_by": link.created_by}


@links.post("")
@require_member
@links.arguments(CreatePreviewLinkSchema)
@links.response(201, PreviewLinkSchema)
def create_preview_link(body, pid):
    """A new link ``{id, url, expires_at}`` valid for ``expires_in_days`` (1-30, default 7);
    ``url`` is ``<PORTAL_PUBLIC_URL>/preview/<token>`` and is shown only here. 409
    ``conflict`` past 50 live links."""
    token = secrets.token_urlsafe(32)
    now = utcnow()
    with Scoped(pid) as session:
        live = session.scalars(select(PreviewLink.id).where(PreviewLink.partner_id == pid,
                                                            PreviewLink.expires_at > now)).all()
        if len(live) >= MAX_LIVE:
            raise Problem(409, "conflict", f"A page has at most {MAX_LIVE} live preview links; revoke one.")
        link = PreviewLink(partner_id=pid, token_hash=token_hash(token), created_by=_actor(),
                           expires_at=now + timedelta(days=body["expires_in_days"]), created_at=now)
        session.add(link)
        session.flush()
        return {**_shown(link), "url": f"{current_runtime().config.public_url}/preview/{token}"}


@links.get("")
@require_member
@links.response(200, PreviewLinkListSchema)
def list_preview_links(pid):
    """The page's live links, newest first (without their URLs: only their hashes are kept)."""
    with Scoped(pid) as session:
        rows = session.scalars(select(PreviewLink).where(PreviewLink.partner_id == pid,
                                                         PreviewLink.expires_at > utcnow())
                               .order_by(PreviewLink.created_at.desc(), PreviewLink.id)).all()
        return {"items": [_shown(link) for link in rows]}


@links.delete("/<string:link_id>")
@require_member
@links.response(204)
def revoke_preview_link(pid, link_id):
    """Revoke a link: it answers 404 from now on. 404 for an unknown id or another partner's."""
    with Scoped(pid) as session:
        link = session.get(PreviewLink, link_id)
        if link is None or link.partner_id != pid:
            raise Problem(404, "not_found", "No such preview link.")
        session.delete(link)


@internal.get("/<string:token>")
@require_service
@internal.response(200, PreviewSchema)
def preview(token):
    """The page of a live preview link as it would look if published now: ``{partner_id,
    slug, page}`` (``page`` as in catalog's page event); 404 for an unknown, expired or
    revoked token."""
    with current_runtime().db.transaction() as session:
        link = session.scalar(select(PreviewLink).where(PreviewLink.token_hash == token_hash(token)))
        if link is None or link.expires_at <= utcnow():
            raise Problem(404, "not_found", "No such preview link.")
        page = session.get(Page, link.partner_id)
        event = handlers.page_event(session, page)
        return {"partner_id": page.partner_id, "slug": page.slug, "page": event["page"]}
