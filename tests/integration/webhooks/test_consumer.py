"""From the bus: each subscribable event becomes one delivery per subscribed endpoint, in the
same transaction as its inbox row, so an event the bus delivers twice is sent once."""
from __future__ import annotations

import threading
import uuid
from datetime import datetime, timezone

from services.common.bus import Envelope
from services.webhooks.consumer import make_consumer
from tests.support.procs import wait_until


def envelope(event_type: str, payload: dict, event_id: str | None = None) -> Envelope:
    return Envelope(event_id or str(uuid.uuid4()), event_type, 1, datetime.now(timezone.utc), payload)


def test_a_bus_event_delivered_twice_makes_one_delivery_per_subscribed_endpoint(webhooks):
    first = webhooks.register("http://127.0.0.1:9/a", events=["asset.updated", "member.joined"])
    second = webhooks.register("http://127.0.0.1:9/b", events=["asset.updated"])
    webhooks.register("http://127.0.0.1:9/c", events=["page.published"])
    webhooks.register("http://127.0.0.1:9/d", events=["asset.updated"], account="carol", partner="partner-b")
    asset = envelope("assets.asset.updated", {"partner_id": "partner-a", "kind": "logo-dark", "url": "https://x/y.svg",
                                              "content_type": "image/svg+xml", "width": None, "height": 24,
                                              "bytes": 10, "sha256": "0" * 64, "updated_at": "2026-01-01T00:00:00Z"})
    joined = envelope("membership.member.joined", {"partner_id": "partner-a", "account_id": "dan", "role": "member"})
    unwatched = envelope("eligibility.verdict.changed", {"partner_id": "partner-a", "freelancer_id": "f", "eligible": True,
                                                         "reasons": [], "at_risk": False, "rules": [], "changed_at": "x"})
    consumer = make_consumer(webhooks.runtime)
    consumer.declare()
    webhooks.runtime.bus.publish([e.to_message() for e in (asset, asset, joined, unwatched)])
    stop = threading.Event()
    thread = threading.Thread(target=consumer.run, args=(stop,), daemon=True)
    thread.start()
    try:
        wait_until(lambda: len(webhooks.deliveries()) >= 3 and webhooks.runtime.bus.depth("webhooks") == 0,
                   20, 0.05, "the events to be handled")
    finally:
        stop.set()
        thread.join(20)
    made = {(d.endpoint_id, d.event_type) for d in webhooks.deliveries()}
    assert len(webhooks.deliveries()) == 3
    assert made == {(first["id"], "asset.updated"), (second["id"], "asset.updated"), (first["id"], "member.joined")}
    assert webhooks.call("GET", "partner-a/webhooks", account="dan").status_code == 200  # the read model learnt dan


def test_each_verdict_of_a_bulk_batch_that_puts_an_expert_at_risk_is_one_event(webhooks):
    hook = webhooks.register("http://127.0.0.1:9/a", events=["expert.at_risk"])
    flip = {"rule": "at_risk", "before": {"jss": 90}, "after": {"jss": 81}}
    verdicts = [{"partner_id": "partner-a", "freelancer_id": f"f{n}", "eligible": True, "reasons": [],
                 "at_risk": n != 1, "rules": [flip] if n != 1 else [], "changed_at": "2026-01-01T00:00:00Z"}
                for n in range(3)]
    batch = envelope("eligibility.profiles.updated", {"profiles": [], "verdicts": verdicts})
    consumer = make_consumer(webhooks.runtime)
    with webhooks.runtime.db.transaction() as session:
        consumer.handlers["eligibility.profiles.updated"](session, batch)
    made = webhooks.deliveries(hook["id"])
    assert [(d.event_id, d.event_type) for d in made] == [(f"{batch.event_id}:0", "expert.at_risk"),
                                                           (f"{batch.event_id}:2", "expert.at_risk")]
    assert '"jss":81' in made[0].body
