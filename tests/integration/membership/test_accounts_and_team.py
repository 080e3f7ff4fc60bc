"""Accounts, portal access, coworkers and invitations, with mail really sent."""
from __future__ import annotations

import re
import time
import uuid
from datetime import timedelta

import jwt
import pytest
from sqlalchemy import select, text

from services.common.db import utcnow
from services.membership import mailer
from services.membership.models import Invitation, OutgoingMail
from tests.integration.membership.conftest import OPERATOR
from tests.support.mail import Mailbox, verify_email

pytestmark = pytest.mark.integration
PASSWORD = "correct horse battery"


def account(client, name="Ada", email=None):
    email = email or f"{name.lower()}-{uuid.uuid4().hex[:6]}@Example.com"
    created = client.post("/api/v1/accounts", json={"email": email, "password": PASSWORD, "name": name})
    assert created.status_code == 201, created.get_json()
    token = client.post("/api/v1/sessions", json={"email": email, "password": PASSWORD}).get_json()["access_token"]
    return {**created.get_json(), "headers": {"Authorization": f"Bearer {token}"}}


def verify(client, who):
    """The account's owner opens the link mailed to its address (once)."""
    if client.get("/api/v1/me", headers=who["headers"]).get_json()["email_verified"]:
        return
    mailbox = Mailbox.of_app(client.application)
    verify_email(lambda method, path, json: client.open(path, method=method, json=json), mailbox, who["email"])


def partner(client, admin):
    verify(client, admin)
    slug = f"p-{uuid.uuid4().hex[:8]}"
    answer = client.post("/internal/v1/partners", json={"name": "Acme", "slug": slug, "admin_email": admin["email"]},
                         headers=OPERATOR)
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def send_mail(app) -> list:
    """Run the mailer once; the invitation links it sent."""
    runtime = app.config["RUNTIME"]
    before = len(app.smtp.inbox.messages) if app.smtp else 0
    transport = mailer.Transport(runtime.config.smtp_url, runtime.config.data_dir / "mail")
    mailer.send_pending(runtime, transport)
    if app.smtp:
        bodies = [m.get_content() for m in app.smtp.inbox.messages[before:]]
    else:
        bodies = [p.read_text() for p in sorted((runtime.config.data_dir / "mail").glob("*.eml"))]
    return [re.search(r"https://portal\.example\.com/invitations/(\S+)", b).group(1) for b in bodies
            if "/invitations/" in b]


def invite(client, pid, admin, *emails, message=""):
    return client.post(f"/api/v1/partners/{pid}/invitations", json={"emails": list(emails), "message": message},
                       headers=admin["headers"])


def test_emails_are_normalised_and_passwords_hashed_with_argon2id(app):
    client = app.test_client()
    ada = account(client, email="  Ada.Lovelace@Example.COM ")
    assert ada["email"] == "ada.lovelace@example.com"
    again = client.post("/api/v1/accounts", json={"email": "ADA.lovelace@example.com", "password": PASSWORD, "name": "x"})
    assert again.status_code == 409 and again.get_json()["code"] == "email_taken"
    with app.config["RUNTIME"].db.engine.connect() as conn:
        stored = conn.execute(text("SELECT password_hash FROM accounts")).scalar()
    assert stored.startswith("$argon2id$") and "m=65536" in stored


def test_sign_in_answers_the_same_for_an_unknown_email_and_a_wrong_password(app):
    client = app.test_client()
    ada = account(client)
    timings = {}
    for label, email in (("wrong password", ada["email"]), ("unknown email", "nobody@example.com")):
        started = time.perf_counter()
        answer = client.post("/api/v1/sessions", json={"email": email, "password": "not the password"})
        timings[label] = time.perf_counter() - started
        assert answer.status_code == 401 and answer.get_json()["code"] == "invalid_credentials"
    # both paths run one argon2id verification: same order of magnitude
    assert timings["unknown email"] > timings["wrong password"] / 3


def test_the_whole_invitation_lifecycle_with_mail_sent(app):
    client = app.test_client()
    admin, bob = account(client, "Admin"), account(client, "Bob")
    pid = partner(client, admin)
    sent = invite(client, pid, admin, bob["email"].upper(), message="<b>Welcome</b> to the team!")
    assert sent.status_code == 201
    [item] = sent.get_json()["items"]
    assert item["status"] == "pending" and item["email"] == bob["email"]
    [token] = send_mail(app)
    assert len(token) >= 22
    with app.config["RUNTIME"].db.transaction() as session:
        mail = session.scalars(select(OutgoingMail)).all()
        assert all(m.sent_at and m.body == "" for m in mail)   # no link left in the database
        assert token not in str([i.token_hash for i in session.scalars(select(Invitation))])
    accepted = client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob["headers"])
    assert accepted.status_code == 200 and accepted.get_json() == {"partner_id": pid}
    me = client.get("/api/v1/me", headers=bob["headers"]).get_json()
    assert me["partners"] == [{"id": pid, "name": "Acme", "slug": me["partners"][0]["slug"], "role": "member"}]
    members = client.get(f"/api/v1/partners/{pid}/members", headers=bob["headers"]).get_json()["items"]
    assert {m["role"] for m in members} == {"admin", "member"}
    reused = client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob["headers"])
    assert reused.status_code == 410 and reused.get_json()["code"] == "invitation_used"
    again = invite(client, pid, admin, bob["email"])
    assert again.status_code == 409 and again.get_json()["code"] == "already_member"
    assert client.delete(f"/api/v1/partners/{pid}/members/{bob['id']}", headers=admin["headers"]).status_code == 204
    assert client.get(f"/api/v1/partners/{pid}/members", headers=bob["headers"]).status_code == 404


