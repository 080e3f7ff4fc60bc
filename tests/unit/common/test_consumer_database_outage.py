"""A consumer whose own database is away holds the event instead of spending its deliveries."""
import threading
import time
from contextlib import contextmanager

import pytest
from marshmallow import Schema, fields
from sqlalchemy import MetaData
from sqlalchemy.exc import OperationalError

from services.common.bus import Envelope, EventType
from services.common.bus.base import Delivery
from services.common.consumer import Consumer, inbox_table
from services.common.db import Database


class Payload(Schema):
    n = fields.Integer(required=True)


COUNTED = EventType("test.thing.counted", 1, Payload)


class RecordingDelivery(Delivery):
    def __init__(self, envelope: Envelope):
        self.message, self.delivery_count, self.outcome = envelope.to_message(), 0, None

    def ack(self):
        self.outcome = "ack"

    def retry(self):
        self.outcome = "retry"


class FlakyDatabase(Database):
    """A real SQLite database that can be made unreachable."""

    def __init__(self, url):
        super().__init__(url)
        self.away = False

    def _check(self):
        if self.away:
            raise OperationalError("SELECT 1", {}, Exception("connection refused"))

    def ping(self):
        self._check()
        super().ping()

    @contextmanager
    def transaction(self):
        self._check()
        with super().transaction() as session:
            yield session


@pytest.fixture
def consumer(tmp_path):
    metadata = MetaData()
    inbox = inbox_table(metadata)
    db = FlakyDatabase(f"sqlite:///{tmp_path / 'c.sqlite3'}")
    metadata.create_all(db.engine)
    applied = []
    return Consumer("test", db, bus=None, inbox=inbox, retry_delay=0.05, database_patience=5,
                    handlers={COUNTED.name: lambda session, envelope: applied.append(envelope.payload["n"])}), applied


def test_an_event_waits_for_the_database_and_is_applied_once_it_answers(consumer):
    consumer, applied = consumer
    consumer.db.away = True
    threading.Timer(0.5, lambda: setattr(consumer.db, "away", False)).start()
    delivery = RecordingDelivery(Envelope.new(COUNTED, {"n": 1}))
    consumer.handle(delivery)
    assert delivery.outcome == "ack" and applied == [1]


def test_a_database_away_longer_than_the_patience_spends_a_delivery(consumer):
    consumer, applied = consumer
    consumer.database_patience = 0.3
    consumer.db.away = True
    delivery = RecordingDelivery(Envelope.new(COUNTED, {"n": 2}))
    started = time.monotonic()
    consumer.handle(delivery)
    assert delivery.outcome == "retry" and applied == [] and time.monotonic() - started < 5


def test_a_handler_failing_while_the_database_answers_is_retried_at_once(consumer):
    consumer, _ = consumer
    consumer.handlers[COUNTED.name] = lambda session, envelope: (_ for _ in ()).throw(
        OperationalError("UPDATE", {}, Exception("no such column")))
    delivery = RecordingDelivery(Envelope.new(COUNTED, {"n": 3}))
    started = time.monotonic()
    consumer.handle(delivery)
    assert delivery.outcome == "retry" and time.monotonic() - started < 1
