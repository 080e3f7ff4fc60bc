"""What every answer of the gateway carries, and what no request may exceed."""
from __future__ import annotations

import os
import re
from urllib.parse import urlsplit

from flask import Flask, request

from services.common.errors import Problem

from .routes import owner_of


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


def install_security(app: Flask) -> None:
    default_limit = app.config["PORTAL"].max_request_bytes
    csp = html_csp(app.config["PORTAL"].public_url)

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
        headers.setdefault("X-Frame-Options", "DENY")
        headers.setdefault("Cross-Origin-Opener-Policy", "same-origin")
        headers.setdefault("Content-Security-Policy", csp if response.mimetype == "text/html"
                           else "default-src 'none'; frame-ancestors 'none'")
        if request.is_secure:
            headers.setdefault("Strict-Transport-Security", "max-age=63072000; includeSubDomains")
        return response
