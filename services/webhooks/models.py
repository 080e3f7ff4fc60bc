"""Webhooks' tables: partners' endpoints, their signing secrets and every delivery."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, Integer, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base, new_id, utcnow
from services.common.idempotency import idempotency_table
from services.common.members import members_table

Base = make_base()
inbox = inbox_table(Base.metadata)
members = members_table(Base.metadata)
idempotency_keys = idempotency_table(Base.metadata)


class Endpoint(Base):
    """A URL of a partner's that receives the events it subscribed to.

    ``failing_since``: when the current run of failed attempts began (null after a success);
    ``disabled_at``: set once it failed for ``disable_after``; ``notice_sent_at``: when
    membership took the mail to the partner's admins about it."""

    __tablename__ = "webhook_endpoints"
    __table_args__ = (Index("ix_webhook_endpoints_partner", "partner_id", "created_at"),)

    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(String(36))
    url: Mapped[str] = mapped_column(String(2000))
    events: Mapped[str] = mapped_column(String(400))  # space-separated event names
    description: Mapped[str] = mapped_column(String(500), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    failing_since: Mapped[datetime | None] = mapped_column(nullable=True)
    disabled_at: Mapped[datetime | None] = mapped_column(nullable=True)
    notice_sent_at: Mapped[datetime | None] = mapped_column(nullable=True)

    @property
    def event_list(self) -> list[str]:
        return self.events.split()


class EndpointSecret(Base):
    """A signing secret; one without ``expires_at`` is the current one, a rotated-out one signs
    until ``expires_at`` (24 hours after the rotation)."""

    __tablename__ = "webhook_secrets"

    id: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"), index=True)
    secret: Mapped[str] = mapped_column(String(100))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime | None] = mapped_column(nullable=True)


class Delivery(Base):
    """One event for one endpoint, and where its attempts stand.

    ``id`` is the ``webhook-id`` sent on every attempt; ``seq`` orders the rows.
    ``status``: ``pending``, ``succeeded`` or ``failed``. A worker holds a row it is sending
    until ``claimed_until``; a worker that died leaves it to be claimed again after that."""

    __tablename__ = "webhook_deliveries"
    __table_args__ = (
        Index("ix_webhook_deliveries_due", "status", "next_attempt_at"),
        Index("ix_webhook_deliveries_endpoint", "endpoint_id", "seq"),
        UniqueConstraint("endpoint_id", "event_id", name="uq_webhook_deliveries_event"),  # one per event
    )

    seq: Mapped[int] = mapped_column(Integer, primary_key=True, autoincrement=True)
    id: Mapped[str] = mapped_column(String(40), unique=True)
    endpoint_id: Mapped[str] = mapped_column(ForeignKey("webhook_endpoints.id", ondelete="CASCADE"))
    partner_id: Mapped[str] = mapped_column(String(36))
    event_id: Mapped[str] = mapped_column(String(64))
    event_type: Mapped[str] = mapped_column(String(40))
    body: Mapped[str] = mapped_column(Text)
    status: Mapped[str] = mapped_column(String(10), default="pending")
    attempts: Mapped[int] = mapped_column(default=0)
    last_status_code: Mapped[int | None] = mapped_column(nullable=True)
    last_error: Mapped[str | None] = mapped_column(String(500), nullable=True)
    next_attempt_at: Mapped[datetime | None] = mapped_column(nullable=True)
    claimed_until: Mapped[datetime | None] = mapped_column(nullable=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    delivered_at: Mapped[datetime | None] = mapped_column(nullable=True)
