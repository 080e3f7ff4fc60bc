"""Outbox relay throughput on PostgreSQL and RabbitMQ, beside raw kombu publishing the same
messages with publisher confirms, in the same run.

    python -m tests.bench.bench_outbox --events 20000 [--runs 3]

A fresh database and vhost of its own (removed afterwards). Each run fills the outbox with
``events`` pending talent-profile events (the size of the real ones), then times the
service's Relay publishing them all and marking them sent; the baseline publishes the same
bodies, with the same properties, to the same exchange and quorum queue with kombu's
confirmed publish and nothing else. The queue is purged before each timing. Both are
measured at a tenth of the events too, to show how the relay's cost grows with the backlog.
"""
from __future__ import annotations

import argparse
import json
import time
import uuid
from datetime import datetime, timezone

from kombu import Connection, Exchange, Producer, Queue
from sqlalchemy import MetaData, insert

from services.common.bus.amqp import AmqpBus
from services.common.bus.base import EXCHANGE
from services.common.db import Database
from services.common.outbox import Relay, outbox_table, pending_count
from tests.bench.results import figure, median, print_rows
from tests.support.infra import Postgres, RabbitMQ

QUEUE = "bench-outbox"
EVENT_TYPE = "eligibility.talent.updated"


def event_body(event_id: str, n: int) -> str:
    """An envelope shaped like eligibility's talent-profile event (about 700 bytes)."""
    return json.dumps({
        "event_id": event_id, "event_type": EVENT_TYPE, "version": 1,
        "occurred_at": datetime.now(timezone.utc).isoformat(),
        "payload": {"freelancer_id": f"fl-{n:07d}", "name": f"Freelancer {n}", "title": "Email automation expert",
                    "country": "US", "hourly_rate": 65.0, "jss": 92, "account_status": "active",
                    "profile_visibility": "public", "badges": ["top_rated"],
                    "skills": ["email automation", "hubspot", "copywriting", "seo"],
                    "offerings": [{"id": f"of-{n}", "kind": "project", "title": "Set up your email flows",
                                   "price": 450.0}],
                    "description": "Helps software vendors' customers automate their email marketing. " * 3,
                    "updated_at": "2025-01-01T00:00:00Z"}}, separators=(",", ":"))


def fill(db: Database, outbox, count: int) -> list[tuple[str, str]]:
    """``count`` pending rows; the (event_id, body) pairs, for the baseline to publish the same."""
    pairs = [(str(uuid.uuid4()), None) for _ in range(count)]
    pairs = [(event_id, event_body(event_id, n)) for n, (event_id, _) in enumerate(pairs)]
    now = datetime.now(timezone.utc)
    with db.engine.begin() as conn:
        conn.execute(outbox.delete())
        for start in range(0, count, 5000):
            conn.execute(insert(outbox), [{"event_id": e, "event_type": EVENT_TYPE, "body": b, "created_at": now,
                                           "attempts": 0} for e, b in pairs[start:start + 5000]])
    return pairs


def purge(url: str) -> None:
    with Connection(url) as conn:
        Queue(QUEUE, no_declare=True)(conn.channel()).purge()


def time_relay(db: Database, outbox, url: str, batch_size: int) -> float:
    bus = AmqpBus(url)
    Relay(db, bus, outbox, batch_size=1).relay_once()  # the first row: connect and warm up
    relay = Relay(db, bus, outbox, batch_size=batch_size, service="bench")
    started = time.perf_counter()
    while relay.relay_once():
        pass
    elapsed = time.perf_counter() - started
    bus.close()
    assert pending_count(db, outbox) == 0
    return elapsed


def time_raw(url: str, pairs: list[tuple[str, str]]) -> float:
    with Connection(url, transport_options={"confirm_publish": True}) as conn:
        producer = Producer(conn.default_channel, exchange=Exchange(EXCHANGE, "topic", durable=True))
        producer.publish(b"{}", routing_key="bench.warm.up", delivery_mode=2)
        started = time.perf_counter()
        for event_id, body in pairs:
            producer.publish(body.encode(), routing_key=EVENT_TYPE, message_id=event_id,
                             headers={"event_type": EVENT_TYPE}, content_type="application/json",
                             content_encoding="utf-8", delivery_mode=2)
        return time.perf_counter() - started


def run(events: int = 20_000, runs: int = 3, batch_size: int = 200) -> list[dict]:
    command = f"python -m tests.bench.bench_outbox --events {events} --runs {runs}"
    pg, mq, rows = Postgres(), RabbitMQ(), []
    try:
        db = Database(pg.database("bench_outbox"))
        metadata = MetaData()
        outbox = outbox_table(metadata)
        metadata.create_all(db.engine)
        url = mq.vhost("bench_outbox")
        AmqpBus(url).declare(QUEUE, ["#"])
        for size in (events // 10, events):
            relay_rates, raw_rates = [], []
            for _ in range(runs):
                pairs = fill(db, outbox, size + 1)[1:]  # the first row warms the relay up
                purge(url)
                relay_rates.append(size / time_relay(db, outbox, url, batch_size))
                purge(url)
                raw_rates.append(size / time_raw(url, pairs))
            relay_rate, raw_rate = median(relay_rates), median(raw_rates)
            rows.append(figure("outbox", "outbox relay, events/s sustained (PostgreSQL to RabbitMQ, confirms)",
                               relay_rate, "events/s", command, baseline=raw_rate,
                               baseline_what="raw kombu publish with confirms", target="ratio >= 0.5",
                               met=relay_rate >= 0.5 * raw_rate, size=size))
        db.dispose()
    finally:
        mq.delete_all()
        pg.drop_all()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--events", type=int, default=20_000)
    parser.add_argument("--runs", type=int, default=3)
    parser.add_argument("--batch-size", type=int, default=200)
    args = parser.parse_args()
    print_rows(run(args.events, args.runs, args.batch_size))


if __name__ == "__main__":
    main()
