"""What every answer of the gateway carries, what no request may exceed, which paths it
refuses before any route matching, and which port serves what."""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from flask import Flask, Response, render_template, request

from services.common.errors import Problem

from .routes import owner_of, refusal


def html_csp(public_url: str) -> str:
    """Strict: no inline script or style; images from here and from the public address."""
    parts = urlsplit(public_url)
    origin = f"{parts.scheme}://{parts.netloc}"
    return (f"default-src 'none'; img-src 'self' {origin} data:; style-src 'self'; script-src 'self'; "
            "connect-src 'self'; font-src 'self'; form-action 'self'; base-uri 'none'; frame-ancestors 'none'")


MAX_URL_CHARS = 2048
PORTAL_UPLOAD = re.compile(r"^/portal/p/[^/]+/assets/[^/]+$")
MIB = 1024 * 1024


def body_limit(path: str, method: str, default: int) -> int:
    """Bytes a request body may have on this path: uploads and bulk ingest get more."""
    service = owner_of(path)
    if (service == "assets" and method == "PUT") or PORTAL_UPLOAD.match(path):
        return int(os.environ.get("GATEWAY_MAX_UPLOAD_BYTES", str(11 * MIB)))
    if service == "eligibility" and path.endswith("talent:bulk"):
        return int(os.environ.get("GATEWAY_MAX_BULK_BYTES", str(512 * MIB)))
    return default


REFUSED = "gateway.refused"  # environ key: why the front door refuses this request (404)
ADMIN_PATHS = frozenset({"/metrics", "/readyz"})
REFUSED_PATH = "/.refused"  # a dot segment: no route has one, and no request can reach it unrefused
ADMIN_PORT_PATHS = ADMIN_PATHS | {"/healthz"}


class FrontDoor:
    """WSGI layer in front of everything else (the public page fast path included). A request
    it refuses goes to Flask marked ``REFUSED`` (why, and the path) and with the path
    ``REFUSED_PATH``, which no route matches (``/`` is the portal's), so no blueprint's error
    page answers it: its 404 is problem+json (or the HTML not-found page, ``wants_html``) with
    every security header, counted in the metrics, whatever route the path would have matched:

    - an ambiguous path (``routes.refusal``: raw request target and decoded path), before any
      route matching, for API, portal and public page routes alike (API.md "Changed rules");
    - ``/metrics`` and ``/readyz`` anywhere but on ``GATEWAY_ADMIN_PORT``, which serves only
      those and ``/healthz`` (API.md "Details of the second round"). The port is the one the
      connection came in on (the socket gunicorn or werkzeug hands over; ``SERVER_PORT``,
      which both set from the listening socket, otherwise), never a Host header."""

    def __init__(self, app, flask_app, admin_port: int | None):
        self.app, self.flask_app, self.admin_port = app, flask_app, admin_port

    def __call__(self, environ, start_response):
        reason = refusal(environ) or self._wrong_port(environ)
        if reason:  # matched by no route, so no blueprint (the portal's HTML pages) answers it
            environ[REFUSED] = (reason, environ.get("PATH_INFO", ""))
            environ["PATH_INFO"], environ["SCRIPT_NAME"] = REFUSED_PATH, ""
            return self.flask_app(environ, start_response)
        return self.app(environ, start_response)

    def _wrong_port(self, environ) -> str | None:
        on_admin = self.admin_port is not None and local_port(environ) == self.admin_port
        path = environ.get("PATH_INFO", "")
        if on_admin and path not in ADMIN_PORT_PATHS:
            return "the admin port serves only /metrics, /readyz and /healthz"
        if not on_admin and path in ADMIN_PATHS:
            return "served on the admin port only"
        return None


def local_port(environ) -> int | None:
    """The port this connection reached: the listening socket's, as the server handed it over."""
    for key in ("gunicorn.socket", "werkzeug.socket"):
        sock = environ.get(key)
        if sock is not None:
            try:
                return sock.getsockname()[1]
            except (OSError, AttributeError, IndexError, TypeError):
                pass
    try:
        return int(environ.get("SERVER_PORT", ""))
    except ValueError:
        return None


def admin_port() -> int | None:
    """``GATEWAY_ADMIN_PORT``; unset, nothing serves ``/metrics`` and ``/readyz``."""
    value = os.environ.get("GATEWAY_ADMIN_PORT", "").strip()
    return int(value) if value else None


HTML_PREFIXES = ("/experts", "/portal", "/go/", "/embed", "/preview/", "/invitations/", "/verify-email/",
                 "/password-reset/")


def wants_html(path: str, accept) -> bool:
    """A refused path answers the HTML not-found page under the HTML routes (public pages, the
    portal, the mailed links), or to a client that prefers text/html (a browser); problem+json
    to everyone else."""
    if any(path == p.rstrip("/") or path.startswith(p.rstrip("/") + "/") for p in HTML_PREFIXES):
        return True
    return accept.quality("text/html") > accept.quality("application/json") and accept.quality("text/html") > 0


def install_security(app: Flask) -> None:
    default_limit = app.config["PORTAL"].max_request_bytes
    csp = html_csp(app.config["PORTAL"].public_url)

    @app.before_request
    def _refused():
        if REFUSED in request.environ:
            if wants_html(request.environ[REFUSED][1], request.accept_mimetypes):
                return Response(render_template("not_found.html"), status=404, mimetype="text/html")
            raise Problem(404, "not_found", "No such endpoint.")

    @app.before_request
    def _limits():
        if len(request.full_path) > MAX_URL_CHARS:
            raise Problem(414, "uri_too_long", f"URLs are limited to {MAX_URL_CHARS} characters.")
        limit = body_limit(request.path, request.method, default_limit)
        request.max_content_length = limit
        if request.content_length is not None and request.content_length > limit:
            raise Problem(413, "file_too_large", f"The body is over {limit} bytes.")

    @app.after_request
    def _headers(response):
        headers = response.headers
        headers.setdefault("X-Content-Type-Options", "nosniff")
        headers.setdefault("Referrer-Policy", "strict-origin-when-cross-origin")
        own = headers.get("Content-Security-Policy", "")
        if "frame-ancestors" not in own or "frame-ancestors 'none'" in own:  # embeds say who may frame them
            headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", csp if response.mimetype == "text/html"
                           else "default-src 'none'; frame-ancestors 'none'")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
