"""The gateway's read model: every published page as the public sees it, built from
catalog's page events and assets' asset events, so a public request calls no service."""
from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base, utcnow

Base = make_base()
inbox = inbox_table(Base.metadata)


class PublicPage(Base):
    """A partner's page as catalog last described it (published or not)."""

    __tablename__ = "public_pages"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    version: Mapped[int] = mapped_column(default=0)
    published: Mapped[bool] = mapped_column(default=False)
    content: Mapped[str] = mapped_column(Text, default="{}")
    etag: Mapped[str] = mapped_column(String(64), default="")
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class PublicAsset(Base):
    """The current brand asset of each kind, straight from assets (newest wins)."""

    __tablename__ = "public_assets"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column()
    # JSON list of the branded image's resized copies, [{width, height, url, content_type, bytes}]
    variants: Mapped[str] = mapped_column(Text, default="[]", server_default="[]")


class PortalSession(Base):
    """A browser signed in to the portal. The cookie holds a random id; this row holds its
    hash, the account and the current access token (renewed through membership)."""

    __tablename__ = "portal_sessions"
    id_hash: Mapped[str] = mapped_column(String(64), primary_key=True)
    account_id: Mapped[str] = mapped_column(String(36), index=True)
    access_token: Mapped[str] = mapped_column(Text)
    token_expires_at: Mapped[datetime] = mapped_column()
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class AnalyticsCount(Base):
    """How many views or clicks of one kind a partner's public page had on one UTC day
    (gateway/public/analytics.py): ``metric`` view, click, use_case, expert, offering,
    referrer or embed; ``key`` the use case, expert or offering id or the host ('' for the
    totals)."""

    __tablename__ = "analytics_counts"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    metric: Mapped[str] = mapped_column(String(16), primary_key=True)
    key: Mapped[str] = mapped_column(String(200), primary_key=True)
    count: Mapped[int] = mapped_column(default=0)


class AnalyticsVisitor(Base):
    """One distinct visitor of a partner's page on one day, as the day's salted hash only."""

    __tablename__ = "analytics_visitors"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    day: Mapped[date] = mapped_column(primary_key=True)
    visitor: Mapped[str] = mapped_column(String(32), primary_key=True)


class AnalyticsSalt(Base):
    """The random salt of today's visitor hashes (older days' are deleted)."""

    __tablename__ = "analytics_salts"
    day: Mapped[date] = mapped_column(primary_key=True)
    salt: Mapped[str] = mapped_column(String(64))
