"""Membership's use cases: one function per command."""
from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from services.common import members
from services.common.auth import API_KEY_KIND, API_KEY_SUBJECT
from services.common.db import utcnow
from services.common.errors import Problem
from services.common.runtime import Runtime

from . import domain, events
from .models import Account, ApiKey, Invitation, Membership, OutgoingMail, Partner


def create_account(runtime: Runtime, session: Session, email: str, password: str, name: str) -> Account:
    """A new, unverified account and the mail with its verification link (API.md, Changed rules).
    The address of an unverified account older than 24 hours is taken over; any other
    existing account's is 409 ``email_taken``."""
    email = domain.normalise_email(email)
    weakness = domain.password_weakness(password, email)
    if weakness:
        raise Problem(422, "weak_password", weakness, errors={"password": [weakness]})
    existing = session.scalar(select(Account).where(Account.email == email))
    if existing is not None:
        if existing.verified_at is not None or existing.created_at > utcnow() - domain.VERIFICATION_GRACE:
            raise Problem(409, "email_taken", "An account with this email exists.")
        session.delete(existing)  # never verified: no memberships, nothing else points at it
        session.flush()
    token, digest = domain.new_token()
    account = Account(email=email, name=name.strip(), password_hash=domain.hash_password(password),
                      verification_hash=digest)
    session.add(account)
    try:
        session.flush()
    except IntegrityError as exc:
        raise Problem(409, "email_taken", "An account with this email exists.") from exc
    subject, body = domain.verification_email(f"{runtime.config.public_url}/verify-email/{token}")
    session.add(OutgoingMail(recipient=email, subject=subject, body=body))
    return account


def verify_email(session: Session, token: str) -> None:
    """The account whose mailed link holds ``token`` is verified; the link works once."""
    account = session.scalar(select(Account).where(Account.verification_hash == domain.token_hash(token)))
    if account is None:
        raise Problem(404, "verification_not_found", "This link is not valid, or it was used already.")
    account.verified_at, account.verification_hash = utcnow(), None


def confirm_email(session: Session, email: str) -> Account:
    """An operator confirms an address they checked themselves (``verify-email`` on the command
    line, the demo seed): the account is verified as if its owner had opened the link."""
    account = session.scalar(select(Account).where(Account.email == domain.normalise_email(email)))
    if account is None:
        raise Problem(404, "account_not_found", "No account has this email.")
    if account.verified_at is None:
        account.verified_at, account.verification_hash = utcnow(), None
    return account


def account_by_email(session: Session, email: str) -> Account | None:
    return session.scalar(select(Account).where(Account.email == domain.normalise_email(email)))


def authenticate(session: Session, account: Account | None, password: str) -> Account:
    """The account when ``password`` is its own; 401 ``invalid_credentials`` otherwise, with the
    same work whether or not the account exists."""
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
    if admin.verified_at is None:
        raise Problem(422, "account_not_verified", "This account has not confirmed its email address yet.",
                      errors={"admin_email": ["The account has not confirmed this address yet."]})
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


# -- members and invitations

def current_role(session: Session, partner_id: str, account_id: str) -> str | None:
    """``admin`` or ``member`` for an account, ``api_key`` for a live API key of this partner
    (``api_key:<id>``, api_keys.py), None for anyone else."""
    if account_id.startswith(API_KEY_SUBJECT):
        found = session.scalar(select(ApiKey.id).where(ApiKey.id == account_id.removeprefix(API_KEY_SUBJECT),
                                                       ApiKey.partner_id == partner_id, ApiKey.revoked_at.is_(None)))
        return API_KEY_KIND if found else None
    return session.scalar(select(Membership.role).where(Membership.partner_id == partner_id,
                                                        Membership.account_id == account_id))


def role_in(session: Session, partner_id: str, account_id: str) -> str:
    """The caller's role in the partner; 404 for anyone else (and for unknown partners)."""
    role = current_role(session, partner_id, account_id)
    if role is None:
        raise Problem(404, "not_found", "No such partner.")
    return role


def require_admin(session: Session, partner_id: str, account_id: str) -> None:
    """403 ``admin_only`` for a member, ``forbidden`` for an API key."""
    members.require_admin(role_in(session, partner_id, account_id), "Only the partner's admin can do this.")


def members_of(session: Session, partner_id: str) -> list[dict]:
    rows = session.execute(select(Account, Membership.role).join(Membership, Membership.account_id == Account.id)
                           .where(Membership.partner_id == partner_id).order_by(Account.email)).all()
    return [{"account_id": a.id, "email": a.email, "name": a.name, "role": role} for a, role in rows]


def remove_member(runtime: Runtime, session: Session, partner_id: str, actor: str, account_id: str) -> None:
    """Admins may remove anyone, themselves included, but never the last admin (roles.py)."""
    from .roles import remove
    remove(runtime, session, partner_id, actor, account_id)


