"""The gateway's read model of published pages, built from the services' events."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base, utcnow

Base = make_base()
inbox = inbox_table(Base.metadata)


class PartnerView(Base):
    """What the public page shows of a partner company."""

    __tablename__ = "partner_views"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
