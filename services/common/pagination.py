"""Lists: ``limit`` (default 50, at most 200) and an opaque ``cursor``; answers carry
``items`` and ``next_cursor`` (null at the end). Cursors hold the sort key of the last
item (keyset pagination), so pages stay stable while rows are added.

A cursor is signed (itsdangerous, HMAC-SHA1 with a key derived from the service's
secret, salted with the service and the endpoint), so one the caller altered, or one
from another list, answers 400 ``invalid_cursor`` whatever it holds (API.md, "Changed
rules"); the signed key's shape is checked too, so a value of the wrong type never
reaches a query."""
from __future__ import annotations

from flask import current_app, request
from itsdangerous import BadData, URLSafeSerializer
from marshmallow import Schema, fields, validate

from .errors import Problem

DEFAULT_LIMIT, MAX_LIMIT = 50, 200
MAX_CURSOR_CHARS = 2048  # a talent search key holds a name of up to 200 characters
SQL_INTEGER = range(-(2**63), 2**63)


class PageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=MAX_CURSOR_CHARS))


def _signer() -> URLSafeSerializer:
    config = current_app.config["PORTAL"]
    return URLSafeSerializer(config.operator_token, salt=f"cursor:{config.service}:{request.endpoint}")


def encode_cursor(key: list) -> str:
    """``key`` (the sort key of the last item) as a signed, url-safe cursor for this endpoint."""
    return _signer().dumps(key)


def decode_cursor(cursor: str | None, *types: type) -> list | None:
    """The sort key in ``cursor``, one value of each of ``types`` (``str`` or ``int``); None
    for no cursor; 400 ``invalid_cursor`` for anything this endpoint did not hand out."""
    if cursor is None:
        return None
    try:
        key = _signer().loads(cursor)
    except (BadData, ValueError, TypeError):  # bad signature, base64, zlib or JSON
        key = None
    if not _shaped(key, types):
        raise Problem(400, "invalid_cursor", "The cursor is not one this API handed out.")
    return key


def _shaped(key, types: tuple) -> bool:
    return (isinstance(key, list) and len(key) == len(types)
            and all(type(value) is kind and (kind is not int or value in SQL_INTEGER)
                    for value, kind in zip(key, types)))


def page(rows: list, limit: int, key_of) -> dict:
    """``rows`` fetched with ``limit + 1``: the items and the cursor to the next page."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(key_of(rows[-1])) if more and rows else None}
