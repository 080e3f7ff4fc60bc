"""Eligibility's internal HTTP views (service token)."""
from __future__ import annotations

import json

from flask import current_app, request
from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import literal, select, tuple_

from services.common.auth import require_service
from services.common.db import once_more_on_conflict
from services.common.errors import Problem
from services.common.openapi import Pattern
from services.common.pagination import PageArgs, decode_cursor, page
from services.common.webapp import current_runtime

from . import bulk, domain, handlers
from .models import Talent, VerdictRecord, WatchedPair
from .schemas import TalentDocumentSchema

internal = Blueprint("talent", __name__, url_prefix="/internal/v1", description="Talent directory and verdicts")
ID = Pattern(r"^[A-Za-z0-9_.:-]{1,64}$")
TALENT_DOCUMENT = TalentDocumentSchema()  # one instance: webargs would build the schema per request


class TalentAnswer(Schema):
    freelancer_id = fields.String()
    stale = fields.Boolean()
    eligible = fields.Boolean()
    ineligible_reasons = fields.List(fields.String())
    updated_at = fields.String()


class BulkAnswer(Schema):
    accepted = fields.Integer()
    stale = fields.Integer()
    rejected = fields.List(fields.Dict())


class SweepAnswer(Schema):
    republished = fields.Integer()
    changed = fields.Integer()


class StoredTalent(Schema):
    freelancer_id = fields.String()
    document = fields.Dict()
    verdict = fields.Dict()


class VerdictArgs(PageArgs):
    partner_id = fields.String(validate=validate.Length(max=64))
    freelancer_id = fields.String(validate=validate.Length(max=64))


class VerdictOut(Schema):
    partner_id = fields.String()
    freelancer_id = fields.String()
    eligible = fields.Boolean()
    reasons = fields.List(fields.String())
    at_risk = fields.Boolean()


class HistoryOut(VerdictOut):
    rules = fields.List(fields.Dict())
    changed_at = fields.DateTime()


class VerdictPage(Schema):
    items = fields.List(fields.Nested(VerdictOut))
    next_cursor = fields.String(allow_none=True)


class HistoryPage(Schema):
    items = fields.List(fields.Nested(HistoryOut))
    next_cursor = fields.String(allow_none=True)


def _criteria():
    return current_app.extensions["criteria"]


@internal.put("/talent/<string:freelancer_id>")
@require_service
@internal.arguments(TALENT_DOCUMENT)
@internal.response(200, TalentAnswer)
@internal.alt_response(201, schema=TalentAnswer, description="A new freelancer")
def put_talent(document, freelancer_id):
    """Create or update a freelancer's talent document; an update not newer than the stored
    one changes nothing and answers ``stale: true``."""
    if not ID.matches(freelancer_id):
        raise Problem(404, "not_found", "No such freelancer id.")
    if document.get("freelancer_id", freelancer_id) != freelancer_id:
        raise Problem(422, "validation_error", "freelancer_id differs from the path.",
                      errors={"freelancer_id": ["Must equal the id in the path."]})
    runtime = current_runtime()

    def store():
        with runtime.db.transaction() as session:
            return handlers.put_talent(runtime, session, freelancer_id, document, _criteria())

    outcome, standing, updated_at = once_more_on_conflict(store)  # two first PUTs of one id at once
    verdict = domain.general_verdict(standing, _criteria())
    answer = {"freelancer_id": freelancer_id, "stale": outcome == handlers.STALE, "eligible": verdict.eligible,
              "ineligible_reasons": list(verdict.reasons), "updated_at": updated_at}
    return answer, 201 if outcome == handlers.CREATED else 200


@internal.post("/talent:bulk")
@require_service
@internal.response(200, BulkAnswer)
def bulk_talent():
    """NDJSON, one talent document per line with its ``freelancer_id``; good lines are kept
    even when others are bad. Streamed: memory stays flat however long the file. Stored in
    batches of ``ELIGIBILITY_BULK_BATCH_LINES`` lines, each published as one
    ``eligibility.profiles.updated`` event (docs/events.md)."""
    limit = current_app.config["BULK_MAX_BYTES"]
    if request.content_length is not None and request.content_length > limit:
        raise Problem(413, "file_too_large", f"The file is over {limit} bytes.")
    request.max_content_length = limit
    return bulk.ingest_bulk(current_runtime(), request.stream, _criteria(), current_app.config["BULK_BATCH_LINES"])


@internal.get("/talent/<string:freelancer_id>")
@require_service
@internal.response(200, StoredTalent)
def get_talent(freelancer_id):
    """The stored talent document and its general verdict."""
    with current_runtime().db.reading() as conn:
        row = conn.execute(select(Talent.document).where(Talent.freelancer_id == freelancer_id)).first()
    if row is None:
        raise Problem(404, "not_found", "No such freelancer.")
    document = json.loads(row.document)
    verdict = domain.general_verdict(domain.Standing.of(document), _criteria())
    return {"freelancer_id": freelancer_id, "document": document, "verdict": verdict.as_record()}


@internal.get("/verdicts")
@require_service
@internal.arguments(VerdictArgs, location="query")
@internal.response(200, VerdictPage)
def list_verdicts(args):
    """Current verdicts of watched (partner, freelancer) pairs."""
    key = decode_cursor(args["cursor"], str, str)
    query = select(WatchedPair).order_by(WatchedPair.partner_id, WatchedPair.freelancer_id)
    query = _filtered(query, WatchedPair, args)
    if key:
        query = query.where(tuple_(WatchedPair.partner_id, WatchedPair.freelancer_id) > tuple_(*map(literal, key)))
    with current_runtime().db.transaction() as session:
        rows = [_verdict(p) for p in session.scalars(query.limit(args["limit"] + 1))]
    return page(rows, args["limit"], lambda r: [r["partner_id"], r["freelancer_id"]])


@internal.get("/verdicts/history")
@require_service
@internal.arguments(VerdictArgs, location="query")
@internal.response(200, HistoryPage)
def verdict_history(args):
    """Every change of verdict, newest first: which rule flipped, the values before and after, when."""
    key = decode_cursor(args["cursor"], int)
    query = _filtered(select(VerdictRecord).order_by(VerdictRecord.id.desc()), VerdictRecord, args)
    if key:
        query = query.where(VerdictRecord.id < key[0])
    with current_runtime().db.transaction() as session:
        rows = [{**_verdict(r), "id": r.id, "rules": json.loads(r.rules), "changed_at": r.changed_at}
                for r in session.scalars(query.limit(args["limit"] + 1))]
    return page(rows, args["limit"], lambda r: [r["id"]])


@internal.post("/sweeps")
@require_service
@internal.response(200, SweepAnswer)
def run_sweep():
    """Re-judge every watched pair now and re-publish its verdict."""
    return handlers.sweep(current_runtime(), _criteria())


def _filtered(query, model, args):
    for name in ("partner_id", "freelancer_id"):
        if args.get(name):
            query = query.where(getattr(model, name) == args[name])
    return query


def _verdict(row) -> dict:
    return {"partner_id": row.partner_id, "freelancer_id": row.freelancer_id, "eligible": row.eligible,
            "reasons": [r for r in row.reasons.split(",") if r], "at_risk": row.at_risk}
