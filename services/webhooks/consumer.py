"""What webhooks listens to: the bus events partners can subscribe to, each turned into one
delivery per subscribed endpoint in the same transaction as its inbox row; and who belongs
to which partner (the read model its partner-scoped routes fall back on).

Each publisher's payload is read here into the contract's event (API.md "Webhooks"); the
fields kept are this service's own copy (docs/events.md), never the publisher's code."""
from __future__ import annotations

from typing import Callable

from sqlalchemy.orm import Session

from services.common.bus.envelope import Envelope
from services.common.consumer import Consumer
from services.common.members import MEMBER_JOINED, MEMBER_REMOVED, MEMBER_ROLE_CHANGED, membership_handlers
from services.common.runtime import Runtime

from .handlers import fan_out
from .models import members

BATCH_OF_VERDICTS = "eligibility.profiles.updated"  # bulk uploads (docs/events.md)
DECISION = ("partner_id", "use_case_id", "freelancer_id", "decided_by", "decided_at")


def _pick(payload: dict, names) -> dict:
    return {name: payload.get(name) for name in names}


def _page(public_url: str) -> Callable[[dict], dict]:
    def data(p: dict) -> dict:
        return {"partner_id": p["partner_id"], "slug": p["slug"], "public_url": f"{public_url}/experts/{p['slug']}"}
    return data


def _removed(p: dict) -> dict | None:
    """Only automatic removals (``decided_by`` ``system``) are ``expert.removed``."""
    return {**_pick(p, DECISION), "reasons": list(p.get("reasons") or [])} if p.get("decided_by") == "system" else None


def _at_risk(p: dict) -> dict | None:
    """A verdict change that made an eligible expert at risk (JSS just above the bar)."""
    flipped = any(rule.get("rule") == "at_risk" for rule in p.get("rules") or [])
    if not (p.get("eligible") and p.get("at_risk") and flipped):
        return None
    jss = next((r.get("after") or {} for r in p["rules"] if r.get("rule") == "at_risk"), {}).get("jss")
    return {"partner_id": p["partner_id"], "freelancer_id": p["freelancer_id"], "jss": jss,
            "changed_at": p.get("changed_at")}


def subscribable(public_url: str) -> dict[str, tuple[str, Callable[[dict], dict | None]]]:
    """Routing key -> (the contract's event name, the event's ``data`` from the payload, or
    None when this payload is not that event)."""
    return {
        "catalog.page.published": ("page.published", _page(public_url)),
        "catalog.page.unpublished": ("page.unpublished", _page(public_url)),
        "catalog.expert.approved": ("expert.approved", lambda p: _pick(p, DECISION)),
        "catalog.expert.declined": ("expert.declined", lambda p: _pick(p, DECISION)),
        "catalog.expert.removed": ("expert.removed", _removed),
        "eligibility.verdict.changed": ("expert.at_risk", _at_risk),
        "assets.asset.updated": ("asset.updated", lambda p: _pick(p, (
            "partner_id", "kind", "url", "content_type", "width", "height", "bytes", "sha256", "updated_at"))),
        MEMBER_JOINED: ("member.joined", lambda p: _pick(p, ("partner_id", "account_id", "role"))),
        MEMBER_REMOVED: ("member.removed", lambda p: _pick(p, ("partner_id", "account_id", "role"))),
    }


def _fan_out_handler(event_name: str, data_of, then=None):
    def handle(session: Session, envelope: Envelope) -> None:
        if then is not None:
            then(session, envelope)
        data = data_of(envelope.payload)
        if data is not None:
            fan_out(session, envelope.payload["partner_id"], event_name, envelope.event_id,
                    envelope.occurred_at, data)
    return handle


def at_risk_in_batch(session: Session, envelope: Envelope) -> None:
    """A bulk upload's batch event carries its verdict changes (``verdicts``, each a
    ``verdict.changed`` payload): each one that made an expert at risk is an event of its own,
    with an id derived from the batch's and its place in it."""
    for place, verdict in enumerate(envelope.payload.get("verdicts") or []):
        data = _at_risk(verdict)
        if data is not None:
            fan_out(session, verdict["partner_id"], "expert.at_risk", f"{envelope.event_id}:{place}",
                    envelope.occurred_at, data)


def event_handlers(public_url: str) -> dict:
    keep_members = membership_handlers(members)
    handlers = {key: _fan_out_handler(name, data_of, keep_members.get(key))
                for key, (name, data_of) in subscribable(public_url).items()}
    # a role change is no event of the contract's; it only keeps the members table right
    return {**handlers, BATCH_OF_VERDICTS: at_risk_in_batch, MEMBER_ROLE_CHANGED: keep_members[MEMBER_ROLE_CHANGED]}


def make_consumer(runtime: Runtime) -> Consumer:
    return Consumer("webhooks", runtime.db, runtime.bus, runtime.inbox, event_handlers(runtime.config.public_url))
