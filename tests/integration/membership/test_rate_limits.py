"""Sign-in and invitation accept are rate limited per client address and per account,
shared across processes through Redis."""
import random
import uuid

import pytest

from services.common.config import Config
from services.membership.app import create_app
from tests.support.infra import free_port

pytestmark = pytest.mark.integration


def build(tmp_path, redis_url=None):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port())}
    if redis_url:
        env["REDIS_URL"] = redis_url
    app = create_app(Config.from_env("membership", env))
    app.config["RUNTIME"].migrate()
    return app


def address():
    return f"10.{random.randrange(256)}.{random.randrange(256)}.{random.randrange(1, 255)}"


def test_too_many_sign_ins_from_one_address_get_429_with_retry_after(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_LIMIT", "3/minute")
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "100/minute")
    client = build(tmp_path).test_client()
    here = {"REMOTE_ADDR": address()}
    answers = [client.post("/api/v1/sessions", json={"email": f"{i}@example.com", "password": "x"},
                           environ_base=here) for i in range(4)]
    assert [a.status_code for a in answers] == [401, 401, 401, 429]
    assert answers[-1].get_json()["code"] == "rate_limited" and int(answers[-1].headers["Retry-After"]) > 0
    elsewhere = client.post("/api/v1/sessions", json={"email": "x@example.com", "password": "x"},
                            environ_base={"REMOTE_ADDR": address()})
    assert elsewhere.status_code == 401


def test_the_per_account_limit_is_shared_across_processes_through_redis(tmp_path, monkeypatch):
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_LIMIT", "100/minute")
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "2/minute")
    redis_url = "redis://127.0.0.1:6379/0"
    first, second = build(tmp_path / "a", redis_url).test_client(), build(tmp_path / "b", redis_url).test_client()
    victim = {"email": f"victim-{uuid.uuid4().hex}@example.com", "password": "guess"}
    assert first.post("/api/v1/sessions", json=victim, environ_base={"REMOTE_ADDR": address()}).status_code == 401
    assert second.post("/api/v1/sessions", json=victim, environ_base={"REMOTE_ADDR": address()}).status_code == 401
    blocked = first.post("/api/v1/sessions", json=victim, environ_base={"REMOTE_ADDR": address()})
    assert blocked.status_code == 429 and blocked.get_json()["code"] == "rate_limited"


def test_callers_behind_the_gateway_keep_their_own_address_limit(tmp_path, monkeypatch):
    """The gateway passes the visitor's address in X-Forwarded-For: one noisy visitor does not
    lock every other visitor of the portal out."""
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_LIMIT", "2/minute")
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "100/minute")
    client = build(tmp_path).test_client()
    gateway = {"REMOTE_ADDR": "127.0.0.1"}
    noisy, quiet = address(), address()
    answers = [client.post("/api/v1/sessions", json={"email": f"{i}@example.com", "password": "x"},
                           headers={"X-Forwarded-For": noisy}, environ_base=gateway) for i in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    other = client.post("/api/v1/sessions", json={"email": "q@example.com", "password": "x"},
                        headers={"X-Forwarded-For": quiet}, environ_base=gateway)
    assert other.status_code == 401