def test_the_email_is_plain_text_and_carries_the_message_as_text(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    invite(client, pid, admin, "carol@example.com", message="<script>alert(1)</script> hi")
    send_mail(app)
    runtime = app.config["RUNTIME"]
    if app.smtp:
        message = app.smtp.inbox.messages[-1]
        assert message.get_content_type() == "text/plain" and "<script>alert(1)</script> hi" in message.get_content()
    else:
        raw = sorted((runtime.config.data_dir / "mail").glob("*.eml"))[-1].read_text()
        assert "Content-Type: text/plain" in raw and "text/html" not in raw


@pytest.mark.parametrize("case", ["revoked", "expired", "other email", "guessed", "resent"])
def test_bad_invitation_tokens_are_all_refused(app, case):
    client = app.test_client()
    admin, bob, eve = account(client, "Admin"), account(client, "Bob"), account(client, "Eve")
    pid = partner(client, admin)
    invitation_id = invite(client, pid, admin, bob["email"]).get_json()["items"][0]["id"]
    [token] = send_mail(app)
    who, expected = bob, None
    if case == "revoked":
        client.delete(f"/api/v1/partners/{pid}/invitations/{invitation_id}", headers=admin["headers"])
        expected = (410, "invitation_revoked")
    elif case == "expired":
        with app.config["RUNTIME"].db.transaction() as session:
            session.get(Invitation, invitation_id).expires_at = utcnow() - timedelta(seconds=1)
        expected = (410, "invitation_expired")
    elif case == "other email":
        who, expected = eve, (403, "email_mismatch")
    elif case == "guessed":
        token, expected = token[:-2] + ("aa" if not token.endswith("aa") else "bb"), (404, "invitation_not_found")
    elif case == "resent":
        assert client.post(f"/api/v1/partners/{pid}/invitations/{invitation_id}/resend",
                           headers=admin["headers"]).status_code == 200
        expected = (404, "invitation_not_found")
    answer = client.post("/api/v1/invitations/accept", json={"token": token}, headers=who["headers"])
    assert (answer.status_code, answer.get_json()["code"]) == expected
    assert len(client.get(f"/api/v1/partners/{pid}/members", headers=admin["headers"]).get_json()["items"]) == 1


def test_members_cannot_do_admin_things_and_the_last_admin_cannot_leave(app):
    client = app.test_client()
    admin, bob = account(client, "Admin"), account(client, "Bob")
    pid = partner(client, admin)
    invite(client, pid, admin, bob["email"])
    [token] = send_mail(app)
    client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob["headers"])
    refused = invite(client, pid, bob, "x@example.com")
    assert refused.status_code == 403 and refused.get_json()["code"] == "admin_only"
    assert client.delete(f"/api/v1/partners/{pid}/members/{admin['id']}", headers=bob["headers"]).status_code == 403
    itself = client.delete(f"/api/v1/partners/{pid}/members/{admin['id']}", headers=admin["headers"])
    assert itself.status_code == 409 and itself.get_json()["code"] == "last_admin"


def test_another_partners_ids_are_not_found(app):
    client = app.test_client()
    mine_admin, their_admin = account(client, "Me"), account(client, "Them")
    partner(client, mine_admin)
    theirs = partner(client, their_admin)
    invitation_id = invite(client, theirs, their_admin, "z@example.com").get_json()["items"][0]["id"]
    for method, path in (("GET", "members"), ("GET", "invitations"), ("POST", "invitations"),
                         ("DELETE", f"invitations/{invitation_id}"), ("POST", f"invitations/{invitation_id}/resend"),
                         ("DELETE", f"members/{their_admin['id']}")):
        answer = client.open(f"/api/v1/partners/{theirs}/{path}", method=method, headers=mine_admin["headers"],
                             json={"emails": ["q@example.com"]} if method == "POST" else None)
        assert answer.status_code == 404, (method, path)
    assert client.get("/api/v1/partners/unknown/members", headers=mine_admin["headers"]).status_code == 404


