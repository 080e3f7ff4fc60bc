"""Structured JSON logs and request ids taken from, or added to, ``X-Request-Id``."""
from __future__ import annotations

import logging
import os
import re
import sys
import time
import uuid

import structlog
from flask import Flask, g, request

REQUEST_ID_HEADER = "X-Request-Id"
_VALID_ID = re.compile(r"^[A-Za-z0-9._:-]{1,128}$")
SECRET_IN_PATH = re.compile(r"(/invitations/)[^/?\s]+")


def redact_path(text: str) -> str:
    """A path or request line fit for logs: an invitation link's token replaced."""
    return SECRET_IN_PATH.sub(r"\1<redacted>", text)


def configure_logging(service: str, level: str | None = None) -> None:
    """JSON lines on stderr for structlog and the standard library alike, at ``PORTAL_LOG_LEVEL``."""
    level = (level or os.environ.get("PORTAL_LOG_LEVEL", "INFO")).upper()
    shared = [
        structlog.contextvars.merge_contextvars,
        structlog.processors.add_log_level,
        structlog.processors.TimeStamper(fmt="iso", utc=True),
    ]
    structlog.configure(
        processors=[*shared, structlog.processors.format_exc_info, structlog.processors.JSONRenderer()],
        logger_factory=structlog.PrintLoggerFactory(sys.stderr),
        wrapper_class=structlog.make_filtering_bound_logger(logging.getLevelName(level)),
        cache_logger_on_first_use=True,
    )
    handler = logging.StreamHandler(sys.stderr)
    handler.setFormatter(structlog.stdlib.ProcessorFormatter(
        processor=structlog.processors.JSONRenderer(), foreign_pre_chain=shared))
    root = logging.getLogger()
    root.handlers[:] = [handler]
    root.setLevel(level)
    structlog.contextvars.bind_contextvars(service=service)


def current_request_id() -> str | None:
    return structlog.contextvars.get_contextvars().get("request_id")


def request_id(incoming: str | None) -> str:
    """The caller's request id when it is a sane one, else a new one."""
    return incoming if incoming and _VALID_ID.match(incoming) else uuid.uuid4().hex


def install_request_ids(app: Flask) -> None:
    """Take the caller's request id (or make one), log each request, echo the id back."""
    log = structlog.get_logger("http")

    @app.before_request
    def _start():
        g.request_id = request_id(request.headers.get(REQUEST_ID_HEADER))
        g.started = time.perf_counter()
        structlog.contextvars.bind_contextvars(request_id=g.request_id)

    @app.after_request
    def _finish(response):
        request_id = g.get("request_id")
        if request_id:
            response.headers[REQUEST_ID_HEADER] = request_id
        if request.path not in ("/healthz", "/readyz", "/metrics"):
            elapsed = (time.perf_counter() - g.get("started", time.perf_counter())) * 1000
            log.debug("request", method=request.method, path=redact_path(request.path),
                     status=response.status_code, ms=round(elapsed, 2))
        return response

    @app.teardown_request
    def _clear(_exc):
        structlog.contextvars.unbind_contextvars("request_id")
