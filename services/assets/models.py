"""Assets' tables: every version of every brand asset (the bytes live in storage)."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String
from sqlalchemy.orm import Mapped, mapped_column, relationship

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
    variants: Mapped[list["AssetVariant"]] = relationship(
        lazy="selectin", order_by="(AssetVariant.width, AssetVariant.content_type)")


class AssetVariant(Base):
    """A resized copy of a branded image version (services.assets.variants), under its own
    content address; served like the original."""

    __tablename__ = "asset_variants"
    __table_args__ = (Index("ix_asset_variants_key", "key"),)

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    version_id: Mapped[int] = mapped_column(ForeignKey("asset_versions.id"), index=True)
    key: Mapped[str] = mapped_column(String(120))
    content_type: Mapped[str] = mapped_column(String(40))
    width: Mapped[int] = mapped_column(Integer)
    height: Mapped[int] = mapped_column(Integer)
    bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
