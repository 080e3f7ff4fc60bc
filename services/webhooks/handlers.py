"""Webhooks' use cases: one function per command or question."""
from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlalchemy.orm import Session

from services.common.db import utcnow
from services.common.errors import Problem, not_found

from . import domain
from .models import Delivery, Endpoint, EndpointSecret

MAX_ENDPOINTS = 20  # per partner


def create_endpoint(session: Session, partner_id: str, url: str, events: list[str],
                    description: str) -> tuple[Endpoint, str]:
    """A new endpoint and its first secret (returned once, for the answer)."""
    count = session.scalar(select(func.count()).select_from(Endpoint).where(Endpoint.partner_id == partner_id))
    if count >= MAX_ENDPOINTS:
        raise Problem(409, "webhook_limit_reached", f"A partner has at most {MAX_ENDPOINTS} webhooks.")
    endpoint = Endpoint(partner_id=partner_id, url=url, events=" ".join(events), description=description,
                        created_at=utcnow())
    session.add(endpoint)
    session.flush()
    secret = domain.new_secret()
    session.add(EndpointSecret(endpoint_id=endpoint.id, secret=secret, created_at=endpoint.created_at))
    return endpoint, secret


def endpoints_of(session: Session, partner_id: str) -> list[Endpoint]:
    return list(session.scalars(select(Endpoint).where(Endpoint.partner_id == partner_id)
                                .order_by(Endpoint.created_at, Endpoint.id)))


def endpoint_of(session: Session, partner_id: str, endpoint_id: str) -> Endpoint:
    """The partner's endpoint; 404 for another partner's, as if it did not exist."""
    endpoint = session.get(Endpoint, endpoint_id)
    if endpoint is None or endpoint.partner_id != partner_id:
        raise not_found("webhook")
    return endpoint


def update_endpoint(session: Session, endpoint: Endpoint, changes: dict) -> Endpoint:
    """Change the URL, events or description; ``enabled: true`` re-enables a disabled endpoint
    (its failure clock starts again), ``false`` disables it."""
    if "url" in changes:
        endpoint.url = changes["url"]
    if "events" in changes:
        endpoint.events = " ".join(changes["events"])
    if "description" in changes:
        endpoint.description = changes["description"]
    if changes.get("enabled") is True and endpoint.disabled_at is not None:
        endpoint.disabled_at = endpoint.failing_since = endpoint.notice_sent_at = None
    elif changes.get("enabled") is False and endpoint.disabled_at is None:
        disable(session, endpoint, utcnow(), notice=False)
    return endpoint


def disable(session: Session, endpoint: Endpoint, now: datetime, notice: bool = True) -> None:
    """Stop delivering to the endpoint: its pending deliveries fail. With ``notice``, its
    partner's admins get a mail (``notices``); without, the partner did it themselves."""
    endpoint.disabled_at = now
    endpoint.notice_sent_at = None if notice else now
    session.execute(update(Delivery).where(Delivery.endpoint_id == endpoint.id, Delivery.status == "pending")
                    .values(status="failed", next_attempt_at=None, claimed_until=None,
                            last_error="the endpoint is disabled"))


def delete_endpoint(session: Session, endpoint: Endpoint) -> None:
    session.execute(delete(Delivery).where(Delivery.endpoint_id == endpoint.id))
    session.execute(delete(EndpointSecret).where(EndpointSecret.endpoint_id == endpoint.id))
    session.delete(endpoint)


def rotate_secret(session: Session, endpoint: Endpoint) -> str:
    """A new current secret; the ones live until now keep signing for 24 more hours at most."""
    now = utcnow()
    grace = now + timedelta(hours=domain.OLD_SECRET_HOURS)
    session.execute(update(EndpointSecret).where(
        EndpointSecret.endpoint_id == endpoint.id,
        (EndpointSecret.expires_at.is_(None)) | (EndpointSecret.expires_at > grace)).values(expires_at=grace))
    session.execute(delete(EndpointSecret).where(EndpointSecret.endpoint_id == endpoint.id,
                                                 EndpointSecret.expires_at <= now))
    secret = domain.new_secret()
    session.add(EndpointSecret(endpoint_id=endpoint.id, secret=secret, created_at=now))
    return secret


