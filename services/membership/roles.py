"""Several admins per partner (API.md, second round: the PATCH members row and "Admins"):
promote and demote, remove, and the last-admin rule."""
from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from services.common.errors import Problem
from services.common.runtime import Runtime

from . import domain, events
from .models import Membership, Partner


def _locked_membership(session: Session, partner_id: str, account_id: str) -> Membership:
    """The member's row, with the partner locked first: two admins demoting or removing each
    other at the same moment are decided one after the other, so one admin always stays."""
    session.scalar(select(Partner.id).where(Partner.id == partner_id).with_for_update())
    membership = session.scalar(select(Membership).where(Membership.partner_id == partner_id,
                                                         Membership.account_id == account_id))
    if membership is None:
        raise Problem(404, "not_found", "No such member.")
    return membership


def _refuse_losing_the_last_admin(session: Session, membership: Membership) -> None:
    if membership.role != domain.ADMIN:
        return
    admins = session.scalar(select(func.count()).select_from(Membership).where(
        Membership.partner_id == membership.partner_id, Membership.role == domain.ADMIN))
    if admins <= 1:
        raise Problem(409, "last_admin", "The team needs at least one admin: make someone else an admin first.")


def change_role(runtime: Runtime, session: Session, partner_id: str, actor: str, account_id: str,
                role: str) -> dict:
    """An admin makes a member an admin or an admin a member (themselves included, while
    another admin is left): 403 ``admin_only``, 404 ``not_found``, 409 ``last_admin``.
    Publishes ``membership.member.role_changed`` when the role changed."""
    from .handlers import require_admin  # handlers imports this module
    require_admin(session, partner_id, actor)
    membership = _locked_membership(session, partner_id, account_id)
    if membership.role != role:
        if role == domain.MEMBER:
            _refuse_losing_the_last_admin(session, membership)
        membership.role = role
        runtime.emit(session, events.MEMBER_ROLE_CHANGED, {"partner_id": partner_id, "account_id": account_id,
                                                          "role": role, "changed_by": actor})
    return membership


def remove(runtime: Runtime, session: Session, partner_id: str, actor: str, account_id: str) -> None:
    """An admin removes a member or another admin, or leaves; never the last admin (409
    ``last_admin``; this replaces the first round's "the admin cannot remove themselves")."""
    from .handlers import require_admin
    require_admin(session, partner_id, actor)
    membership = _locked_membership(session, partner_id, account_id)
    _refuse_losing_the_last_admin(session, membership)
    session.delete(membership)
    runtime.emit(session, events.MEMBER_REMOVED, {"partner_id": partner_id, "account_id": account_id,
                                                  "role": membership.role})
