"""Catalog's tables: experts pages and what it keeps of other services' facts."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base, utcnow
from services.common.members import members_table
from services.common.outbox import outbox_table

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
members = members_table(Base.metadata)


class Page(Base):
    """A partner's experts page; made when membership grants the partner access."""

    __tablename__ = "pages"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    published: Mapped[bool] = mapped_column(default=False)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
