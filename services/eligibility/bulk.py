"""Bulk talent, bulk end to end (DESIGN.md, "Bulk paths stay bulk end to end").

``POST /internal/v1/talent:bulk`` reads its NDJSON in batches of ``batch_lines`` lines. Each
batch is one transaction: the stored rows of its freelancers read (and locked) with one
query, every newer document written with one set-based upsert (an executemany of
``INSERT ... ON CONFLICT DO UPDATE ... WHERE stored.updated_at < new.updated_at``, which
SQLAlchemy sends to PostgreSQL as multi-row VALUES and to SQLite as one prepared statement),
its watched pairs judged again, and ONE outbox row: ``eligibility.profiles.updated``, the
profiles of the batch and the verdict changes it caused. The rules of a single PUT hold for
every line: a document not newer than the stored one is stale and changes nothing, and one
that differs in ``updated_at`` alone is stored but publishes no profile.
"""
from __future__ import annotations

import json
from typing import BinaryIO

from sqlalchemy import select
from sqlalchemy.orm import Session

from services.common.db import once_more_on_conflict, upsert_rows
from services.common.runtime import Runtime

from . import domain, events
from .handlers import reconsider, same_but_time
from .models import Talent, WatchedPair
from .ndjson import LineRejected, parse_ndjson_lines

BATCH_LINES = 1000


def ingest_bulk(runtime: Runtime, stream: BinaryIO, criteria: domain.Criteria,
                batch_lines: int = BATCH_LINES) -> dict:
    """``{accepted, stale, rejected: [{line, code, detail}]}`` for an NDJSON stream of talent
    documents: good lines are kept in batches, each bad line reported with its number.
    ``accepted`` counts stale lines too (they were read and judged; they changed nothing).
    The same freelancer twice in one batch closes the batch first, so the second line is
    judged against the first exactly as two PUTs in a row would be."""
    accepted, stale, rejected, pending, pending_ids = 0, 0, [], [], set()

    def flush() -> None:
        nonlocal accepted, stale
        stale += store_batch(runtime, pending, criteria)
        accepted += len(pending)
        pending.clear()
        pending_ids.clear()

    for number, result in parse_ndjson_lines(stream):
        if isinstance(result, LineRejected):
            rejected.append({"line": number, "code": result.code, "detail": result.detail})
            continue
        if result["freelancer_id"] in pending_ids:
            flush()
        pending.append(result)
        pending_ids.add(result["freelancer_id"])
        if len(pending) >= batch_lines:
            flush()
    if pending:
        flush()
    return {"accepted": accepted, "stale": stale, "rejected": rejected}


def store_batch(runtime: Runtime, documents: list[dict], criteria: domain.Criteria) -> int:
    """Store one batch of validated documents (distinct freelancers) in one transaction;
    the number found stale."""
    def work() -> int:
        with runtime.db.transaction() as session, session.no_autoflush:
            return _store(runtime, session, documents, criteria)
    return once_more_on_conflict(work)


def _store(runtime: Runtime, session: Session, documents: list[dict], criteria: domain.Criteria) -> int:
    ids = sorted(document["freelancer_id"] for document in documents)
    held = {row.freelancer_id: row for row in session.execute(  # locked in one order: no deadlock
        select(Talent.freelancer_id, Talent.document, Talent.updated_at)
        .where(Talent.freelancer_id.in_(ids)).order_by(Talent.freelancer_id).with_for_update())}
    writes, profiles, standings = [], [], {}
    for document in documents:
        fid, row = document["freelancer_id"], held.get(document["freelancer_id"])
        if row is not None and not domain.is_newer(document["updated_at"], row.updated_at):
            continue
        before = json.loads(row.document) if row is not None else None
        plain = domain.json_ready({k: v for k, v in document.items() if k != "freelancer_id"})
        writes.append({"freelancer_id": fid, "document": json.dumps(plain), "updated_at": document["updated_at"]})
        if before is None or not same_but_time(before, plain):
            profiles.append(domain.searchable_profile(fid, document, criteria))
        standings[fid] = (domain.Standing.of(before) if before is not None else None, domain.Standing.of(document))
    if writes:
        writes.sort(key=lambda w: w["freelancer_id"])
        # newest wins in the statement too: a PUT racing this batch for a new id cannot be overwritten
        upsert_rows(session, Talent.__table__, writes, ("freelancer_id",), "updated_at")
    verdicts: list[dict] = []
    if standings:
        for pair in session.scalars(select(WatchedPair).where(WatchedPair.freelancer_id.in_(sorted(standings)))
                                    .order_by(WatchedPair.freelancer_id, WatchedPair.partner_id)):
            before, after = standings[pair.freelancer_id]
            reconsider(runtime, session, pair, after, criteria, before=before, batch=verdicts)
    if profiles or verdicts:
        runtime.emit(session, events.PROFILES_UPDATED, {"profiles": profiles, "verdicts": verdicts})
    return len(documents) - len(writes)
