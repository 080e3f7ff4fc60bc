"""Membership's use cases: one function per command."""
from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common.errors import Problem
from services.common.runtime import Runtime

from . import domain, events
from .models import Account, Membership, Partner


def create_account(session: Session, email: str, password: str, name: str) -> Account:
    email = domain.normalise_email(email)
    if session.scalar(select(Account.id).where(Account.email == email)):
        raise Problem(409, "email_taken", "An account with this email exists.")
    account = Account(email=email, name=name.strip(), password_hash=domain.hash_password(password))
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Problem(409, "email_taken", "An account with this email exists.") from exc
    return account


def authenticate(session: Session, email: str, password: str) -> Account:
    account = session.scalar(select(Account).where(Account.email == domain.normalise_email(email)))
    if not domain.password_matches(account.password_hash if account else None, password):
        raise Problem(401, "invalid_credentials", "Email or password is wrong.")
    return account


def partners_of(session: Session, account_id: str) -> list[dict]:
    rows = session.execute(select(Partner, Membership.role).join(Membership)
                           .where(Membership.account_id == account_id).order_by(Partner.name)).all()
    return [{"id": p.id, "name": p.name, "slug": p.slug, "role": role} for p, role in rows]


def grant_access(runtime: Runtime, session: Session, name: str, slug: str, admin_email: str) -> Partner:
    """An operator makes a partner company with this account as its admin."""
    admin = session.scalar(select(Account).where(Account.email == domain.normalise_email(admin_email)))
    if admin is None:
        raise Problem(422, "account_not_found", "No account has this email.",
                      errors={"admin_email": ["No account has this email."]})
    if session.scalar(select(Partner.id).where(Partner.slug == slug)):
        raise Problem(409, "slug_taken", "This slug is taken.")
    partner = Partner(name=name.strip(), slug=slug, admin_account_id=admin.id)
    session.add(partner)
    session.flush()
    session.add(Membership(partner_id=partner.id, account_id=admin.id, role=domain.ADMIN))
    runtime.emit(session, events.ACCESS_GRANTED, {
        "partner_id": partner.id, "name": partner.name, "slug": partner.slug,
        "admin_account_id": admin.id})
    runtime.emit(session, events.MEMBER_JOINED, {
        "partner_id": partner.id, "account_id": admin.id, "role": domain.ADMIN})
    return partner
