"""The webhooks service's own settings, read from the environment (docs/configuration.md).

Everything else (database, bus, operator token, where membership listens) comes from
``services.common.config.Config`` like every service's."""
from __future__ import annotations

import os
from dataclasses import dataclass

from .domain import RETRY_DELAYS


def _seconds_list(text: str) -> tuple[float, ...]:
    delays = tuple(float(part) for part in text.split(",") if part.strip())
    if not delays or any(d <= 0 for d in delays):
        raise ValueError(f"WEBHOOKS_RETRY_DELAYS needs positive seconds, comma separated: {text!r}")
    return delays


@dataclass(frozen=True)
class WebhookSettings:
    """``allow_private``: ``WEBHOOKS_ALLOW_PRIVATE=1`` lifts the public-address and https-only
    rules (local testing only). Delivery limits: ``timeout`` seconds in all per attempt,
    ``max_answer_bytes`` of the answer read, ``per_endpoint`` attempts at once per endpoint,
    ``concurrency`` attempts at once per worker process. ``retry_delays``: seconds before each
    retry, in order; once spent, the delivery is ``failed``. ``disable_after``: seconds an
    endpoint may fail without one success before it is disabled. ``lease``: seconds a worker
    holds a claimed delivery (longer than ``timeout``); a killed worker's claims are sent
    again after it. ``ca_file``: a PEM bundle of
    certificate authorities trusted besides the system's (``WEBHOOKS_CA_FILE``)."""

    allow_private: bool = False
    timeout: float = 10.0
    max_answer_bytes: int = 64 * 1024
    per_endpoint: int = 4
    concurrency: int = 64
    retry_delays: tuple[float, ...] = RETRY_DELAYS
    disable_after: float = 3 * 24 * 3600.0
    lease: float = 60.0
    ca_file: str | None = None

    @classmethod
    def from_env(cls, environ=None) -> "WebhookSettings":
        env = os.environ if environ is None else environ
        default = cls()
        settings = cls(
            allow_private=env.get("WEBHOOKS_ALLOW_PRIVATE", "0") == "1",
            timeout=float(env.get("WEBHOOKS_TIMEOUT_SECONDS") or default.timeout),
            max_answer_bytes=int(env.get("WEBHOOKS_MAX_ANSWER_BYTES") or default.max_answer_bytes),
            per_endpoint=int(env.get("WEBHOOKS_PER_ENDPOINT_CONCURRENCY") or default.per_endpoint),
            concurrency=int(env.get("WEBHOOKS_CONCURRENCY") or default.concurrency),
            retry_delays=_seconds_list(env["WEBHOOKS_RETRY_DELAYS"]) if env.get("WEBHOOKS_RETRY_DELAYS")
            else default.retry_delays,
            disable_after=float(env.get("WEBHOOKS_DISABLE_AFTER_SECONDS") or default.disable_after),
            ca_file=env.get("WEBHOOKS_CA_FILE") or None,
            lease=float(env.get("WEBHOOKS_LEASE_SECONDS") or default.lease),
        )
        if settings.lease <= settings.timeout:
            raise ValueError("WEBHOOKS_LEASE_SECONDS must be longer than WEBHOOKS_TIMEOUT_SECONDS")
        return settings
