"""What catalog listens to on the bus."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.common.bus import Envelope
from services.common.consumer import Consumer
from services.common.members import ACCESS_GRANTED, membership_handlers
from services.common.runtime import Runtime

from .models import Page, members


def on_access_granted(session: Session, envelope: Envelope) -> None:
    """A partner got portal access: it now has an (unpublished) experts page."""
    p = envelope.payload
    page = session.get(Page, p["partner_id"])
    if page is None:
        session.add(Page(partner_id=p["partner_id"], name=p["name"], slug=p["slug"]))


def make_consumer(runtime: Runtime) -> Consumer:
    handlers = {**membership_handlers(members), ACCESS_GRANTED: on_access_granted}
    return Consumer("catalog", runtime.db, runtime.bus, runtime.inbox, handlers)
