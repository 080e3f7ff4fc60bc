"""Assets' tables: every version of every brand asset (the bytes live in storage)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base
from services.common.members import members_table
from services.common.outbox import outbox_table

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
members = members_table(Base.metadata)


class AssetVersion(Base):
    """One upload of one kind of brand asset; the newest of a kind is the current one."""

    __tablename__ = "asset_versions"
    __table_args__ = (
        Index("ix_asset_versions_current", "partner_id", "kind", "id"),
        Index("ix_asset_versions_key", "key"),
    )

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    sha256: Mapped[str] = mapped_column(String(64))
    key: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int | None] = mapped_column(Integer, nullable=True)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    uploaded_by: Mapped[str] = mapped_column(String(36))
    uploaded_at: Mapped[datetime] = mapped_column()
