"""Who belongs to which partner, as every partner-scoped service sees it.

A read model fed by membership's events (access granted, member joined,
member removed), kept in the consuming service's own database. Views call
``require_member_of`` so that another partner's ids answer 404, as if they
did not exist.
"""
from __future__ import annotations

from flask import g
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, delete, select
from sqlalchemy.orm import Session

from .bus.envelope import Envelope
from .errors import Problem

ACCESS_GRANTED = "membership.access.granted"
MEMBER_JOINED = "membership.member.joined"
MEMBER_REMOVED = "membership.member.removed"


def members_table(metadata: MetaData) -> Table:
    return Table(
        "partner_members", metadata,
        Column("partner_id", String(36), nullable=False),
        Column("account_id", String(36), nullable=False),
        Column("role", String(10), nullable=False),
        PrimaryKeyConstraint("partner_id", "account_id"),
    )


def membership_handlers(members: Table) -> dict:
    """Consumer handlers that keep ``members`` in step with membership's events."""

    def joined(session: Session, envelope: Envelope) -> None:
        p = envelope.payload
        session.execute(delete(members).where(members.c.partner_id == p["partner_id"],
                                              members.c.account_id == p["account_id"]))
        session.execute(members.insert().values(partner_id=p["partner_id"],
                                                account_id=p["account_id"], role=p["role"]))

    def removed(session: Session, envelope: Envelope) -> None:
        p = envelope.payload
        session.execute(delete(members).where(members.c.partner_id == p["partner_id"],
                                              members.c.account_id == p["account_id"]))

    return {MEMBER_JOINED: joined, MEMBER_REMOVED: removed}


def role_of(session: Session, members: Table, partner_id: str, account_id: str) -> str | None:
    return session.execute(select(members.c.role).where(
        members.c.partner_id == partner_id, members.c.account_id == account_id)).scalar()


def require_member_of(session: Session, members: Table, partner_id: str) -> str:
    """The caller's role in this partner; 404 when they are not one of its members."""
    principal = g.principal
    role = role_of(session, members, partner_id, principal.account_id) if principal.account_id else None
    if role is None:
        raise Problem(404, "not_found", "No such partner.")
    return role
