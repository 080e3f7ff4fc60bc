"""Passwords (API.md, Changed rules and Details of the second round): at least 10 characters,
not among the 10,000 most common (zxcvbn's list), not one repeated character, not the email
or its local part ignoring case; else 422 weak_password, before anything is stored."""
from __future__ import annotations

import uuid

import pytest
from sqlalchemy import func, select

from services.membership.models import Account, OutgoingMail

pytestmark = pytest.mark.integration


def sign_up(client, password, email=None):
    email = email or f"pw-{uuid.uuid4().hex[:8]}@example.com"
    return client.post("/api/v1/accounts", json={"email": email, "password": password, "name": "Pat"})


WEAK = ["", "short", "nine char", " " * 10, "aaaaaaaaaa", "ZZZZZZZZZZZZZZZZZZZZ", "1234567890", "qwertyuiop",
        "password123", "PassWord123", "1q2w3e4r5t", "Manchester", "\u00e9" * 12]


def test_weak_passwords_are_refused_with_weak_password_and_nothing_is_stored(app):
    client = app.test_client()
    for password in WEAK:
        answer = sign_up(client, password)
        assert answer.status_code == 422, (password, answer.get_json())
        body = answer.get_json()
        assert body["code"] == "weak_password" and body["errors"]["password"], body
    with app.config["RUNTIME"].db.transaction() as session:
        assert session.scalar(select(func.count()).select_from(Account)) == 0
        assert session.scalar(select(func.count()).select_from(OutgoingMail)) == 0


def test_the_email_or_its_local_part_is_not_a_password_in_any_case(app):
    client = app.test_client()
    email = f"Margaret.Hamilton{uuid.uuid4().hex[:4]}@Example.com"
    for password in (email, email.upper(), email.split("@")[0].lower(), email.split("@")[0].upper()):
        answer = sign_up(client, password, email=email)
        assert (answer.status_code, answer.get_json()["code"]) == (422, "weak_password"), password


def test_long_uncommon_passwords_are_accepted(app):
    for password in ("correct horse battery", "Tr0ub4dor&3-extra", "ab" * 5, "\u00e9t\u00e9 \u00e0 Montr\u00e9al"):
        assert sign_up(app.test_client(), password).status_code == 201, password
