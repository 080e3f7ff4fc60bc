"""The front door: every API path goes to the service that owns it."""
from __future__ import annotations

from flask import Blueprint, current_app, request

from services.common.errors import Problem

from .routes import owner_of

proxy = Blueprint("proxy", __name__)
METHODS = ["GET", "HEAD", "POST", "PUT", "PATCH", "DELETE"]


@proxy.route("/api/<path:rest>", methods=METHODS)
@proxy.route("/internal/<path:rest>", methods=METHODS)
@proxy.route("/assets/<path:rest>", methods=["GET", "HEAD"])
def forward(rest):
    service = owner_of(request.path)
    if service is None:
        raise Problem(404, "not_found", "No such endpoint.")
    return current_app.extensions["clients"][service].forward(request, request.path)
