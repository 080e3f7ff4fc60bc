"""The seeded demo: a partner admin account and its partner, through the public API."""
from __future__ import annotations

import time

import requests
import structlog

from services.common.config import Config

DEMO_EMAIL = "demo@example.com"
DEMO_PASSWORD = "demo-password-1"
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
    requests.post(f"{base}/internal/v1/partners", json=DEMO_PARTNER, headers=operator, timeout=10)


def seed_when_ready(config: Config) -> None:
    try:
        for part in ("gateway", "membership"):
            wait_for(f"{config.url_of(part)}/readyz")
        seed(config)
        print(f"demo ready: sign in as {DEMO_EMAIL}", flush=True)
    except Exception as exc:  # the suite keeps running without the demo
        log.error("demo seed failed", error=repr(exc))
