"""The assets service on a real database and a real storage: SQLite with the local
folder, PostgreSQL with S3 (moto's server over HTTP)."""
from __future__ import annotations

import threading

import pytest
from marshmallow import Schema, fields
from sqlalchemy import func, select

from services.assets.app import create_app
from services.assets.consumer import make_consumer
from services.assets.models import AssetVersion, members
from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.bus import Envelope, EventType
from services.common.config import Config
from services.common.members import MEMBER_JOINED
from tests.support.infra import free_port
from tests.support.procs import wait_until
from tests.support.s3 import CREDENTIALS, S3Server

PUBLIC_URL = "https://experts.example.com"


class MemberFact(Schema):
    partner_id = fields.String()
    account_id = fields.String()
    role = fields.String()


@pytest.fixture(scope="session")
def s3():
    server = S3Server().start()
    yield server
    server.stop()


class AssetsService:
    """The app, its test client, member tokens, and what it has stored."""

    def __init__(self, app, keys, storage_objects):
        self.app, self.runtime = app, app.config["RUNTIME"]
        self.client = app.test_client()
        self.signer = TokenSigner(keys)
        self.storage_objects = storage_objects

    def token(self, account_id: str) -> dict:
        return {"Authorization": f"Bearer {self.signer.issue(account_id)}"}

    def membership_event(self, event_type: str, partner_id: str, account_id: str) -> None:
        """Tell the service, over the bus, that someone joined or left a partner; wait for it."""
        envelope = Envelope.new(EventType(event_type, 1, MemberFact),
                                {"partner_id": partner_id, "account_id": account_id, "role": "member"})
        self.runtime.bus.publish([envelope.to_message()])
        joined = event_type == MEMBER_JOINED
        stop = threading.Event()
        consumer = threading.Thread(target=make_consumer(self.runtime).run, args=(stop,), daemon=True)
        consumer.start()
        try:
            wait_until(lambda: self.is_member(partner_id, account_id) == joined, 15, 0.02, "the member fact")
        finally:
            stop.set()
            consumer.join(10)

    def is_member(self, partner_id: str, account_id: str) -> bool:
        with self.runtime.db.transaction() as session:
            return session.execute(select(members).where(members.c.partner_id == partner_id,
                                                         members.c.account_id == account_id)).first() is not None

    def versions(self) -> int:
        with self.runtime.db.transaction() as session:
            return session.scalar(select(func.count()).select_from(AssetVersion))

    def put(self, pid: str, kind: str, data: bytes, account: str = "ada", **kwargs):
        headers = {**self.token(account), **kwargs.pop("headers", {})}
        return self.client.put(f"/api/v1/partners/{pid}/assets/{kind}", data=data, headers=headers, **kwargs)

    def put_form(self, pid: str, kind: str, form: dict, account: str = "ada"):
        """A multipart/form-data upload."""
        return self.client.put(f"/api/v1/partners/{pid}/assets/{kind}", data=form, headers=self.token(account),
                               content_type="multipart/form-data")

    def get(self, path: str, account: str | None = "ada", **kwargs):
        headers = self.token(account) if account else {}
        return self.client.get(path, headers={**headers, **kwargs.pop("headers", {})}, **kwargs)


@pytest.fixture(params=["sqlite-local", "postgresql-s3"])
def assets(request, tmp_path, postgres, monkeypatch):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": PUBLIC_URL}
    if request.param == "postgresql-s3":
        s3 = request.getfixturevalue("s3")
        bucket = s3.bucket_name()
        for name, value in CREDENTIALS.items():
            monkeypatch.setenv(name, value)
        env.update(ASSETS_DATABASE_URL=postgres.database(f"assets_{len(postgres.created)}"),
                   S3_ENDPOINT_URL=s3.url, S3_BUCKET=bucket)
        stored = lambda: s3.objects(bucket)  # noqa: E731
    else:
        folder = tmp_path / "assets"
        stored = lambda: sorted(str(p.relative_to(folder)) for p in folder.rglob("*") if p.is_file())  # noqa: E731
    keys = SigningKeys(tmp_path / "keys")
    keys.ensure()
    app = create_app(Config.from_env("assets", env), verifier=TokenVerifier(jwks=keys.jwks))
    service = AssetsService(app, keys, stored)
    service.runtime.migrate()
    make_consumer(service.runtime).declare()
    service.membership_event(MEMBER_JOINED, "partner-a", "ada")
    yield service
    service.runtime.close()

