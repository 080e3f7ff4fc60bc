"""The portal's pages call the same API as partners' scripts, with the signed-in
account's token, through the front door's service clients: the same connection pool,
timeouts, circuit breakers and error path as a forwarded request (``ServiceClient.call``)."""
from __future__ import annotations

from dataclasses import dataclass, field
from urllib.parse import urlencode

from flask import current_app, flash, g, request

from services.common.errors import Problem
from services.common.partner_header import PARTNER_HEADER

from ..frontdoor.clients import KNOWN_DEVICE
from ..frontdoor.proxy import WRITES, after_write
from ..frontdoor.routes import owner_of


@dataclass
class Answer:
    """A service's answer: its status and JSON body (a problem when it refused)."""

    status: int
    data: dict = field(default_factory=dict)
    set_cookie: str | None = None  # membership's known_device cookie after a sign-in

    @property
    def ok(self) -> bool:
        return self.status < 400

    @property
    def code(self) -> str | None:
        return None if self.ok else self.data.get("code")

    @property
    def message(self) -> str:
        """The service's own words for a refusal, field errors included."""
        parts = [self.data.get("detail") or self.data.get("title") or "The request was refused."]
        for name, messages in (self.data.get("errors") or {}).items():
            parts.append(f"{name}: {' '.join(map(str, messages)) if isinstance(messages, list) else messages}")
        return " ".join(parts)


def call(method: str, path: str, query: dict | None = None, json=None, body=None,
         content_type: str | None = None, token: str | None = None, service: str | None = None) -> Answer:
    """Call ``path`` of the public API as the signed-in account (or with ``token``)."""
    service = service or owner_of(path)
    if service is None:
        raise LookupError(f"no service answers {path}")
    client = current_app.extensions["clients"][service]
    token = token if token is not None else g.portal_session.access_token
    query_string = urlencode({k: v for k, v in (query or {}).items() if v not in (None, "")}, doseq=True)
    upstream = client.call(method, path, token, query_string.encode(), json, body, content_type,
                           client_address=request.remote_addr, known_device=request.cookies.get(KNOWN_DEVICE))
    answer = Answer(upstream.status_code, _json(upstream), upstream.headers.get("Set-Cookie"))
    if upstream.status_code >= 500:
        raise Problem(503, "service_unavailable", f"The {service} service failed; try again shortly.")
    if method in WRITES and answer.ok:
        after_write(service, upstream.headers.get(PARTNER_HEADER), answer.data)
    return answer


def get(path: str, **query) -> dict:
    """A read that must succeed: its JSON body (a refusal becomes the page's own error)."""
    answer = call("GET", path, query=query)
    if not answer.ok:
        raise Problem(answer.status, answer.code or "refused", answer.message)
    return answer.data


def _json(upstream) -> dict:
    if "json" not in upstream.headers.get("Content-Type", ""):
        return {}
    try:
        body = upstream.json()
    except ValueError:
        return {}
    return body if isinstance(body, dict) else {"items": body}


def report(answer: Answer, success: str) -> Answer:
    """Tell the person how their action went, on the next page they see."""
    flash(success if answer.ok else answer.message, "info" if answer.ok else "error")
    return answer