def test_bad_input_is_refused(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    cases = [("/api/v1/accounts", {"email": "not-an-email", "password": PASSWORD, "name": "x"}),
             ("/api/v1/accounts", {"email": "a@example.com", "password": PASSWORD, "name": "x" * 121}),
             ("/api/v1/accounts", {"email": 5, "password": PASSWORD, "name": "x"}),
             ("/api/v1/accounts", {"password": PASSWORD}),
             (f"/api/v1/partners/{pid}/invitations", {"emails": ["a@example.com", "A@example.com"]}),
             (f"/api/v1/partners/{pid}/invitations", {"emails": []}),
             (f"/api/v1/partners/{pid}/invitations", {"emails": ["a@example.com"], "message": "x" * 1001}),
             (f"/api/v1/partners/{pid}/invitations", {"emails": ["nope"]})]
    for path, body in cases:
        answer = client.post(path, json=body, headers=admin["headers"])
        assert answer.status_code == 422 and answer.get_json()["code"] == "validation_error", (path, body)
    malformed = client.post("/api/v1/accounts", data="{", content_type="application/json")
    assert malformed.status_code == 400 and malformed.get_json()["code"] == "invalid_json"
    no_account = client.post("/internal/v1/partners", json={"name": "A", "slug": "a-b", "admin_email": "no@example.com"},
                             headers=OPERATOR)
    assert no_account.status_code == 422 and no_account.get_json()["code"] == "account_not_found"
    taken = client.post("/internal/v1/partners", json={"name": "A", "slug": "a-b", "admin_email": admin["email"]},
                        headers=OPERATOR)
    clash = client.post("/internal/v1/partners", json={"name": "B", "slug": "a-b", "admin_email": admin["email"]},
                        headers=OPERATOR)
    assert taken.status_code == 201 and clash.status_code == 409 and clash.get_json()["code"] == "slug_taken"


def test_tampered_expired_and_unsigned_tokens_are_401(app):
    client = app.test_client()
    ada = account(client)
    token = ada["headers"]["Authorization"].split()[1]
    header, payload, signature = token.split(".")
    unsigned = jwt.encode({"sub": ada["id"], "iss": "portal-membership", "aud": "portal",
                           "exp": int(time.time()) + 60, "iat": int(time.time())}, None, algorithm="none")
    keys = app.extensions["signing_keys"]
    from services.common.auth import TokenSigner
    expired = TokenSigner(keys, lifetime_seconds=-10).issue(ada["id"])
    for bad in (f"{header}.{payload}x.{signature}", f"{header}.{payload}.{signature[:-4]}AAAA", unsigned, expired):
        answer = client.get("/api/v1/me", headers={"Authorization": f"Bearer {bad}"})
        assert answer.status_code == 401 and answer.get_json()["code"] == "unauthorized"


def test_a_token_signed_before_a_key_rotation_stays_valid(app):
    client = app.test_client()
    ada = account(client)
    app.extensions["signing_keys"].rotate()
    assert client.get("/api/v1/me", headers=ada["headers"]).status_code == 200
    jwks = client.get("/.well-known/jwks.json").get_json()["keys"]
    assert len(jwks) == 2 and all(k["alg"] == "EdDSA" for k in jwks)


def test_partner_events_go_out_for_other_services(app):
    import json
    import threading
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    runtime = app.config["RUNTIME"]
    runtime.relay().relay_once()
    seen, stop = [], threading.Event()
    threading.Timer(1.0, stop.set).start()
    runtime.bus.consume("observer", lambda d: (seen.append(json.loads(d.message.body)), d.ack()), stop)
    kinds = {e["event_type"]: e["payload"] for e in seen}
    assert kinds["membership.access.granted"]["partner_id"] == pid
    assert kinds["membership.member.joined"] == {"partner_id": pid, "account_id": admin["id"], "role": "admin"}


def test_a_removed_admin_repeating_a_keyed_invitation_is_refused_not_given_the_stored_answer(app):
    client = app.test_client()
    admin, bob = account(client, "Admin"), account(client, "Bob")
    pid = partner(client, admin)
    invite(client, pid, admin, bob["email"])
    [token] = send_mail(app)
    client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob["headers"])
    promoted = client.patch(f"/api/v1/partners/{pid}/members/{bob['id']}", json={"role": "admin"},
                            headers=admin["headers"])
    assert promoted.status_code == 200
    keyed = {**admin["headers"], "Idempotency-Key": "invite-carol"}
    body = {"emails": ["carol@example.com"]}
    assert client.post(f"/api/v1/partners/{pid}/invitations", json=body, headers=keyed).status_code == 201

    assert client.delete(f"/api/v1/partners/{pid}/members/{admin['id']}", headers=bob["headers"]).status_code == 204
    repeat = client.post(f"/api/v1/partners/{pid}/invitations", json=body, headers=keyed)

    assert repeat.status_code == 404
    assert repeat.get_json()["code"] == "not_found"
