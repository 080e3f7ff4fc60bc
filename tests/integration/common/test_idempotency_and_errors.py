"""The kit's HTTP plumbing on a real database: Idempotency-Key, problem+json, health."""
from __future__ import annotations

from pathlib import Path

import pytest
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import Column, Integer, String, Table, func, select

from services.common.auth import SigningKeys, TokenSigner, TokenVerifier, require_member
from services.common.config import Config
from services.common.consumer import inbox_table
from services.common.db import make_base
from services.common.idempotency import idempotency_table, idempotent
from services.common.outbox import outbox_table
from services.common.runtime import Runtime
from services.common.webapp import create_service_app, current_runtime
from tests.support.infra import free_port

pytestmark = pytest.mark.integration

Base = make_base()
outbox_table(Base.metadata)
inbox_table(Base.metadata)
idempotency_table(Base.metadata)
notes = Table("notes", Base.metadata, Column("id", Integer, primary_key=True), Column("text", String(50)))


class NoteIn(Schema):
    text = fields.String(required=True, validate=validate.Length(min=1, max=50))


class NoteOut(Schema):
    id = fields.Integer()
    text = fields.String()


blp = Blueprint("notes", __name__, url_prefix="/notes")


@blp.post("")
@require_member
@idempotent
@blp.arguments(NoteIn)
@blp.response(201, NoteOut)
def create_note(body):
    with current_runtime().db.transaction() as session:
        note_id = session.execute(notes.insert().values(text=body["text"])).inserted_primary_key[0]
    return {"id": note_id, "text": body["text"]}


@pytest.fixture(params=["sqlite", "postgresql"])
def client(request, tmp_path, postgres):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op", "PORTAL_GATEWAY_PORT": str(free_port())}
    if request.param == "postgresql":
        env["NOTES_DATABASE_URL"] = postgres.database(f"notes_{len(postgres.created)}")
    runtime = Runtime("notes", Base.metadata, Path("unused"), Config.from_env("notes", env))
    Base.metadata.create_all(runtime.db.engine)
    runtime.bus.declare("notes", ["#"])
    keys = SigningKeys(tmp_path / "keys")
    keys.ensure()
    app, _ = create_service_app(runtime, "Notes", [blp], verifier=TokenVerifier(jwks=keys.jwks))
    client = app.test_client()
    client.token = {"Authorization": f"Bearer {TokenSigner(keys).issue('account-1')}"}
    client.other_token = {"Authorization": f"Bearer {TokenSigner(keys).issue('account-2')}"}
    client.count = lambda: _count(runtime)
    yield client
    runtime.close()


def _count(runtime):
    with runtime.db.transaction() as session:
        return session.execute(select(func.count()).select_from(notes)).scalar_one()


def test_a_repeat_with_the_same_idempotency_key_returns_the_first_answer_and_changes_nothing(client):
    headers = {**client.token, "Idempotency-Key": "create-note-1"}
    first = client.post("/notes", json={"text": "hello"}, headers=headers)
    again = client.post("/notes", json={"text": "hello"}, headers=headers)
    assert first.status_code == again.status_code == 201
    assert first.get_json() == again.get_json()
    assert client.count() == 1


def test_the_same_key_for_a_different_request_is_refused(client):
    headers = {**client.token, "Idempotency-Key": "k"}
    client.post("/notes", json={"text": "hello"}, headers=headers)
    reused = client.post("/notes", json={"text": "other"}, headers=headers)
    assert reused.status_code == 422 and reused.get_json()["code"] == "idempotency_key_reused"


def test_keys_belong_to_their_caller(client):
    client.post("/notes", json={"text": "hello"}, headers={**client.token, "Idempotency-Key": "k"})
    theirs = client.post("/notes", json={"text": "hello"}, headers={**client.other_token, "Idempotency-Key": "k"})
    assert theirs.status_code == 201 and client.count() == 2


def test_a_failed_call_does_not_burn_its_key(client):
    headers = {**client.token, "Idempotency-Key": "retry-me"}
    assert client.post("/notes", json={"text": ""}, headers=headers).status_code == 422
    assert client.post("/notes", json={"text": ""}, headers=headers).status_code == 422
    assert client.count() == 0


def test_bad_input_is_problem_json_never_a_500(client):
    cases = [
        (dict(data="{not json", content_type="application/json"), 400, "invalid_json"),
        (dict(json=["a", "list"]), 422, "validation_error"),
        (dict(json={"text": 5}), 422, "validation_error"),
        (dict(json={"text": "x" * 51}), 422, "validation_error"),
        (dict(json={"text": "ok", "extra": 1}), 422, "validation_error"),
        (dict(json={"text": "ok"}, headers_extra={"Idempotency-Key": "has space"}), 400, "invalid_parameter"),
    ]
    for kwargs, status, code in cases:
        extra = kwargs.pop("headers_extra", {})
        answer = client.post("/notes", headers={**client.token, **extra}, **kwargs)
        assert answer.status_code == status, (kwargs, answer.get_json())
        assert answer.headers["Content-Type"] == "application/problem+json"
        body = answer.get_json()
        assert body["code"] == code and body["status"] == status and body["title"] and body["type"]


def test_missing_or_wrong_kind_of_token(client):
    assert client.post("/notes", json={"text": "x"}).get_json()["code"] == "unauthorized"
    operator = client.post("/notes", json={"text": "x"}, headers={"Authorization": "Bearer op"})
    assert operator.status_code == 403 and operator.get_json()["code"] == "forbidden"


def test_health_and_readiness(client):
    assert client.get("/healthz").get_json() == {"status": "ok"}
    ready = client.get("/readyz").get_json()
    assert ready["status"] == "ok" and ready["checks"] == {"database": "ok", "bus": "ok"}
    assert client.get("/openapi.json").get_json()["paths"]["/notes"]["post"]
