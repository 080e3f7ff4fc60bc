"""Sign-in, sign-up and invitation accept are rate limited per client address and per account,
shared across processes through Redis; failed sign-ins slow an account down without ever
refusing its owner on a device they signed in from; only the gateway names the caller's address."""
import random
import uuid

import pytest

from services.common.auth import GATEWAY_PROOF_HEADER, gateway_proof
from services.common.config import Config
from services.membership.app import create_app
from tests.support.infra import free_port

pytestmark = pytest.mark.integration


REDIS = "redis://127.0.0.1:6379/0"
PASSWORD = "correct horse battery"
FROM_THE_GATEWAY = {GATEWAY_PROOF_HEADER: gateway_proof("op-token")}


def build(tmp_path, redis_url=None, **extra):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), **extra}
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
                           headers={"X-Forwarded-For": noisy, **FROM_THE_GATEWAY}, environ_base=gateway)
               for i in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    other = client.post("/api/v1/sessions", json={"email": "q@example.com", "password": "x"},
                        headers={"X-Forwarded-For": quiet, **FROM_THE_GATEWAY}, environ_base=gateway)
    assert other.status_code == 401


@pytest.mark.parametrize("proof", [None, "forged", gateway_proof("another-operator-token")])
def test_a_forged_x_forwarded_for_is_ignored_and_the_limit_keys_on_the_real_peer(tmp_path, monkeypatch, proof):
    """Called directly, without the gateway's proof, membership ignores X-Forwarded-For: a new
    claimed address per attempt does not escape the limit of the address the call came from."""
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_LIMIT", "2/minute")
    client = build(tmp_path).test_client()
    peer = {"REMOTE_ADDR": address()}
    answers = [client.post("/api/v1/sessions", json={"email": f"{i}@example.com", "password": "x"}, environ_base=peer,
                           headers={"X-Forwarded-For": address(), **({GATEWAY_PROOF_HEADER: proof} if proof else {})})
               for i in range(3)]
    assert [a.status_code for a in answers] == [401, 401, 429]
    elsewhere = client.post("/api/v1/sessions", json={"email": "q@example.com", "password": "x"},
                            environ_base={"REMOTE_ADDR": address()}, headers={"X-Forwarded-For": peer["REMOTE_ADDR"]})
    assert elsewhere.status_code == 401  # nor can a caller spend another address's allowance


def signed_up(client):
    email = f"owner-{uuid.uuid4().hex[:8]}@example.com"
    assert client.post("/api/v1/accounts", json={"email": email, "password": PASSWORD, "name": "Owner"},
                       environ_base={"REMOTE_ADDR": address()}).status_code == 201
    return email


def sign_in(client, email, password=PASSWORD, device=None, where=None):
    return client.post("/api/v1/sessions", json={"email": email, "password": password},
                       environ_base={"REMOTE_ADDR": where or address()},
                       headers={"Cookie": f"known_device={device}"} if device else {})


def device_of(answer) -> str:
    cookie = answer.headers["Set-Cookie"]
    assert cookie.startswith("known_device=") and "HttpOnly" in cookie and "Path=/" in cookie
    return cookie.split(";")[0].split("=", 1)[1]


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_a_guesser_is_slowed_down_but_the_owner_on_a_known_device_is_never_refused(tmp_path, monkeypatch, storage):
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_LIMIT", "1000/minute")
    monkeypatch.delenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", raising=False)  # the default: 10 per 15 minutes
    client = build(tmp_path, REDIS if storage == "redis" else None).test_client(use_cookies=False)
    owner, other = signed_up(client), signed_up(client)
    laptop = device_of(sign_in(client, owner))
    other_device = device_of(sign_in(client, other))
    guesser = address()
    guesses_answers = [sign_in(client, owner, f"guess number {i}", where=guesser) for i in range(11)]
    assert [a.status_code for a in guesses_answers] == [401] * 10 + [429]
    throttled = sign_in(client, owner)  # the right password from a client never seen: throttled too
    assert throttled.status_code == 429 and throttled.get_json()["code"] == "rate_limited"
    assert 800 < int(throttled.headers["Retry-After"]) <= 900
    for stranger in (other_device, laptop[:-4] + "AAAA", "not-a-cookie"):  # another account's, tampered
        assert sign_in(client, owner, device=stranger).status_code == 429
    assert sign_in(client, owner, "a wrong guess", device=laptop).status_code == 401  # judged, not refused
    again = sign_in(client, owner, device=laptop)
    assert again.status_code == 200 and again.get_json()["access_token"]
    assert device_of(again) and sign_in(client, other, device=device_of(again)).status_code == 200  # both known
    assert sign_in(client, owner, "guess number 12", where=guesser).status_code == 429
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"  # an unknown email answers alike: no enumeration
    answers = [sign_in(client, nobody, f"guess {i}", where=guesser) for i in range(11)]
    assert [a.status_code for a in answers] == [401] * 10 + [429]
    assert not any("Set-Cookie" in a.headers for a in answers + guesses_answers)


def test_the_known_device_cookie_is_secure_behind_https(tmp_path):
    client = build(tmp_path, PORTAL_PUBLIC_URL="https://portal.example.com").test_client(use_cookies=False)
    email = signed_up(client)
    cookie = sign_in(client, email).headers["Set-Cookie"]
    assert "Secure" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie


@pytest.mark.parametrize("storage", ["memory", "redis"])
def test_sign_ups_are_limited_per_address_and_per_target_email(tmp_path, monkeypatch, storage):
    monkeypatch.setenv("MEMBERSHIP_SIGNUP_LIMIT", "3/hour")
    monkeypatch.setenv("MEMBERSHIP_SIGNUP_EMAIL_LIMIT", "2/hour")
    client = build(tmp_path, REDIS if storage == "redis" else None).test_client()
    here = {"REMOTE_ADDR": address()}
    mine = [client.post("/api/v1/accounts", environ_base=here, json={
        "email": f"n{i}-{uuid.uuid4().hex[:6]}@example.com", "password": PASSWORD, "name": "N"}) for i in range(4)]
    assert [a.status_code for a in mine] == [201, 201, 201, 429]
    assert mine[-1].get_json()["code"] == "rate_limited" and int(mine[-1].headers["Retry-After"]) > 0
    target = f"Target-{uuid.uuid4().hex[:6]}@Example.com"
    probes = [client.post("/api/v1/accounts", environ_base={"REMOTE_ADDR": address()},
                          json={"email": email, "password": PASSWORD, "name": "T"})
              for email in (target, target.lower(), f"  {target.upper()} ")]
    assert [a.status_code for a in probes] == [201, 409, 429]  # testing an address is limited too