def invite(runtime: Runtime, session: Session, partner_id: str, actor: str, emails: list[str],
           message: str) -> list[Invitation]:
    require_admin(session, partner_id, actor)
    emails = [domain.normalise_email(e) for e in emails]
    members = {m["email"] for m in members_of(session, partner_id)}
    already = [e for e in emails if e in members]
    if already:
        raise Problem(409, "already_member", "Already a member: " + ", ".join(already), emails=already)
    return [_send_invitation(runtime, session, partner_id, actor, email, message) for email in emails]


def _send_invitation(runtime, session, partner_id, actor, email, message) -> Invitation:
    for old in session.scalars(select(Invitation).where(Invitation.partner_id == partner_id,
                                                        Invitation.email == email, Invitation.status == "pending")):
        old.status = "revoked"  # one live invitation per email: the newest
    token, digest = domain.new_token()
    invitation = Invitation(partner_id=partner_id, email=email, token_hash=digest, message=message or "",
                            invited_by=actor, expires_at=utcnow() + timedelta(days=domain.INVITATION_DAYS))
    session.add(invitation)
    session.flush()
    _mail_invitation(runtime, session, invitation, token)
    return invitation


def _mail_invitation(runtime, session, invitation: Invitation, token: str) -> None:
    partner, inviter = session.get(Partner, invitation.partner_id), session.get(Account, invitation.invited_by)
    link = f"{runtime.config.public_url}/invitations/{token}"
    subject, body = domain.invitation_email(partner.name, inviter.name if inviter else "Your team", link,
                                            invitation.message)
    session.add(OutgoingMail(recipient=invitation.email, subject=subject, body=body))
    runtime.emit(session, events.INVITATION_SENT, {
        "invitation_id": invitation.id, "partner_id": invitation.partner_id, "email": invitation.email,
        "expires_at": invitation.expires_at})


def invitation_of(session: Session, partner_id: str, invitation_id: str) -> Invitation:
    invitation = session.get(Invitation, invitation_id)
    if invitation is None or invitation.partner_id != partner_id:
        raise Problem(404, "not_found", "No such invitation.")
    return invitation


def resend(runtime, session, partner_id, actor, invitation_id) -> Invitation:
    """A new token and a new email; the old link stops working."""
    require_admin(session, partner_id, actor)
    invitation = invitation_of(session, partner_id, invitation_id)
    if invitation.status != "pending":
        raise Problem(409, f"invitation_{invitation.status}", f"This invitation is {invitation.status}.")
    token, invitation.token_hash = domain.new_token()
    invitation.expires_at = utcnow() + timedelta(days=domain.INVITATION_DAYS)
    _mail_invitation(runtime, session, invitation, token)
    return invitation


def revoke(session, partner_id, actor, invitation_id) -> None:
    require_admin(session, partner_id, actor)
    invitation = invitation_of(session, partner_id, invitation_id)
    if invitation.status == "pending":
        invitation.status = "revoked"


def _invitation_by_token(session: Session, token: str) -> Invitation:
    invitation = session.scalar(select(Invitation).where(Invitation.token_hash == domain.token_hash(token)))
    if invitation is None:
        raise Problem(404, "invitation_not_found", "No such invitation.")
    return invitation


def invitation_facts(session: Session, token: str) -> dict:
    """The invitation's public facts by its token, without using it: partner and inviter names,
    the invited email and its status (a pending one past ``expires_at`` reads ``expired``)."""
    invitation = _invitation_by_token(session, token)
    partner, inviter = session.get(Partner, invitation.partner_id), session.get(Account, invitation.invited_by)
    status = "expired" if invitation.status == "pending" and invitation.expires_at <= utcnow() \
        else invitation.status
    return {"partner_id": invitation.partner_id, "partner_name": partner.name,
            "inviter_name": inviter.name if inviter else "", "email": invitation.email, "status": status}


def accept(runtime: Runtime, session: Session, account_id: str, token: str) -> str:
    """Join the partner of the invitation; the signed-in account's email must match."""
    invitation = _invitation_by_token(session, token)
    if invitation.status == "accepted":
        raise Problem(410, "invitation_used", "This invitation was used already.")
    if invitation.status == "revoked":
        raise Problem(410, "invitation_revoked", "This invitation was revoked.")
    if invitation.expires_at <= utcnow():
        raise Problem(410, "invitation_expired", "This invitation has expired.")
    account = session.get(Account, account_id)
    if account is None or account.email != invitation.email:
        raise Problem(403, "email_mismatch", "This invitation is for another email address.")
    invitation.status, invitation.accepted_at = "accepted", utcnow()
    if account.verified_at is None:  # the invitation's link was mailed to this address too
        account.verified_at, account.verification_hash = utcnow(), None
    if session.scalar(select(Membership.id).where(Membership.partner_id == invitation.partner_id,
                                                  Membership.account_id == account_id)) is None:
        session.add(Membership(partner_id=invitation.partner_id, account_id=account_id, role=domain.MEMBER))
        runtime.emit(session, events.MEMBER_JOINED, {"partner_id": invitation.partner_id,
                                                     "account_id": account_id, "role": domain.MEMBER})
    return invitation.partner_id
