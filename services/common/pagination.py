"""Lists: ``limit`` (default 50, at most 200) and an opaque ``cursor``; answers carry
``items`` and ``next_cursor`` (null at the end). Cursors hold the sort key of the last
item (keyset pagination), so pages stay stable while rows are added."""
from __future__ import annotations

import base64
import json

from marshmallow import Schema, fields, validate

from .errors import Problem

DEFAULT_LIMIT, MAX_LIMIT = 50, 200


class PageArgs(Schema):
    limit = fields.Integer(load_default=DEFAULT_LIMIT, validate=validate.Range(min=1, max=MAX_LIMIT))
    cursor = fields.String(load_default=None, validate=validate.Length(max=500))


def encode_cursor(key: list) -> str:
    return base64.urlsafe_b64encode(json.dumps(key, separators=(",", ":")).encode()).decode().rstrip("=")


def decode_cursor(cursor: str | None, size: int) -> list | None:
    """The sort key in ``cursor``; 400 ``invalid_cursor`` for anything we did not hand out."""
    if cursor is None:
        return None
    try:
        key = json.loads(base64.urlsafe_b64decode(cursor + "=" * (-len(cursor) % 4)))
    except (ValueError, TypeError):
        key = None
    if not isinstance(key, list) or len(key) != size or not all(isinstance(k, (str, int, float)) for k in key):
        raise Problem(400, "invalid_cursor", "The cursor is not one this API handed out.")
    return key


def page(rows: list, limit: int, key_of) -> dict:
    """``rows`` fetched with ``limit + 1``: the items and the cursor to the next page."""
    more = len(rows) > limit
    rows = rows[:limit]
    return {"items": rows, "next_cursor": encode_cursor(key_of(rows[-1])) if more and rows else None}
