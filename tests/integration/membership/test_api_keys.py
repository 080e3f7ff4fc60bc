"""Partners' API keys in membership, on both databases: stored as a sha256 only, exchanged
for a short-lived access token by the gateway's service token, last use written at most once
a minute, revoked at once for the exchange and for the member check."""
from __future__ import annotations

import hashlib
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import text

from services.common.db import utcnow
from services.membership import api_keys
from tests.integration.membership.conftest import OPERATOR
from tests.integration.membership.test_accounts_and_team import account, invite, partner, send_mail

pytestmark = pytest.mark.integration


def new_key(client, pid, admin, name="CI script"):
    answer = client.post(f"/api/v1/partners/{pid}/api-keys", json={"name": name}, headers=admin["headers"])
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()


def exchange(client, key):
    return client.post("/internal/v1/api-keys:exchange", json={"key": key}, headers=OPERATOR)


def test_a_key_is_shown_once_and_only_its_sha256_is_stored(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    created = new_key(client, pid, admin)
    assert created["key"].startswith("pek_") and len(created["key"]) == 47
    assert set(created) == {"id", "name", "key", "created_at"}
    listed = client.get(f"/api/v1/partners/{pid}/api-keys", headers=admin["headers"]).get_json()["items"]
    assert listed == [{"id": created["id"], "name": "CI script", "created_at": created["created_at"],
                       "last_used_at": None}]
    with app.config["RUNTIME"].db.engine.connect() as conn:
        stored = conn.execute(text("SELECT key_hash FROM api_keys")).scalar()
    assert stored == hashlib.sha256(created["key"].encode()).hexdigest()
    assert created["key"] not in str(stored)


def test_the_exchange_gives_a_short_token_bound_to_the_partner_and_refuses_bad_keys(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    created = new_key(client, pid, admin)
    answer = exchange(client, created["key"])
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    claims = jwt.decode(body["access_token"], options={"verify_signature": False})
    assert claims["sub"] == f"api_key:{created['id']}" and claims["kind"] == "api_key"
    assert claims["partner_id"] == pid == body["partner_id"]
    assert 0 < claims["exp"] - claims["iat"] <= 300 and body["expires_in"] == claims["exp"] - claims["iat"]
    for bad in ("pek_" + "A" * 43, "pek_short", created["key"] + "x", "x" * 200, ""):
        refused = exchange(client, bad)
        assert refused.status_code in (401, 422) and refused.get_json()["code"] in ("unauthorized", "validation_error")
    assert exchange(client, "pek_" + "A" * 43).status_code == 401
    assert client.post("/internal/v1/api-keys:exchange", json={"key": created["key"]},
                       headers=admin["headers"]).status_code == 403
    for body in ([], {"key": 5}, {"key": None}, {"nope": 1}, "pek_"):
        refused = client.post("/internal/v1/api-keys:exchange", json=body, headers=OPERATOR)
        assert refused.status_code in (400, 422), refused.get_json()


def test_last_use_is_written_at_most_once_a_minute(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    created = new_key(client, pid, admin)
    assert exchange(client, created["key"]).status_code == 200
    first = client.get(f"/api/v1/partners/{pid}/api-keys", headers=admin["headers"]).get_json()["items"][0]
    assert first["last_used_at"] is not None
    assert exchange(client, created["key"]).status_code == 200
    again = client.get(f"/api/v1/partners/{pid}/api-keys", headers=admin["headers"]).get_json()["items"][0]
    assert again["last_used_at"] == first["last_used_at"]
    assert api_keys.stale(utcnow() - timedelta(seconds=61), utcnow())
    assert not api_keys.stale(utcnow() - timedelta(seconds=30), utcnow())


def test_only_an_admin_creates_or_revokes_and_a_revoked_key_stops_at_once(app):
    client = app.test_client()
    admin, coworker = account(client, "Admin"), account(client, "Coworker")
    pid = partner(client, admin)
    assert invite(client, pid, admin, coworker["email"]).status_code == 201
    [token] = send_mail(app)
    client.post("/api/v1/invitations/accept", json={"token": token}, headers=coworker["headers"])
    refused = client.post(f"/api/v1/partners/{pid}/api-keys", json={"name": "x"}, headers=coworker["headers"])
    assert refused.status_code == 403 and refused.get_json()["code"] == "admin_only"
    created = new_key(client, pid, admin)
    assert client.delete(f"/api/v1/partners/{pid}/api-keys/{created['id']}",
                         headers=coworker["headers"]).status_code == 403
    check = f"/internal/v1/partners/{pid}/members/api_key:{created['id']}"
    assert client.get(check, headers=OPERATOR).get_json()["role"] == "api_key"
    assert client.delete(f"/api/v1/partners/{pid}/api-keys/{created['id']}",
                         headers=admin["headers"]).status_code == 204
    assert exchange(client, created["key"]).status_code == 401
    assert client.get(check, headers=OPERATOR).get_json()["role"] is None
    assert client.get(f"/api/v1/partners/{pid}/api-keys", headers=admin["headers"]).get_json()["items"] == []
    again = client.delete(f"/api/v1/partners/{pid}/api-keys/{created['id']}", headers=admin["headers"])
    assert again.status_code == 404


def test_a_keys_token_is_api_key_in_its_partner_forbidden_on_admin_calls_and_me_and_404_elsewhere(app):
    client = app.test_client()
    admin, other_admin = account(client, "Admin"), account(client, "Other")
    pid, other = partner(client, admin), partner(client, other_admin)
    token = exchange(client, new_key(client, pid, admin)["key"]).get_json()["access_token"]
    key = {"Authorization": f"Bearer {token}"}
    assert client.get(f"/api/v1/partners/{pid}/members", headers=key).status_code == 200
    assert client.get(f"/api/v1/partners/{other}/members", headers=key).status_code == 404
    for answer in (client.get("/api/v1/me", headers=key),
                   client.post(f"/api/v1/partners/{pid}/api-keys", json={"name": "x"}, headers=key),
                   invite(client, pid, {"headers": key}, "someone@example.com"),
                   client.post("/api/v1/invitations/accept", json={"token": "x"}, headers=key)):
        assert answer.status_code == 403 and answer.get_json()["code"] == "forbidden", answer.get_json()


def test_names_are_checked_and_no_input_is_a_500(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    for body in ({}, {"name": ""}, {"name": "   "}, {"name": "x" * 81}, {"name": "a\nb"}, {"name": 5},
                 [], "name", {"name": "\u202ename"}):
        answer = client.post(f"/api/v1/partners/{pid}/api-keys", json=body, headers=admin["headers"])
        assert answer.status_code == 422, (body, answer.get_json())
    assert client.delete(f"/api/v1/partners/{pid}/api-keys/{'x' * 300}", headers=admin["headers"]).status_code == 404
    assert client.post(f"/api/v1/partners/{pid}/api-keys", data=b"\xff{", headers={
        **admin["headers"], "Content-Type": "application/json"}).status_code in (400, 422)