def live_secrets(session: Session, endpoint_ids: list[str], now: datetime) -> dict[str, list[str]]:
    """Each endpoint's secrets that sign now, newest first."""
    rows = session.execute(select(EndpointSecret.endpoint_id, EndpointSecret.secret).where(
        EndpointSecret.endpoint_id.in_(endpoint_ids),
        EndpointSecret.expires_at.is_(None) | (EndpointSecret.expires_at > now))
        .order_by(EndpointSecret.id.desc()))
    found: dict[str, list[str]] = {}
    for endpoint_id, secret in rows:
        found.setdefault(endpoint_id, []).append(secret)
    return found


def _usable(endpoint: Endpoint) -> None:
    if endpoint.disabled_at is not None:
        raise Problem(409, "webhook_disabled", "The webhook is disabled; enable it first (PATCH enabled: true).")


def queue_test(session: Session, endpoint: Endpoint, event_id: str) -> Delivery:
    """A ``webhook.test`` event for this endpoint only."""
    _usable(endpoint)
    now = utcnow()
    data = {"webhook_id": endpoint.id, "partner_id": endpoint.partner_id}
    return _queue(session, endpoint, event_id, domain.TEST_EVENT, domain.body(domain.TEST_EVENT, now, data), now)


def _queue(session: Session, endpoint: Endpoint, event_id: str, event_type: str, body: str,
           now: datetime) -> Delivery:
    delivery = Delivery(id=domain.new_webhook_id(), endpoint_id=endpoint.id, partner_id=endpoint.partner_id,
                        event_id=event_id, event_type=event_type, body=body, status="pending", attempts=0,
                        next_attempt_at=now, created_at=now)
    session.add(delivery)
    return delivery


def fan_out(session: Session, partner_id: str, event_type: str, event_id: str, occurred_at: datetime,
            data: dict) -> int:
    """One delivery of a bus event per enabled endpoint of the partner subscribed to it, in
    the caller's transaction (the consumer's, with its inbox row). The count queued."""
    subscribed = [e for e in session.scalars(select(Endpoint).where(
        Endpoint.partner_id == partner_id, Endpoint.disabled_at.is_(None))) if event_type in e.event_list]
    if not subscribed:
        return 0
    body, now = domain.body(event_type, occurred_at, data), utcnow()
    for endpoint in subscribed:
        _queue(session, endpoint, event_id, event_type, body, now)
    return len(subscribed)


def deliveries_of(session: Session, endpoint: Endpoint, status: str | None, limit: int,
                  before_seq: int | None) -> list[Delivery]:
    """Newest first; ``limit + 1`` rows to tell whether more follow."""
    query = select(Delivery).where(Delivery.endpoint_id == endpoint.id)
    if status:
        query = query.where(Delivery.status == status)
    if before_seq is not None:
        query = query.where(Delivery.seq < before_seq)
    return list(session.scalars(query.order_by(Delivery.seq.desc()).limit(limit + 1)))


def redeliver(session: Session, endpoint: Endpoint, delivery_id: str) -> Delivery:
    """Send the delivery again now, with the same ``webhook-id``. A delivery whose retries were
    spent gets this one attempt; a pending one is moved forward."""
    _usable(endpoint)
    delivery = session.scalar(select(Delivery).where(Delivery.endpoint_id == endpoint.id,
                                                     Delivery.id == delivery_id))
    if delivery is None:
        raise not_found("delivery")
    delivery.status, delivery.next_attempt_at, delivery.claimed_until = "pending", utcnow(), None
    return delivery


def presented(endpoint: Endpoint) -> dict:
    return {"id": endpoint.id, "url": endpoint.url, "events": endpoint.event_list,
            "description": endpoint.description, "enabled": endpoint.disabled_at is None,
            "created_at": endpoint.created_at, "failing_since": endpoint.failing_since,
            "disabled_at": endpoint.disabled_at}


def presented_delivery(delivery: Delivery) -> dict:
    return {"id": delivery.id, "event_id": delivery.event_id, "event_type": delivery.event_type,
            "status": delivery.status, "attempts": delivery.attempts,
            "last_status_code": delivery.last_status_code, "last_error": delivery.last_error,
            "next_attempt_at": delivery.next_attempt_at, "created_at": delivery.created_at,
            "delivered_at": delivery.delivered_at, "seq": delivery.seq}
