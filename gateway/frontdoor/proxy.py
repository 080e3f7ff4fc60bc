"""The front door: every API path of the contract goes to the service that owns it
(``routes``), as exactly the path that matched. After a write that changes a page, the
gateway refreshes that page's read model before answering, so the next public request
already shows it."""
from __future__ import annotations

import json

from flask import Blueprint, current_app, request

from services.common.errors import Problem
from services.common.partner_header import PARTNER_HEADER

from .api_keys import exchange_api_key
from .routes import ambiguous, owner_of

proxy = Blueprint("proxy", __name__)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}


@proxy.route("/api/<path:rest>", methods=METHODS)
@proxy.route("/internal/<path:rest>", methods=METHODS)
@proxy.route("/assets/<path:rest>", methods=["GET", "HEAD"])
def forward(rest):
    service = owner_of(request.path)
    if service is None:
        raise Problem(404, "not_found", "No such endpoint.")
    exchange_api_key(request)  # Bearer pek_...: the key's access token from here on
    response = current_app.extensions["clients"][service].forward(request, request.path)
    partner_id = response.headers.pop(PARTNER_HEADER, None)  # the service's word, for us alone
    if request.method in WRITES and response.status_code < 300:
        _write_through(service, partner_id, response)
    return response


def _write_through(service: str, partner_id: str | None, response) -> None:
    data = response.get_data()  # a 204 carries no body, whatever its Content-Type says
    body = json.loads(data) if data and response.mimetype == "application/json" else None
    after_write(service, partner_id, body)


def after_write(service: str, partner_id: str | None, answer) -> None:
    """Bring the read model up to date with a successful write to ``service`` (its JSON
    ``answer``). ``partner_id`` is the partner the service says it wrote for (its
    ``X-Partner-Id`` answer header), never one read from the request path: a path the gateway
    and the service read differently must not put one partner's write on another's page."""
    if not partner_id or service not in ("catalog", "assets") or ambiguous(f"/{partner_id}"):
        return  # no partner named, or not one plain path segment: nothing to refresh
    refresher = current_app.extensions["refresher"]
    if service == "assets":
        if isinstance(answer, dict) and {"kind", "url", "width", "height", "sha256", "updated_at"} <= answer.keys():
            refresher.store_asset(partner_id, answer)
        return
    refresher.refresh(partner_id)
