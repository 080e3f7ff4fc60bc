"""The Flask app every service builds: errors, request ids, health, tokens, OpenAPI."""
from __future__ import annotations

from flask import Flask, current_app, request
from flask_smorest import Api

from .auth import TokenVerifier
from .errors import install_error_handlers
from .health import health_blueprint
from .inputs import refuse_unstorable_input
from .logs import configure_logging, install_request_ids
from .metrics import install_metrics
from .openapi import PortalApi
from .runtime import Runtime

BEARER = {"bearerAuth": {"type": "http", "scheme": "bearer", "bearerFormat": "JWT"}}


def create_service_app(runtime: Runtime, title: str, blueprints=(), error_table=None,
                       ready_checks=None, verifier: TokenVerifier | None = None,
                       serve_openapi: bool = True, refuse_nul: bool = True) -> tuple[Flask, Api]:
    """A Flask app wired the same way in every service; ``blueprints`` are flask-smorest blueprints.
    ``serve_openapi`` off leaves ``/openapi.json`` to the app (the gateway merges the services')."""
    config = runtime.config
    configure_logging(runtime.service)
    app = Flask(runtime.service)
    app.config.update(
        PORTAL=config, RUNTIME=runtime, MAX_CONTENT_LENGTH=config.max_request_bytes,
        API_TITLE=title, API_VERSION="v1", OPENAPI_VERSION="3.0.3",
        OPENAPI_URL_PREFIX="/" if serve_openapi else None, OPENAPI_JSON_PATH="openapi.json",
        API_SPEC_OPTIONS={"components": {"securitySchemes": BEARER}},  # security: per operation (auth.py)
    )
    app.extensions["token_verifier"] = verifier or TokenVerifier(
        jwks_url=f"{config.url_of('membership')}/.well-known/jwks.json")
    api = PortalApi(app)
    install_error_handlers(app, error_table)
    if refuse_nul:  # off in the gateway: it streams bodies on and the services refuse them
        refuse_unstorable_input(app)
    install_request_ids(app)
    app.after_request(_no_store)
    install_metrics(app, runtime.service)
    checks = {"database": runtime.db.ping, "bus": runtime.bus.ping, **(ready_checks or {})}
    app.register_blueprint(health_blueprint(checks))
    for blueprint in blueprints:
        api.register_blueprint(blueprint)
    return app, api


PRIVATE_PREFIXES, PUBLIC_PREFIX = ("/api/v1/", "/internal/"), "/api/v1/public/"


def _no_store(response):
    """``Cache-Control: no-store`` on every answer under /api/v1/ and /internal/ except
    /api/v1/public/, errors included (API.md, Details of the second round): tokens and
    account data never rest in a cache. The raw request target counts too: the gateway answers
    a refused ambiguous path as if it were ``/``."""
    raw = request.environ.get("RAW_URI") or request.environ.get("REQUEST_URI") or ""
    private = request.path.startswith(PRIVATE_PREFIXES) or raw.startswith(PRIVATE_PREFIXES)
    if private and not request.path.startswith(PUBLIC_PREFIX):
        response.headers["Cache-Control"] = "no-store"
    return response


def current_runtime() -> Runtime:
    """The runtime of the service answering this request."""
    return current_app.config["RUNTIME"]
