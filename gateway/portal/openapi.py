"""The portal's pages in the gateway's OpenAPI document: HTML for browsers, each form's
fields, and what a page answers (redirects after a form, the form again on refusal)."""
from __future__ import annotations

import re

from flask import Flask
from werkzeug.routing import AnyConverter

PARAMETER = re.compile(r"<(?:[^:<>]+(?:\([^)]*\))?:)?([^<>]+)>")
HTML = {"text/html": {"schema": {"type": "string"}}}
FORM = {"application/x-www-form-urlencoded": {"schema": {
    "type": "object", "required": ["csrf_token"],
    "properties": {"csrf_token": {"type": "string", "description": "from the page's form"}},
    "additionalProperties": {"type": "string"}}}}
ANSWERS = {
    "GET": {"200": "The page", "302": "Not signed in: to the sign-in page and back", "404": "No such page",
            "503": "A service is unavailable (a page saying so)"},
    "POST": {"200": "Done: the result shown in place (a reset request, a new password, recovery codes)",
             "201": "Started: the next step's form (two-factor setup with its QR code)",
             "303": "Done: on to the next page", "400": "The form's CSRF token is missing or wrong",
             "401": "Wrong email or password, or the two-factor code is needed or wrong",
             "403": "The current password is wrong", "404": "No such page",
             "409": "Conflicts with the current state",
             "410": "The invitation or reset link is no longer valid", "413": "The file is too large",
             "422": "The form again, with its messages",
             "429": "Too many attempts (sign-in, sign-up): the form again, with a message",
             "503": "A service is unavailable"},
}


def portal_paths(app: Flask) -> dict:
    """One OpenAPI path item per portal route, from the app's own URL map."""
    paths: dict = {}
    for rule in app.url_map.iter_rules():
        if not rule.endpoint.startswith("portal.") or rule.endpoint == "portal.unknown_page":
            continue
        path = PARAMETER.sub(r"{\1}", rule.rule)
        view = app.view_functions[rule.endpoint]
        for method in sorted(rule.methods - {"HEAD", "OPTIONS"}):
            summary = (view.__doc__ or rule.endpoint).strip().split("\n")[0]
            operation = {"tags": ["Portal (HTML)"], "summary": summary, "security": [],
                         "parameters": [_parameter(rule, name) for name in sorted(rule.arguments)],
                         "responses": {code: _answer(code, text) for code, text in ANSWERS[method].items()}}
            if method == "POST":
                operation["requestBody"] = {"content": FORM}
            paths.setdefault(path, {})[method.lower()] = operation
    return paths


def _parameter(rule, name: str) -> dict:
    converter = rule._converters.get(name)
    schema = {"type": "string", "enum": sorted(converter.items)} if isinstance(converter, AnyConverter) \
        else {"type": "string"}
    return {"name": name, "in": "path", "required": True, "schema": schema}


PROBLEM = {"application/problem+json": {"schema": {"type": "object", "required": ["status", "code"],
                                                   "properties": {"status": {"type": "integer"},
                                                                  "code": {"type": "string"}}}}}


def _answer(code: str, text: str) -> dict:
    if code in ("302", "303"):
        return {"description": text}
    if code == "404":  # a path the gateway's router does not serve is refused before any page
        return {"description": f"{text} (problem+json `not_found` when no page route matches)",
                "content": {**HTML, **PROBLEM}}
    return {"description": text, "content": HTML}
