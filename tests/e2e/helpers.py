"""Journeys a partner's script walks through the gateway."""
from __future__ import annotations

import uuid

from tests.support.procs import wait_until


def sign_up(stack, name: str = "Ada") -> dict:
    email = f"{name.lower()}-{uuid.uuid4().hex[:8]}@example.com"
    password = "correct horse battery"
    created = stack.call("POST", "/api/v1/accounts", json={"email": email, "password": password, "name": name})
    assert created.status_code == 201, created.text
    session = stack.call("POST", "/api/v1/sessions", json={"email": email, "password": password})
    assert session.status_code == 200, session.text
    return {**created.json(), "password": password, "token": session.json()["access_token"]}


def new_partner(stack, admin: dict) -> dict:
    slug = f"p-{uuid.uuid4().hex[:10]}"
    granted = stack.operator("POST", "/internal/v1/partners",
                             json={"name": f"Partner {slug}", "slug": slug, "admin_email": admin["email"]})
    assert granted.status_code == 201, granted.text
    return granted.json()


def eventually_ok(stack, path: str, token: str, timeout: float = 10):
    """Wait for the bus to carry a fact to the service answering ``path``."""
    return wait_until(lambda: (r := stack.call("GET", path, token)).ok and r, timeout, 0.05, path)
