"""Catalog on a real database (SQLite and PostgreSQL), fed with the events of the other
services through its own consumer's handlers, called by a member with a real token."""
from __future__ import annotations

import json
import threading
import uuid

import pytest
from marshmallow import INCLUDE, Schema

from services.catalog.app import create_app
from services.catalog.consumer import make_consumer
from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.bus import Envelope, EventType
from services.common.config import Config
from tests.support.infra import free_port


class _Any(Schema):
    class Meta:
        unknown = INCLUDE


class Catalog:
    """The app, a client, and a way to deliver other services' events to it."""

    def __init__(self, app, keys):
        self.app, self.client, self.runtime = app, app.test_client(), app.config["RUNTIME"]
        self.signer = TokenSigner(keys)
        self.consumer = make_consumer(self.runtime)

    def deliver(self, event_type: str, payload: dict) -> None:
        envelope = Envelope.new(EventType(event_type, 1, _Any), payload)
        self.consumer._apply(self.consumer.handlers[event_type], envelope)

    def partner(self, slug: str | None = None) -> dict:
        pid, admin = str(uuid.uuid4()), str(uuid.uuid4())
        slug = slug or f"p-{pid[:8]}"
        self.deliver("membership.access.granted", {"partner_id": pid, "name": f"Partner {slug}", "slug": slug,
                                                   "admin_account_id": admin})
        self.deliver("membership.member.joined", {"partner_id": pid, "account_id": admin, "role": "admin"})
        return {"id": pid, "slug": slug, "admin": admin, "headers": self.headers(admin)}

    def headers(self, account_id: str) -> dict:
        return {"Authorization": f"Bearer {self.signer.issue(account_id)}"}

    def talent(self, fid: str, updated_at: str = "2026-01-01T00:00:00Z", **changes) -> dict:
        profile = {"freelancer_id": fid, "name": f"Expert {fid}", "title": "Automation engineer",
                   "skills": ["Python", "Email Automation"], "hourly_rate": 80.0, "country": "US", "jss": 95,
                   "badges": ["top_rated"], "eligible": True, "ineligible_reasons": [],
                   "eligible_for_partners": [],
                   "projects": [{"id": f"pr-{fid}", "title": "Setup", "price": 400.0, "delivery_days": 4}],
                   "consultations": [{"id": f"co-{fid}", "title": "Review", "duration_minutes": 60, "price": 90.0}],
                   "updated_at": updated_at, **changes}
        self.deliver("eligibility.profile.updated", profile)
        return profile

    def verdict(self, partner_id: str, fid: str, eligible: bool, reasons: list[str], at_risk=False) -> None:
        self.deliver("eligibility.verdict.changed", {
            "partner_id": partner_id, "freelancer_id": fid, "eligible": eligible, "reasons": reasons,
            "at_risk": at_risk, "rules": [], "changed_at": "2026-01-02T00:00:00Z"})

    def asset(self, partner_id: str, kind: str, updated_at: str = "2026-01-01T00:00:00Z") -> None:
        self.deliver("assets.asset.updated", {
            "partner_id": partner_id, "kind": kind, "url": f"https://x.example/assets/{partner_id}/{kind}.png",
            "content_type": "image/png", "width": 800, "height": 600, "bytes": 100, "sha256": "a" * 64,
            "updated_at": updated_at})

    def published_events(self) -> list[dict]:
        self.runtime.relay().relay_once()
        seen, stop = [], threading.Event()

        def take(delivery):
            seen.append(json.loads(delivery.message.body))
            delivery.ack()

        threading.Timer(0.5, stop.set).start()
        self.runtime.bus.consume("observer", take, stop)
        return seen


@pytest.fixture(params=["sqlite", "postgresql"])
def catalog(request, tmp_path, postgres):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": "https://experts.example.com"}
    if request.param == "postgresql":
        env["CATALOG_DATABASE_URL"] = postgres.database(f"cat_{len(postgres.created)}")
    keys = SigningKeys(tmp_path / "keys")
    keys.ensure()
    app = create_app(Config.from_env("catalog", env), verifier=TokenVerifier(jwks=keys.jwks))
    app.config["RUNTIME"].migrate()
    app.config["RUNTIME"].bus.declare("observer", ["catalog.#"])
    yield Catalog(app, keys)
    app.config["RUNTIME"].close()
