"""The webhooks service on a real database (SQLite, then PostgreSQL), its delivery worker
in a thread of the test, and partners' receivers on real sockets."""
from __future__ import annotations

import threading
from dataclasses import replace

import pytest
from sqlalchemy import select

from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.config import Config
from services.webhooks.app import create_app
from services.webhooks.config import WebhookSettings
from services.webhooks.deliverer import Deliverer
from services.webhooks.handlers import fan_out
from services.webhooks.models import Delivery, members
from tests.support.infra import free_port
from tests.support.procs import wait_until
from tests.support.receiver import Receiver

LOCAL = WebhookSettings(allow_private=True, timeout=2.0, retry_delays=(0.2, 0.2), lease=5.0)


class WebhooksService:
    """The app, member tokens, the worker, and what the database holds."""

    def __init__(self, app, keys):
        self.app, self.runtime = app, app.config["RUNTIME"]
        self.client, self.signer = app.test_client(), TokenSigner(keys)
        self.workers: list[tuple[threading.Event, threading.Thread]] = []

    def headers(self, account: str) -> dict:
        return {"Authorization": f"Bearer {self.signer.issue(account)}"}

    def call(self, method: str, path: str, account: str = "ada", **kwargs):
        return self.client.open(f"/api/v1/partners/{path}", method=method, headers=self.headers(account), **kwargs)

    def register(self, url: str, events=("page.published",), account: str = "ada", partner: str = "partner-a") -> dict:
        answer = self.call("POST", f"{partner}/webhooks", account, json={"url": url, "events": list(events)})
        assert answer.status_code == 201, answer.get_json()
        return answer.get_json()

    def event(self, event_type: str, data: dict, partner: str = "partner-a", event_id: str | None = None) -> None:
        """What the consumer does with a bus event: one delivery per subscribed endpoint."""
        import uuid
        from services.common.db import utcnow
        with self.runtime.db.transaction() as session:
            fan_out(session, partner, event_type, event_id or str(uuid.uuid4()), utcnow(), data)

    def start_worker(self, settings: WebhookSettings = LOCAL, resolve=None, notifier=None) -> Deliverer:
        deliverer = Deliverer(self.runtime, settings, resolve=resolve, notifier=notifier or NoNotices(),
                              idle_seconds=0.05)
        stop = threading.Event()
        thread = threading.Thread(target=deliverer.run, args=(stop,), daemon=True)
        thread.start()
        self.workers.append((stop, thread))
        return deliverer

    def stop_workers(self) -> None:
        for stop, thread in self.workers:
            stop.set()
            thread.join(30)
        self.workers.clear()

    def deliveries(self, endpoint_id: str | None = None) -> list[Delivery]:
        with self.runtime.db.transaction() as session:
            query = select(Delivery).order_by(Delivery.seq)
            if endpoint_id:
                query = query.where(Delivery.endpoint_id == endpoint_id)
            return list(session.scalars(query))

    def wait_settled(self, endpoint_id: str, count: int = 1, status: str = "succeeded", timeout: float = 20):
        return wait_until(lambda: len([d for d in self.deliveries(endpoint_id) if d.status == status]) >= count,
                          timeout, 0.05, f"{count} {status} deliveries")


class NoNotices:
    def send_pending(self, db) -> int:
        return 0


@pytest.fixture(params=["sqlite", "postgresql"])
def webhooks(request, tmp_path, postgres):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": "https://experts.example.com"}
    if request.param == "postgresql":
        env["WEBHOOKS_DATABASE_URL"] = postgres.database(f"webhooks_{len(postgres.created)}")
    keys = SigningKeys(tmp_path / "keys")
    keys.ensure()
    app = create_app(Config.from_env("webhooks", env), verifier=TokenVerifier(jwks=keys.jwks), settings=LOCAL)
    service = WebhooksService(app, keys)
    service.runtime.migrate()
    with service.runtime.db.transaction() as session:  # what membership's events put there
        for partner, account, role in (("partner-a", "ada", "admin"), ("partner-a", "bob", "member"),
                                       ("partner-b", "carol", "admin")):
            session.execute(members.insert().values(partner_id=partner, account_id=account, role=role))
    yield service
    service.stop_workers()
    service.runtime.close()


@pytest.fixture
def receiver():
    made = []

    def make(**kwargs) -> Receiver:
        made.append(Receiver(**kwargs))
        return made[-1]

    yield make
    for r in made:
        r.stop()


def settings(**changes) -> WebhookSettings:
    return replace(LOCAL, **changes)
