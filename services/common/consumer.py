"""Consumers: each event handled once, in the same transaction as its inbox record.

The inbox row (consumer, event_id) is inserted first; a redelivered event hits
its primary key and changes nothing. The message is acked only after the
commit, so a consumer that dies mid-way leaves the message to be redelivered.
"""
from __future__ import annotations

import threading
import time
from typing import Callable

import structlog
from marshmallow import ValidationError
from sqlalchemy import Column, MetaData, PrimaryKeyConstraint, String, Table
from sqlalchemy.exc import DBAPIError, IntegrityError
from sqlalchemy.orm import Session

from .bus.base import Bus, Delivery
from .bus.envelope import Envelope
from .db import Database, UTCDateTime, utcnow
from .metrics import DEAD_LETTERS, HANDLED, QUEUE_DEPTH

log = structlog.get_logger("consumer")
Handler = Callable[[Session, Envelope], None]


def inbox_table(metadata: MetaData) -> Table:
    """The ``inbox`` table of handled event ids, added to a service's own metadata."""
    return Table(
        "inbox", metadata,
        Column("consumer", String(64), nullable=False),
        Column("event_id", String(64), nullable=False),
        Column("event_type", String(120), nullable=False),
        Column("handled_at", UTCDateTime, nullable=False),
        PrimaryKeyConstraint("consumer", "event_id"),
    )


class Consumer:
    """Handles the events of one queue with one handler per event type."""

    def __init__(self, name: str, db: Database, bus: Bus, inbox: Table,
                 handlers: dict[str, Handler], retry_delay: float = 0.2, database_patience: float = 45.0):
        self.name, self.db, self.bus, self.inbox = name, db, bus, inbox
        self.handlers, self.retry_delay, self.database_patience = handlers, retry_delay, database_patience

    @property
    def bindings(self) -> list[str]:
        return sorted(self.handlers)

    def declare(self) -> None:
        self.bus.declare(self.name, self.bindings)

    def run(self, stop: threading.Event) -> None:
        """Consume until ``stop``; the message being handled is finished first."""
        self.declare()
        threading.Thread(target=self._watch_queues, args=(stop,), daemon=True).start()
        self.bus.consume(self.name, self.handle, stop)

    def _watch_queues(self, stop: threading.Event, every: float = 15.0) -> None:
        """Lag and dead letters as gauges (a second connection, so handling is never slowed)."""
        while not stop.wait(every):
            try:
                QUEUE_DEPTH.labels(self.name).set(self.bus.depth(self.name))
                DEAD_LETTERS.labels(self.name).set(len(self.bus.dead_letters(self.name, 1000)))
            except Exception as exc:  # the bus may be briefly away; the next round retries
                log.warning("queue gauges unavailable", error=repr(exc))

    def handle(self, delivery: Delivery) -> None:
        try:
            envelope = Envelope.from_bytes(delivery.message.body)
        except (ValueError, ValidationError) as exc:
            log.error("malformed event", message_id=delivery.message.message_id, error=str(exc))
            delivery.retry()
            return
        handler = self.handlers.get(envelope.event_type)
        if handler is None:
            delivery.ack()
            return
        try:
            applied = self._apply_while_database_answers(handler, envelope)
        except Exception:
            HANDLED.labels(self.name, envelope.event_type, "failed").inc()
            log.exception("handler failed", event_type=envelope.event_type,
                          event_id=envelope.event_id, delivery_count=delivery.delivery_count)
            time.sleep(min(2.0, self.retry_delay * (delivery.delivery_count + 1)))
            delivery.retry()
            return
        delivery.ack()
        HANDLED.labels(self.name, envelope.event_type, "applied" if applied else "duplicate").inc()
        log.debug("event handled", event_type=envelope.event_type, event_id=envelope.event_id,
                  duplicate=not applied)

    def _apply_while_database_answers(self, handler: Handler, envelope: Envelope) -> bool:
        """Apply; while our own database is unreachable, hold the message and wait (up to
        ``database_patience`` seconds, inside the broker's heartbeat window) instead of
        spending its deliveries: an outage is not the message's fault."""
        waited, delay = 0.0, self.retry_delay
        while True:
            try:
                return self._apply(handler, envelope)
            except DBAPIError:
                if waited >= self.database_patience or self._database_answers():
                    raise
                log.warning("database unreachable; holding the event", event_id=envelope.event_id,
                            waited_seconds=round(waited, 1))
                time.sleep(delay)
                waited, delay = waited + delay, min(delay * 2, 5.0)

    def _database_answers(self) -> bool:
        try:
            self.db.ping()
            return True
        except Exception:
            return False

    def _apply(self, handler: Handler, envelope: Envelope) -> bool:
        """True when applied now, False when it had been handled before."""
        try:
            with self.db.transaction() as session:
                session.execute(self.inbox.insert().values(
                    consumer=self.name, event_id=envelope.event_id,
                    event_type=envelope.event_type, handled_at=utcnow()))
                session.flush()
                handler(session, envelope)
        except IntegrityError:
            if self._seen(envelope.event_id):
                return False
            raise
        return True

    def _seen(self, event_id: str) -> bool:
        with self.db.transaction() as session:
            row = session.execute(self.inbox.select().where(
                self.inbox.c.consumer == self.name, self.inbox.c.event_id == event_id)).first()
        return row is not None
