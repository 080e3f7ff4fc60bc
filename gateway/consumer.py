"""The events that change what public pages show."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.common.bus import Envelope
from services.common.consumer import Consumer
from services.common.runtime import Runtime

from .models import PartnerView


def on_access_granted(session: Session, envelope: Envelope) -> None:
    p = envelope.payload
    view = session.get(PartnerView, p["partner_id"]) or PartnerView(partner_id=p["partner_id"])
    view.name, view.slug = p["name"], p["slug"]
    session.add(view)


def make_consumer(runtime: Runtime) -> Consumer:
    return Consumer("gateway", runtime.db, runtime.bus, runtime.inbox,
                    {"membership.access.granted": on_access_granted})
