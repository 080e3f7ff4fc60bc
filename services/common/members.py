"""Who belongs to which partner, as every partner-scoped service sees it.

Access decisions never wait for the bus (DESIGN.md, second round): ``require_member_of``
asks membership itself (``LiveMembers``, its internal call
``GET /internal/v1/partners/<pid>/members/<account_id>``), remembering each answer for at
most ``LIVE_MEMBER_SECONDS`` (1 s), so a removed member is refused everywhere within a
second and a member who just joined is recognised at once, however far behind the
consumers are. Only when membership cannot answer (down, slow, an older version without
the call) does the decision fall back to a read model fed by membership's events (access
granted, member joined, member removed, role changed), kept in the consuming service's own database.
Views call ``require_member_of`` so that another partner's ids answer 404, as if they
did not exist.
"""
from __future__ import annotations

import json
import threading
import time
from typing import Callable
from urllib.parse import quote

import structlog
import urllib3
from flask import current_app, g
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table, delete, select
from sqlalchemy.orm import Session

from .auth import API_KEY_KIND
from .bus.envelope import Envelope
from .errors import Problem

ACCESS_GRANTED = "membership.access.granted"
MEMBER_JOINED = "membership.member.joined"
MEMBER_REMOVED = "membership.member.removed"
MEMBER_ROLE_CHANGED = "membership.member.role_changed"  # promoted to admin or made a member
LIVE_MEMBER_SECONDS = 1.0   # how old a remembered answer of membership may be
UNREACHABLE_SECONDS = 2.0   # after a failed call, the read model decides for this long
MAX_REMEMBERED = 10_000     # answers kept per process; the oldest half goes when full

log = structlog.get_logger("members")


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

    return {MEMBER_JOINED: joined, MEMBER_REMOVED: removed, MEMBER_ROLE_CHANGED: joined}


def role_of(session: Session, members: Table, partner_id: str, account_id: str) -> str | None:
    return session.execute(select(members.c.role).where(
        members.c.partner_id == partner_id, members.c.account_id == account_id)).scalar()


class MembershipUnreachable(Exception):
    """Membership gave no usable answer: the caller decides from its read model."""


class LiveMembers:
    """A member's current role in a partner, from membership, each answer kept at most ``ttl``
    seconds in this process. Thread-safe; one per process (``live_members()``)."""

    def __init__(self, membership_url: str, service_token: str, ttl: float = LIVE_MEMBER_SECONDS,
                 timeout: urllib3.Timeout = urllib3.Timeout(connect=0.5, read=1.0),
                 clock: Callable[[], float] = time.monotonic, max_remembered: int = MAX_REMEMBERED):
        self.base_url, self.ttl, self.clock, self.max_remembered = membership_url.rstrip("/"), ttl, clock, max_remembered
        self.http = urllib3.PoolManager(maxsize=8, timeout=timeout, retries=False,
                                        headers={"Authorization": f"Bearer {service_token}"})
        self._answers: dict[tuple[str, str], tuple[float, str | None]] = {}
        self._unreachable_until = 0.0
        self._lock = threading.Lock()

    def role_of(self, partner_id: str, account_id: str) -> str | None:
        """``admin``, ``member`` or None (not a member); ``MembershipUnreachable`` when membership
        cannot tell, or could not tell within the last ``UNREACHABLE_SECONDS``."""
        now = self.clock()
        remembered = self._answers.get((partner_id, account_id))
        if remembered is not None and now - remembered[0] < self.ttl:
            return remembered[1]
        if now < self._unreachable_until:
            raise MembershipUnreachable("membership failed a moment ago")
        try:
            role = self._ask(partner_id, account_id)
        except MembershipUnreachable as exc:
            self._unreachable_until = self.clock() + UNREACHABLE_SECONDS
            log.warning("membership unreachable: access decided from the bus-fed read model",
                        error=str(exc), for_seconds=UNREACHABLE_SECONDS)
            raise
        self._remember((partner_id, account_id), now, role)
        return role

    def _ask(self, partner_id: str, account_id: str) -> str | None:
        url = f"{self.base_url}/internal/v1/partners/{quote(partner_id, safe='')}/members/{quote(account_id, safe='')}"
        try:
            answer = self.http.request("GET", url)
        except urllib3.exceptions.HTTPError as exc:
            raise MembershipUnreachable(repr(exc)) from exc
        if answer.status != 200:
            raise MembershipUnreachable(f"membership answered {answer.status}")
        try:
            role = json.loads(answer.data)["role"]
        except (ValueError, KeyError, TypeError) as exc:
            raise MembershipUnreachable("membership's answer is not a member check") from exc
        if role not in (None, "admin", "member", API_KEY_KIND):
            raise MembershipUnreachable(f"unknown role {role!r}")
        return role

    def _remember(self, key: tuple[str, str], at: float, role: str | None) -> None:
        with self._lock:
            if len(self._answers) >= self.max_remembered:
                for old in sorted(self._answers, key=lambda k: self._answers[k][0])[: self.max_remembered // 2]:
                    del self._answers[old]
            self._answers[key] = (at, role)


def live_members() -> LiveMembers:
    """This app's ``LiveMembers``, made on first use from the service's config."""
    members = current_app.extensions.get("live_members")
    if members is None:
        config = current_app.config["PORTAL"]
        members = current_app.extensions.setdefault(
            "live_members", LiveMembers(config.url_of("membership"), config.operator_token))
    return members


def require_member_of(session: Session, members: Table, partner_id: str) -> str:
    """The caller's role in this partner, as membership knows it now (at most a second old);
    404 when they are not one of its members. The bus-fed ``members`` table decides only
    while membership cannot answer. An API key's principal is ``api_key`` in the one partner
    its token names, while membership holds the key live (else, membership unreachable, on
    the token's word alone), and 404 in every other."""
    principal = g.principal
    account_id = principal.account_id
    role = None
    if principal.api_key and principal.claims.get("partner_id") != partner_id:
        account_id = None
    if account_id:
        try:
            role = live_members().role_of(partner_id, account_id)
        except MembershipUnreachable:
            role = API_KEY_KIND if principal.api_key else role_of(session, members, partner_id, account_id)
    if role is None:
        raise Problem(404, "not_found", "No such partner.")
    return role


def require_admin(role: str, detail: str = "Only the partner's admins can do this.") -> None:
    """403 unless ``role`` (``require_member_of``'s answer) is ``admin``: ``forbidden`` for an
    API key (API.md: keys never act on admin-only routes), ``admin_only`` for a member."""
    if role == API_KEY_KIND:
        raise Problem(403, "forbidden", "An API key cannot do this; it needs a partner admin.")
    if role != "admin":
        raise Problem(403, "admin_only", detail)
