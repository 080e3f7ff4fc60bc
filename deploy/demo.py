"""The seeded demo: a partner admin account and its partner, through the public API."""
from __future__ import annotations

import json
import os
import time

import requests
import structlog

from services.common.config import Config

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-1"
DEMO_TALENT = 200
DEMO_PARTNER = {"name": "Acme Analytics", "slug": "acme", "admin_email": DEMO_EMAIL}
log = structlog.get_logger("demo")


def wait_for(url: str, timeout: float = 60.0) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        try:
            if requests.get(url, timeout=1).ok:
                return
        except requests.RequestException:
            pass
        time.sleep(0.3)
    raise TimeoutError(url)


def seed(config: Config) -> None:
    """Idempotent: an existing account or partner is left as it is."""
    base = config.url_of("gateway")
    operator = {"Authorization": f"Bearer {config.operator_token}"}
    requests.post(f"{base}/api/v1/accounts", timeout=10,
                  json={"email": DEMO_EMAIL, "password": DEMO_PASSWORD, "name": "Demo Admin"})
    confirm_demo_email()
    granted = requests.post(f"{base}/internal/v1/partners", json=DEMO_PARTNER, headers=operator, timeout=10)
    partner_id = granted.json().get("id") if granted.status_code == 201 else None
    seed_talent(base, operator, partner_id)


def confirm_demo_email() -> None:
    """The demo address receives no mail anyone reads: the seed confirms it the way an operator
    does (`python -m services.membership verify-email`), in membership's own database, so the
    grant below finds a verified account."""
    from services.membership import handlers
    from services.membership.runtime import make_runtime
    runtime = make_runtime()
    try:
        with runtime.db.transaction() as session:
            handlers.confirm_email(session, DEMO_EMAIL)
    finally:
        runtime.close()


def seed_talent(base: str, operator: dict, partner_id: str | None, count: int = DEMO_TALENT) -> dict:
    """The demo talent directory: generated freelancers through the bulk endpoint (some
    referred by the demo partner). Repeating it changes nothing: the documents are stale."""
    from services.eligibility.talentgen import generate_talent
    lines = "\n".join(json.dumps(doc) for doc in generate_talent(
        count, seed=2026, partner_ids=[partner_id] if partner_id else []))
    answer = requests.post(f"{base}/internal/v1/talent:bulk", data=lines.encode(), timeout=60,
                           headers={**operator, "Content-Type": "application/x-ndjson"})
    answer.raise_for_status()
    return answer.json()


def seed_when_ready(config: Config) -> None:
    try:
        for part in ("gateway", "membership", "eligibility"):
            admin = os.environ.get("GATEWAY_ADMIN_PORT") if part == "gateway" else None  # its /readyz is there
            wait_for(f"http://127.0.0.1:{admin}/readyz" if admin else f"{config.url_of(part)}/readyz")
        seed(config)
        print(f"demo ready: sign in as {DEMO_EMAIL}", flush=True)
    except Exception as exc:  # the suite keeps running without the demo
        log.error("demo seed failed", error=repr(exc))
