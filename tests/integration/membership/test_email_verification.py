"""Email verification (API.md, Changed rules): a new account is unverified until its owner opens
the mailed link; access is never granted to an unverified address; an address left unverified
for a day can be signed up for again. With mail really sent (SMTP server or .eml files)."""
from __future__ import annotations

import uuid
from datetime import timedelta

import pytest
from sqlalchemy import select, text

from services.common.db import utcnow
from services.membership.models import Account
from tests.integration.membership.conftest import OPERATOR
from tests.integration.membership.test_accounts_and_team import PASSWORD, account, invite, partner, send_mail
from tests.support.mail import Mailbox

pytestmark = pytest.mark.integration


def grant(client, email):
    return client.post("/internal/v1/partners", headers=OPERATOR,
                       json={"name": "Acme", "slug": f"p-{uuid.uuid4().hex[:8]}", "admin_email": email})


def test_access_is_granted_only_once_the_owner_opened_the_mailed_link(app):
    client = app.test_client()
    ada = account(client)
    assert client.get("/api/v1/me", headers=ada["headers"]).get_json()["email_verified"] is False
    refused = grant(client, ada["email"])
    assert (refused.status_code, refused.get_json()["code"]) == (422, "account_not_verified")
    [mail] = Mailbox.of_app(app).to(ada["email"], "/verify-email/")
    assert "https://portal.example.com/verify-email/" in mail.get_content()  # PORTAL_PUBLIC_URL, not Host
    token = Mailbox.of_app(app).link(ada["email"], "verify-email")
    assert client.post("/api/v1/accounts/verify", json={"token": token}).status_code == 204
    assert client.get("/api/v1/me", headers=ada["headers"]).get_json()["email_verified"] is True
    assert grant(client, ada["email"]).status_code == 201
    again = client.post("/api/v1/accounts/verify", json={"token": token})
    assert (again.status_code, again.get_json()["code"]) == (404, "verification_not_found")


def test_only_the_verification_tokens_hash_is_stored_and_only_until_it_is_used(app):
    client = app.test_client()
    ada = account(client)
    token = Mailbox.of_app(app).link(ada["email"], "verify-email")
    with app.config["RUNTIME"].db.engine.connect() as conn:
        row = conn.execute(text("SELECT * FROM accounts WHERE id = :id"), {"id": ada["id"]}).mappings().one()
    assert token not in str(dict(row)) and len(row["verification_hash"]) == 64
    client.post("/api/v1/accounts/verify", json={"token": token})
    with app.config["RUNTIME"].db.engine.connect() as conn:
        assert conn.execute(text("SELECT verification_hash FROM accounts WHERE id = :id"),
                            {"id": ada["id"]}).scalar() is None


def test_bad_verification_tokens_are_refused_without_a_500(app):
    for token, status, code in (("guessed-token-aaaaaaaaaaaaaaaaaaaa", 404, "verification_not_found"),
                                ("", 422, "validation_error"), ("x" * 201, 422, "validation_error"),
                                (5, 422, "validation_error"), (None, 422, "validation_error")):
        answer = app.test_client().post("/api/v1/accounts/verify", json={"token": token})
        assert (answer.status_code, answer.get_json()["code"]) == (status, code), token


def test_an_unverified_address_is_taken_for_a_day_and_then_can_be_signed_up_for_again(app):
    client = app.test_client()
    squatter = account(client, "Squatter")
    old_token = Mailbox.of_app(app).link(squatter["email"], "verify-email")
    owner = {"email": squatter["email"], "password": "the owner's own passphrase", "name": "Owner"}
    young = client.post("/api/v1/accounts", json=owner)
    assert (young.status_code, young.get_json()["code"]) == (409, "email_taken")
    with app.config["RUNTIME"].db.transaction() as session:
        session.get(Account, squatter["id"]).created_at = utcnow() - timedelta(hours=24, minutes=1)
    replaced = client.post("/api/v1/accounts", json=owner)
    assert replaced.status_code == 201 and replaced.get_json()["id"] != squatter["id"]
    assert client.get("/api/v1/me", headers=squatter["headers"]).status_code == 401  # the squatter is gone
    assert client.post("/api/v1/sessions", json={"email": owner["email"], "password": PASSWORD}).status_code == 401
    assert client.post("/api/v1/accounts/verify", json={"token": old_token}).status_code == 404
    new_token = Mailbox.of_app(app).link(owner["email"], "verify-email")
    assert client.post("/api/v1/accounts/verify", json={"token": new_token}).status_code == 204


def test_a_verified_address_stays_taken_however_old(app):
    client = app.test_client()
    ada = account(client)
    partner(client, ada)  # verifies through the mailed link
    with app.config["RUNTIME"].db.transaction() as session:
        session.get(Account, ada["id"]).created_at = utcnow() - timedelta(days=30)
    again = client.post("/api/v1/accounts", json={"email": ada["email"], "password": "another passphrase", "name": "x"})
    assert (again.status_code, again.get_json()["code"]) == (409, "email_taken")


def test_accepting_an_invitation_sent_to_the_address_verifies_the_account(app):
    client = app.test_client()
    admin, bob = account(client, "Admin"), account(client, "Bob")
    pid = partner(client, admin)
    invite(client, pid, admin, bob["email"])
    [token] = send_mail(app)
    assert client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob["headers"]).status_code == 200
    assert client.get("/api/v1/me", headers=bob["headers"]).get_json()["email_verified"] is True
    with app.config["RUNTIME"].db.transaction() as session:
        assert session.scalar(select(Account.verification_hash).where(Account.id == bob["id"])) is None
