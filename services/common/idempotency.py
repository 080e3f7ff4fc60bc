"""``Idempotency-Key`` on creating calls: a repeat with the same key returns the first
answer and changes nothing.

The key is claimed in its own transaction before the call runs, so two
concurrent repeats cannot both run it; the answer is stored once the call
succeeds. Keys are scoped to the caller. A key reused for a different request
is refused (422 ``idempotency_key_reused``).

A repeat is answered only to a caller who may still make the call: for a partner's route
(a ``pid`` argument) called by a member the service's partner guard runs first (``PARTNER_GUARD`` in
``app.extensions``), so a member removed since the first call gets 404 like any call of
theirs, not the stored answer (issue 16: access decisions never wait).
"""
from __future__ import annotations

import functools
import hashlib
import re

from flask import Response, current_app, g, request
from sqlalchemy import Column, Integer, MetaData, PrimaryKeyConstraint, String, Table, Text, delete, select
from sqlalchemy.exc import IntegrityError

from .db import UTCDateTime, utcnow
from .errors import Problem

HEADER = "Idempotency-Key"
_VALID_KEY = re.compile(r"^[\x21-\x7e]{1,200}$")
PARTNER_GUARD = "idempotency_partner_guard"  # app.extensions: a function(pid) raising Problem 404


def idempotency_table(metadata: MetaData) -> Table:
    return Table(
        "idempotency_keys", metadata,
        Column("principal", String(64), nullable=False),
        Column("key", String(200), nullable=False),
        Column("fingerprint", String(64), nullable=False),
        Column("status", Integer, nullable=True),  # null while the first call runs
        Column("content_type", String(100), nullable=True),
        Column("body", Text, nullable=True),
        Column("created_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("principal", "key"),
    )


def idempotent(view):
    """Apply below the auth decorator (it scopes keys to ``g.principal``)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        key = request.headers.get(HEADER)
        if key is None:
            return view(*args, **kwargs)
        if not _VALID_KEY.match(key):
            raise Problem(400, "invalid_parameter", "Idempotency-Key must be 1-200 visible characters.")
        guard = current_app.extensions.get(PARTNER_GUARD)
        if guard is not None and "pid" in kwargs and g.principal.kind == "member":  # a service is no member
            guard(kwargs["pid"])
        runtime = current_app.config["RUNTIME"]
        table = runtime.metadata.tables["idempotency_keys"]
        principal = g.principal.account_id or g.principal.kind
        fingerprint = hashlib.sha256(
            request.method.encode() + b" " + request.path.encode() + b"\n" + request.get_data()).hexdigest()
        stored = _claim(runtime.db, table, principal, key, fingerprint)
        if stored is not None:
            return stored
        try:
            response = view(*args, **kwargs)
        except BaseException:
            _release(runtime.db, table, principal, key)
            raise
        _store(runtime.db, table, principal, key, response)
        return response

    return wrapper


def _claim(db, table, principal, key, fingerprint) -> Response | None:
    """None when this call may run; the stored answer when it ran before."""
    try:
        with db.transaction() as session:
            session.execute(table.insert().values(principal=principal, key=key, fingerprint=fingerprint,
                                                  created_at=utcnow()))
        return None
    except IntegrityError:
        pass
    with db.transaction() as session:
        row = session.execute(select(table).where(table.c.principal == principal, table.c.key == key)).one()
    if row.fingerprint != fingerprint:
        raise Problem(422, "idempotency_key_reused", "This Idempotency-Key was used for another request.")
    if row.status is None:
        raise Problem(409, "idempotency_in_progress", "A request with this Idempotency-Key is still running.",
                      headers={"Retry-After": "1"})
    return Response(row.body, status=row.status, content_type=row.content_type)


def _store(db, table, principal, key, response) -> None:
    if not isinstance(response, Response):
        response = current_app.make_response(response)
    with db.transaction() as session:
        session.execute(table.update().where(table.c.principal == principal, table.c.key == key).values(
            status=response.status_code, content_type=response.content_type,
            body=response.get_data(as_text=True)))


def _release(db, table, principal, key) -> None:
    with db.transaction() as session:
        session.execute(delete(table).where(table.c.principal == principal, table.c.key == key))
