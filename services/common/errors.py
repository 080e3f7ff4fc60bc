"""One error shape everywhere: RFC 9457 problem+json with a stable ``code``.

Domain code raises ``Problem`` (or an exception listed in a service's table);
``install_error_handlers`` turns every failure, including Flask's own 404 and
405 and marshmallow's validation errors, into the same shape.
"""
from __future__ import annotations

import logging

from flask import Flask, Response, json, request
from marshmallow import Schema, ValidationError, fields
from werkzeug.exceptions import HTTPException

PROBLEM_JSON = "application/problem+json"
log = logging.getLogger(__name__)

TITLES = {
    400: "Bad Request", 401: "Unauthorized", 403: "Forbidden", 404: "Not Found",
    405: "Method Not Allowed", 409: "Conflict", 410: "Gone", 413: "Content Too Large", 414: "URI Too Long",
    415: "Unsupported Media Type", 422: "Unprocessable Content", 429: "Too Many Requests",
    500: "Internal Server Error", 502: "Bad Gateway", 503: "Service Unavailable",
    504: "Gateway Timeout",
}
HTTP_CODES = {
    400: "bad_request", 401: "unauthorized", 403: "forbidden", 404: "not_found",
    405: "method_not_allowed", 409: "conflict", 410: "gone", 413: "file_too_large", 414: "uri_too_long",
    415: "unsupported_media_type", 422: "validation_error", 429: "rate_limited",
    500: "internal_error", 502: "bad_gateway", 503: "service_unavailable", 504: "gateway_timeout",
}


class ProblemSchema(Schema):
    """RFC 9457 problem details, with a stable machine-readable ``code``."""

    type = fields.String()
    title = fields.String()
    status = fields.Integer()
    detail = fields.String()
    code = fields.String()
    errors = fields.Raw(metadata={"description": "Field errors as {field: [messages]}"})


class Problem(Exception):
    """A failure the caller can act on: HTTP status, stable code, human detail, extra members."""

    def __init__(self, status: int, code: str, detail: str = "", headers=None, **extra):
        super().__init__(detail or code)
        self.status, self.code, self.detail = status, code, detail
        self.headers = headers or {}
        self.extra = extra


def not_found(what: str = "resource") -> Problem:
    return Problem(404, "not_found", f"No such {what}.")


def validation_error(errors: dict, detail: str = "The request body is invalid.") -> Problem:
    return Problem(422, "validation_error", detail, errors=errors)


def problem_response(status: int, code: str, detail: str = "", headers=None, **extra) -> Response:
    body = {
        "type": f"https://errors.experts-portal.dev/{code}",
        "title": TITLES.get(status, "Error"),
        "status": status,
        "detail": detail or TITLES.get(status, ""),
        "code": code,
        **extra,
    }
    response = Response(json.dumps(body), status=status, mimetype=PROBLEM_JSON)
    for name, value in (headers or {}).items():
        response.headers[name] = value
    return response


def install_error_handlers(app: Flask, table: dict | None = None) -> None:
    """Map ``Problem``, the service's own exception ``table`` ({exc_class: (status, code)}),
    marshmallow and HTTP errors to problem+json."""
    table = table or {}

    @app.errorhandler(Problem)
    def _problem(exc: Problem):
        return problem_response(exc.status, exc.code, exc.detail, exc.headers, **exc.extra)

    @app.errorhandler(ValidationError)
    def _invalid(exc: ValidationError):
        messages = exc.messages if isinstance(exc.messages, dict) else {"_schema": exc.messages}
        return problem_response(422, "validation_error", "The request body is invalid.", errors=messages)

    @app.errorhandler(HTTPException)
    def _http(exc: HTTPException):
        ready = getattr(exc, "response", None)
        if ready is not None and ready.mimetype == PROBLEM_JSON:
            return ready  # already shaped (e.g. a rate limit with its Retry-After)
        parsed = _webargs_problem(exc)
        if parsed is not None:
            status, code, detail, errors = parsed
            return problem_response(status, code, detail, **({"errors": errors} if errors else {}))
        status = exc.code or 500
        headers = {"Allow": ", ".join(exc.valid_methods)} if getattr(exc, "valid_methods", None) else {}
        return problem_response(status, HTTP_CODES.get(status, "error"), exc.description or "", headers)

    @app.errorhandler(Exception)
    def _unexpected(exc: Exception):
        for exc_class, (status, code) in table.items():
            if isinstance(exc, exc_class):
                return problem_response(status, code, str(exc))
        log.exception("unhandled error on %s %s", request.method, request.path)
        return problem_response(500, "internal_error", "Something went wrong on our side.")


def _webargs_problem(exc: HTTPException):
    """flask-smorest (webargs) parse failures: bad JSON is 400 ``invalid_json``, a bad body 422
    ``validation_error``, a bad query 400 ``invalid_parameter``."""
    messages = (getattr(exc, "data", None) or {}).get("messages")
    if not isinstance(messages, dict):
        return None
    if exc.code == 400 and "json" in messages:
        return 400, "invalid_json", "The body is not valid JSON.", None
    if "query" in messages:
        return 400, "invalid_parameter", "A query parameter is invalid.", messages["query"]
    errors = messages.get("json") or messages.get("form") or messages
    return 422, "validation_error", "The request body is invalid.", errors
