"""The front door: every API path goes to the service that owns it. After a write that
changes a page, the gateway refreshes that page's read model before answering, so the
next public request already shows it."""
from __future__ import annotations

import json
import re

from flask import Blueprint, current_app, request

from services.common.errors import Problem

from .routes import owner_of

proxy = Blueprint("proxy", __name__)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]
WRITES = {"POST", "PUT", "PATCH", "DELETE"}
PARTNER_PATH = re.compile(r"^/api/v1/partners/([^/]+)/")


@proxy.route("/api/<path:rest>", methods=METHODS)
@proxy.route("/internal/<path:rest>", methods=METHODS)
@proxy.route("/assets/<path:rest>", methods=["GET", "HEAD"])
def forward(rest):
    service = owner_of(request.path)
    if service is None:
        raise Problem(404, "not_found", "No such endpoint.")
    response = current_app.extensions["clients"][service].forward(request, request.path)
    if request.method in WRITES and response.status_code < 300:
        _write_through(service, response)
    return response


def _write_through(service: str, response) -> None:
    data = response.get_data()  # a 204 carries no body, whatever its Content-Type says
    body = json.loads(data) if data and response.mimetype == "application/json" else None
    after_write(service, request.path, body)


def after_write(service: str, path: str, answer) -> None:
    """Bring the read model up to date with a successful write to ``path`` (its JSON ``answer``)."""
    match = PARTNER_PATH.match(path)
    if match is None or service not in ("catalog", "assets"):
        return
    refresher = current_app.extensions["refresher"]
    if service == "assets":
        if isinstance(answer, dict) and {"kind", "url", "width", "height", "sha256", "updated_at"} <= answer.keys():
            refresher.store_asset(match.group(1), answer)
        return
    refresher.refresh(match.group(1))
