"""Catalog's tables: experts pages, use cases, curation, offerings, the talent search index,
per-partner verdicts, brand assets it knows of, and the activity log."""
from __future__ import annotations

from datetime import datetime

from sqlalchemy import ForeignKey, Index, String, Text, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from services.common.consumer import inbox_table
from services.common.db import make_base, new_id, utcnow
from services.common.idempotency import idempotency_table
from services.common.members import members_table
from services.common.outbox import outbox_table

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
members = members_table(Base.metadata)
idempotency = idempotency_table(Base.metadata)


class Page(Base):
    """A partner's experts page; made when membership grants the partner access."""

    __tablename__ = "pages"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    name: Mapped[str] = mapped_column(String(120))
    slug: Mapped[str] = mapped_column(String(60), unique=True)
    published: Mapped[bool] = mapped_column(default=False)
    version: Mapped[int] = mapped_column(default=0)
    headline: Mapped[str] = mapped_column(String(80), default="")
    intro: Mapped[str] = mapped_column(Text, default="")
    embed_origins: Mapped[str] = mapped_column(Text, default="[]")  # JSON list of https origins
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class UseCase(Base):
    __tablename__ = "use_cases"
    __table_args__ = (UniqueConstraint("partner_id", "name_key"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    partner_id: Mapped[str] = mapped_column(String(36), index=True)
    name: Mapped[str] = mapped_column(String(60))
    name_key: Mapped[str] = mapped_column(String(60))
    slug: Mapped[str] = mapped_column(String(60), default="")  # the current one (UseCaseSlug holds every one)
    description: Mapped[str] = mapped_column(String(500), default="")
    position: Mapped[int] = mapped_column(default=0)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class UseCaseSlug(Base):
    """Every slug a use case of the partner has had: the current one and those it had before a
    rename, which the public page answers with a 301 to the current one. A slug belongs to one
    use case of the partner for as long as that use case lives."""

    __tablename__ = "use_case_slugs"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    slug: Mapped[str] = mapped_column(String(60), primary_key=True)
    use_case_id: Mapped[str] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)


class Curation(Base):
    """A freelancer's standing in a use case: pending, approved, declined or removed."""

    __tablename__ = "curation"
    __table_args__ = (Index("ix_curation_partner_freelancer", "partner_id", "freelancer_id"),)
    use_case_id: Mapped[str] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), primary_key=True)
    freelancer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    status: Mapped[str] = mapped_column(String(10))
    reasons: Mapped[str] = mapped_column(String(200), default="")
    decided_at: Mapped[datetime | None] = mapped_column(nullable=True)
    decided_by: Mapped[str | None] = mapped_column(String(36), nullable=True)


class FeaturedOffering(Base):
    __tablename__ = "featured_offerings"
    __table_args__ = (UniqueConstraint("use_case_id", "kind", "freelancer_id", "offering_id"),)
    id: Mapped[str] = mapped_column(String(36), primary_key=True, default=new_id)
    use_case_id: Mapped[str] = mapped_column(ForeignKey("use_cases.id", ondelete="CASCADE"), index=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    kind: Mapped[str] = mapped_column(String(20))
    offering_id: Mapped[str] = mapped_column(String(64))
    freelancer_id: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)


class TalentProfile(Base):
    """The search index row of a freelancer, from eligibility's profile events."""

    __tablename__ = "talent_profiles"
    __table_args__ = (Index("ix_talent_name", "name", "freelancer_id"),)
    freelancer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    name: Mapped[str] = mapped_column(String(200))
    title: Mapped[str] = mapped_column(String(200))
    skills: Mapped[str] = mapped_column(Text)  # JSON list
    skills_key: Mapped[str] = mapped_column(Text)  # |skill|skill| lowercased, for filtering
    hourly_rate: Mapped[float] = mapped_column()
    country: Mapped[str] = mapped_column(String(2))
    jss: Mapped[int] = mapped_column()
    badges: Mapped[str] = mapped_column(String(200))  # |badge|badge|
    projects: Mapped[str] = mapped_column(Text)
    consultations: Mapped[str] = mapped_column(Text)
    profile_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    photo_url: Mapped[str | None] = mapped_column(String(2000), nullable=True)
    availability: Mapped[str | None] = mapped_column(String(20), nullable=True)
    eligible: Mapped[bool] = mapped_column()
    ineligible_reasons: Mapped[str] = mapped_column(String(200))
    eligible_for_partners: Mapped[str] = mapped_column(Text)  # |partner|partner|
    search_text: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column()


class PartnerVerdict(Base):
    """The latest verdict eligibility published for a (partner, freelancer) pair."""

    __tablename__ = "partner_verdicts"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    freelancer_id: Mapped[str] = mapped_column(String(64), primary_key=True)
    eligible: Mapped[bool] = mapped_column()
    reasons: Mapped[str] = mapped_column(String(200), default="")
    at_risk: Mapped[bool] = mapped_column(default=False)


class BrandAsset(Base):
    __tablename__ = "brand_assets"
    partner_id: Mapped[str] = mapped_column(String(36), primary_key=True)
    kind: Mapped[str] = mapped_column(String(20), primary_key=True)
    url: Mapped[str] = mapped_column(String(500))
    width: Mapped[int] = mapped_column()
    height: Mapped[int] = mapped_column()
    sha256: Mapped[str] = mapped_column(String(64))
    updated_at: Mapped[datetime] = mapped_column()


class Activity(Base):
    __tablename__ = "activity"
    __table_args__ = (Index("ix_activity_partner", "partner_id", "id"),)
    id: Mapped[int] = mapped_column(primary_key=True, autoincrement=True)
    partner_id: Mapped[str] = mapped_column(String(36))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    actor: Mapped[str] = mapped_column(String(36))
    action: Mapped[str] = mapped_column(String(60))
    subject_type: Mapped[str] = mapped_column(String(30))
    subject_id: Mapped[str] = mapped_column(String(64))
    reasons: Mapped[str] = mapped_column(String(200), default="")
    use_case_id: Mapped[str | None] = mapped_column(String(36), nullable=True)  # where it happened
