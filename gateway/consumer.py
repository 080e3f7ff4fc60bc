"""The events that change what public pages show: catalog's page events, assets' asset events."""
from __future__ import annotations

from sqlalchemy.orm import Session

from services.common.bus import Envelope
from services.common.consumer import Consumer
from services.common.runtime import Runtime

from .public import readmodel


def on_page(session: Session, envelope: Envelope) -> None:
    """catalog.page.published / changed / unpublished: keep the newest version."""
    p = envelope.payload
    published = envelope.event_type != "catalog.page.unpublished" and p.get("published", True)
    readmodel.save_page(session, p["partner_id"], p["slug"], int(p["version"]), bool(published),
                        p.get("page"))


def on_asset(session: Session, envelope: Envelope) -> None:
    """assets.asset.updated: the page shows the new asset at once (its URL changed)."""
    readmodel.save_announced_asset(session, envelope.payload["partner_id"], envelope.payload)


def make_consumer(runtime: Runtime) -> Consumer:
    return Consumer("gateway", runtime.db, runtime.bus, runtime.inbox, {
        "catalog.page.published": on_page,
        "catalog.page.changed": on_page,
        "catalog.page.unpublished": on_page,
        "assets.asset.updated": on_asset,
    })
