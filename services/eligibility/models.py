"""Eligibility's tables: the talent directory, watched pairs and verdict history."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import Index, String, Text
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base, utcnow
from services.common.outbox import outbox_table

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)


class Talent(Base):
    """A freelancer's talent document as last accepted (``updated_at`` orders updates)."""

    __tablename__ = "talent"
    freelancer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    document: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column()


class WatchedPair(Base):
    """A (partner, freelancer) pair catalog features, with the verdict last published for it."""

    __tablename__ = "watched_pairs"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    freelancer_id: Mapped[str] = mapped_column(String(64), primary_key=True, index=True)
    eligible: Mapped[bool] = mapped_column(default=True)
    reasons: Mapped[str] = mapped_column(String(200), default="")
    at_risk: Mapped[bool] = mapped_column(default=False)
    since: Mapped[datetime] = mapped_column(default=utcnow)


class VerdictRecord(Base):
    """One change of verdict: the rules that flipped, their values before and after, when."""

    __tablename__ = "verdict_history"
    __table_args__ = (Index("ix_history_freelancer", "freelancer_id", "id"),
                      Index("ix_history_partner", "partner_id", "id"))
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    freelancer_id: Mapped[str] = mapped_column(String(64))
    eligible: Mapped[bool] = mapped_column()
    reasons: Mapped[str] = mapped_column(String(200))
    at_risk: Mapped[bool] = mapped_column()
    rules: Mapped[str] = mapped_column(Text)
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)
