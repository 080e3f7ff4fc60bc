"""The transactional outbox and its relay.

A service writes its events with ``record_event`` in the same transaction as
the state change; the relay publishes pending rows with confirms and marks
them published. A crash between the commit and the publish only delays the
event: the row is still pending when the relay comes back.
"""
from __future__ import annotations

import threading
import time

import structlog
from sqlalchemy import (Column, Index, Integer, MetaData, String, Table, Text,
                        func, select, update)
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from .bus.base import Bus, BusUnavailable, Message
from .bus.envelope import Envelope, EventType
from .db import Database, UTCDateTime, utcnow
from .metrics import OUTBOX_PENDING, PUBLISHED

log = structlog.get_logger("outbox")


def outbox_table(metadata: MetaData) -> Table:
    """The ``outbox`` table, added to a service's own metadata (and so to its migrations)."""
    return Table(
        "outbox", metadata,
        Column("id", Integer, primary_key=True, autoincrement=True),
        Column("event_id", String(64), nullable=False, unique=True),
        Column("event_type", String(120), nullable=False),
        Column("body", Text, nullable=False),
        Column("created_at", UTCDateTime, nullable=False),
        Column("published_at", UTCDateTime, nullable=True),
        Column("attempts", Integer, nullable=False, default=0),
        Column("last_error", Text, nullable=True),
        Index("ix_outbox_pending", "published_at", "id"),
    )


def record_event(session: Session, outbox: Table, event_type: EventType, payload: dict) -> Envelope:
    """Add an event to the outbox inside the caller's transaction."""
    envelope = Envelope.new(event_type, payload)
    message = envelope.to_message()
    session.execute(outbox.insert().values(
        event_id=envelope.event_id, event_type=envelope.event_type,
        body=message.body.decode(), created_at=envelope.occurred_at, attempts=0))
    return envelope


def pending_count(db: Database, outbox: Table) -> int:
    with db.transaction() as session:
        return session.execute(select(func.count()).select_from(outbox)
                               .where(outbox.c.published_at.is_(None))).scalar_one()


class Relay:
    """Publishes pending outbox rows in order, in batches, with publisher confirms."""

    def __init__(self, db: Database, bus: Bus, outbox: Table, batch_size: int = 200,
                 idle_seconds: float = 0.05, max_backoff: float = 5.0, service: str = "unknown",
                 max_batch_bytes: int = 8 * 1024 * 1024):
        self.db, self.bus, self.outbox, self.service = db, bus, outbox, service
        self.batch_size, self.idle_seconds, self.max_backoff = batch_size, idle_seconds, max_backoff
        self.max_batch_bytes = max_batch_bytes  # batch events are large: a round holds at most this much
        self.cut_short = False

    def run(self, stop: threading.Event) -> None:
        """Relay until ``stop``; while the bus is down, back off and keep the rows pending."""
        failures, last_gauge = 0, 0.0
        while not stop.is_set():
            try:
                if time.monotonic() - last_gauge > 5:
                    OUTBOX_PENDING.labels(self.service).set(pending_count(self.db, self.outbox))
                    last_gauge = time.monotonic()
                sent = self.relay_once()
                failures = 0
            except (BusUnavailable, OperationalError) as exc:  # the bus or the database is away for now
                failures += 1
                delay = min(self.max_backoff, 0.1 * 2 ** min(failures, 6))
                log.warning("bus or database unavailable, will retry", error=str(exc), retry_in=delay)
                stop.wait(delay)
                continue
            if sent < self.batch_size and not self.cut_short:
                stop.wait(self.idle_seconds)

    def relay_once(self) -> int:
        """Publish one batch; the number of events published."""
        if self.db.is_sqlite:
            return self._relay_sqlite()
        with self.db.transaction() as session:
            rows = self._pending(session, lock=True)
            self._publish(rows)
            self._mark(session, rows)
        return len(rows)

    def _relay_sqlite(self) -> int:
        # SQLite locks the whole file for a write transaction: do not hold it while publishing.
        with self.db.transaction() as session:
            rows = self._pending(session, lock=False)
        self._publish(rows)
        with self.db.transaction() as session:
            self._mark(session, rows)
        return len(rows)

    def _pending(self, session: Session, lock: bool) -> list:
        """The oldest pending rows, at most ``batch_size`` of them and ``max_batch_bytes`` of
        bodies (at least one row), in order: their sizes first, then the bodies of those taken."""
        o = self.outbox.c
        sizes = (select(o.id, func.length(o.body).label("size")).where(o.published_at.is_(None))
                 .order_by(o.id).limit(self.batch_size))
        if lock:
            sizes = sizes.with_for_update(skip_locked=True)
        taken, total, self.cut_short = [], 0, False
        for row in session.execute(sizes):
            if taken and total + row.size > self.max_batch_bytes:
                self.cut_short = True  # more rows wait: no idle pause before the next round
                break
            taken.append(row.id)
            total += row.size
        if not taken:
            return []
        return session.execute(select(o.id, o.event_id, o.event_type, o.body).where(o.id.in_(taken))
                               .order_by(o.id)).all()

    def _publish(self, rows) -> None:
        if rows:
            self.bus.publish([Message(r.event_type, r.event_id, r.body.encode(),
                                      {"event_type": r.event_type}) for r in rows])
            PUBLISHED.labels(self.service).inc(len(rows))

    def _mark(self, session: Session, rows) -> None:
        if rows:
            session.execute(update(self.outbox).where(self.outbox.c.id.in_([r.id for r in rows]))
                            .values(published_at=utcnow(), attempts=self.outbox.c.attempts + 1))


def wait_until_drained(db: Database, outbox: Table, timeout: float = 30.0) -> None:
    """Block until every outbox row is published (tests and graceful shutdown)."""
    deadline = time.monotonic() + timeout
    while pending_count(db, outbox):
        if time.monotonic() > deadline:
            raise TimeoutError("outbox not drained")
        time.sleep(0.05)
