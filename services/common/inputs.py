"""Input no service can store or parse safely, refused at the door the same way in every service.

- A NUL character (PostgreSQL text cannot hold one): in a path 404 ``not_found``, in a query
  400 ``invalid_parameter``, in a JSON body 422 ``validation_error``.
- A lone surrogate (``"\\ud800"``): JSON can escape one (RFC 8259 section 8.2 calls the result
  unpredictable), but neither UTF-8 nor PostgreSQL can hold it: 422 ``validation_error``.
- JSON nested deeper than ``MAX_JSON_DEPTH`` levels: 400 ``invalid_json``; Python's parser and
  everything that walks a value recursively would otherwise stop with a RecursionError (a 500).

Bodies are parsed here only when their bytes could hold one of these (an escape of NUL or of a
surrogate, more brackets than the depth limit), so ordinary requests are parsed once, by the view.
"""
from __future__ import annotations

import json
import re

from flask import Flask, request

from .errors import Problem

MAX_JSON_DEPTH = 64
_SUSPECT_ESCAPE = re.compile(rb"\\u(?:0000|[dD][89a-fA-F])")


def refuse_unstorable_input(app: Flask) -> None:
    """Refuse NUL characters in paths and queries, and JSON bodies ``json_problem`` refuses."""

    @app.before_request
    def _refuse():
        if "\x00" in request.path:
            raise Problem(404, "not_found", "No such resource.")
        if any("\x00" in key or "\x00" in value for key, values in request.args.lists() for value in values):
            raise Problem(400, "invalid_parameter", "Query parameters may not contain NUL characters.")
        if request.is_json:
            problem = json_problem(request.get_data(cache=True))
            if problem is not None:
                raise problem


def json_problem(text: bytes) -> Problem | None:
    """Why the JSON ``text`` is refused, or None (also when it does not parse: the view's own
    parser answers 400 ``invalid_json`` for that)."""
    if not might_be_refused(text):
        return None
    try:
        value = json.loads(text)
    except RecursionError:
        return _too_deep()
    except ValueError:
        return None
    return value_problem(value)


def might_be_refused(text: bytes) -> bool:
    """Whether ``text`` could hold a value ``value_problem`` refuses (a cheap scan of the bytes)."""
    return text.count(b"[") + text.count(b"{") > MAX_JSON_DEPTH or _SUSPECT_ESCAPE.search(text) is not None


def value_problem(value) -> Problem | None:
    """Why a parsed JSON ``value`` is refused: too deep, or text holding NUL or a lone surrogate.
    Walks the value without recursion, so any depth Python's parser accepted is safe here."""
    pending = [(value, 1)]
    while pending:
        item, depth = pending.pop()
        if isinstance(item, str):
            problem = _text_problem(item)
            if problem is not None:
                return problem
        elif isinstance(item, (dict, list)):
            if depth > MAX_JSON_DEPTH:
                return _too_deep()
            children = [*item.keys(), *item.values()] if isinstance(item, dict) else item
            pending.extend((child, depth + 1) for child in children)
    return None


def _text_problem(text: str) -> Problem | None:
    if "\x00" in text:
        return Problem(422, "validation_error", "Text may not contain NUL characters.",
                       errors={"_schema": ["Text may not contain NUL characters (\\u0000)."]})
    if not text.isascii():
        try:
            text.encode("utf-8")
        except UnicodeEncodeError:
            return Problem(422, "validation_error", "Text may not contain lone surrogates.",
                           errors={"_schema": ["Text may not contain a lone UTF-16 surrogate (\\ud800-\\udfff)."]})
    return None


def _too_deep() -> Problem:
    return Problem(400, "invalid_json", f"The body is nested deeper than {MAX_JSON_DEPTH} levels.")
