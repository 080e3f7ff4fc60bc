"""Keeping and reading the public read model. Writers (the consumer, the write-through
refresh, the rebuild) all go through ``save_page`` and ``save_asset``, which ignore
anything older than what is held."""
from __future__ import annotations

import hashlib
import json
import weakref
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import bindparam, event, select, text
from sqlalchemy.orm import Session

from services.common.db import utcnow

from ..models import PublicAsset, PublicPage

CHANGES = "portal_public_pages"  # NOTIFY channel of every change to a page (PostgreSQL)
CHANGE_LISTENERS = weakref.WeakSet()  # in this process: told right after a commit that changed a page
ASSET_KEYS = {"logo-light": "logo_light", "logo-dark": "logo_dark", "branded-image": "branded_image"}


@dataclass(frozen=True)
class PageHead:
    """What a public request needs to know before loading a page's content."""

    partner_id: str
    slug: str
    etag: str
    changed_at: datetime


def save_page(session: Session, partner_id: str, slug: str, version: int, published: bool,
              page: dict | None) -> bool:
    """Store catalog's description of a page unless we hold a newer one; True when stored."""
    row = session.get(PublicPage, partner_id)
    if row is not None and row.version >= version:
        return False
    if row is None:
        _free_slug(session, slug, partner_id)
        row = PublicPage(partner_id=partner_id)
        session.add(row)
    elif row.slug != slug:
        _free_slug(session, slug, partner_id)
    row.slug, row.version, row.published = slug, version, published
    if page is not None:
        row.content = json.dumps(page, separators=(",", ":"), sort_keys=True)
    _touch(session, row)
    return True


def _free_slug(session: Session, slug: str, partner_id: str) -> None:
    """A slug moves with its partner: an older holder of it lets it go."""
    other = session.scalar(select(PublicPage).where(PublicPage.slug == slug,
                                                    PublicPage.partner_id != partner_id))
    if other is not None:
        session.delete(other)
        session.flush()


def save_announced_asset(session: Session, partner_id: str, asset: dict) -> bool:
    """Store an asset as assets describes it (its upload answer or its assets.asset.updated
    event: kind, url, width, height, sha256, updated_at, variants?); True when stored."""
    return save_asset(session, partner_id, asset["kind"], asset["url"], int(asset["width"] or 0),
                      int(asset["height"]), asset["sha256"], datetime.fromisoformat(asset["updated_at"]),
                      variants=asset.get("variants") or [])


_VARIANT_TYPES = frozenset({"image/jpeg", "image/png", "image/webp"})


def _kept_variants(variants: list) -> list[dict]:
    """The well-formed variants only, each with exactly the fields the page uses."""
    kept = []
    for v in variants if isinstance(variants, list) else []:
        if (isinstance(v, dict) and isinstance(v.get("url"), str) and v.get("content_type") in _VARIANT_TYPES
                and all(isinstance(v.get(n), int) and v[n] > 0 for n in ("width", "height"))):
            kept.append({"width": v["width"], "height": v["height"], "url": v["url"],
                         "content_type": v["content_type"], "bytes": v.get("bytes")})
    return kept


def save_asset(session: Session, partner_id: str, kind: str, url: str, width: int, height: int,
               sha256: str, updated_at: datetime, variants: list | None = None) -> bool:
    """Store a brand asset unless we hold a newer one of that kind; True when stored.
    ``variants``: the branded image's resized copies as assets lists them."""
    if kind not in ASSET_KEYS:
        return False
    row = session.get(PublicAsset, (partner_id, kind))
    if row is not None and row.updated_at >= updated_at:
        return False
    row = row or PublicAsset(partner_id=partner_id, kind=kind)
    row.url, row.width, row.height, row.sha256, row.updated_at = url, width, height, sha256, updated_at
    row.variants = json.dumps(_kept_variants(variants or []))
    session.add(row)
    session.flush()
    page = session.get(PublicPage, partner_id)
    if page is not None:
        _touch(session, page)
    return True


def _touch(session: Session, page: PublicPage) -> None:
    session.flush()
    shas = sorted(f"{a.kind}:{a.sha256}" for a in _assets(session, page.partner_id))
    seed = f"{page.version}|{page.published}|{page.slug}|{'|'.join(shas)}|{page.content}"
    page.etag = hashlib.sha256(seed.encode()).hexdigest()[:32]
    page.changed_at = utcnow()
    session.info["pages_changed"] = True
    if session.get_bind().dialect.name == "postgresql":  # heard at commit by every process's listener
        session.execute(text("SELECT pg_notify(:channel, :slug)"), {"channel": CHANGES, "slug": page.slug})


@event.listens_for(Session, "after_commit")
def _tell_this_process(session: Session) -> None:
    """The writing process hears of its own change at once, before any notification arrives."""
    if session.info.pop("pages_changed", False):
        for listener in list(CHANGE_LISTENERS):
            listener.changed()


@event.listens_for(Session, "after_rollback")
def _forget(session: Session) -> None:
    session.info.pop("pages_changed", None)


def _assets(session: Session, partner_id: str) -> list[PublicAsset]:
    return list(session.scalars(select(PublicAsset).where(PublicAsset.partner_id == partner_id)))


_HEAD = (select(PublicPage.partner_id, PublicPage.slug, PublicPage.etag, PublicPage.changed_at)
         .where(PublicPage.slug == bindparam("slug"), PublicPage.published.is_(True)))


def published_head(conn, slug: str) -> PageHead | None:
    """The published page under ``slug``, without its content; None when there is none.
    The hot path of every public request: one indexed lookup on a read connection."""
    row = conn.execute(_HEAD, {"slug": slug}).first()
    return PageHead(*row) if row else None


def public_content(session: Session, partner_id: str) -> dict:
    """The page content with the newest brand assets merged in."""
    row = session.get(PublicPage, partner_id)
    page = json.loads(row.content or "{}")
    assets = dict(page.get("assets") or {})
    for asset in _assets(session, partner_id):
        assets[ASSET_KEYS[asset.kind]] = {"url": asset.url, "width": asset.width, "height": asset.height,
                                          "variants": json.loads(asset.variants or "[]")}
    page["assets"] = {key: assets.get(key) for key in ASSET_KEYS.values()}
    return page


def published_slugs(session: Session) -> list[tuple[str, datetime]]:
    return list(session.execute(select(PublicPage.slug, PublicPage.changed_at)
                                .where(PublicPage.published.is_(True)).order_by(PublicPage.slug)))
