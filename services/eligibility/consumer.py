"""What eligibility listens to: catalog's expert decisions (which pairs to watch)."""
from __future__ import annotations

from services.common.consumer import Consumer
from services.common.runtime import Runtime

from . import handlers


def make_consumer(runtime: Runtime, criteria=None) -> Consumer:
    criteria = criteria or handlers.criteria_from_env()

    def on_expert(keep: bool):
        def handle(session, envelope):
            p = envelope.payload
            handlers.watch(runtime, session, p["partner_id"], p["freelancer_id"],
                           bool(p.get("approved_anywhere")), criteria, keep=keep)
        return handle

    return Consumer("eligibility", runtime.db, runtime.bus, runtime.inbox, {
        "catalog.expert.approved": on_expert(keep=False),
        "catalog.expert.declined": on_expert(keep=False),
        "catalog.expert.removed": on_expert(keep=True),
    })
