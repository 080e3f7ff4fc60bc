"""A tiny service built only on the common kit, for the bus's no-loss suite.

Its effect is deliberately not idempotent (a row per handled event), so an
event applied twice shows up as two rows: only the inbox prevents it.

    python -m tests.support.ledger setup|write|relay|consume
"""
from __future__ import annotations

import os
import signal
import time
from pathlib import Path

import click
from marshmallow import Schema, fields
from sqlalchemy import Column, Integer, String, Table, func, select

from services.common.bus import EventType, connect_bus
from services.common.cli import stop_on_signals
from services.common.config import Config
from services.common.consumer import Consumer, inbox_table
from services.common.db import Database, make_base
from services.common.outbox import Relay, outbox_table, record_event

Base = make_base()
outbox = outbox_table(Base.metadata)
inbox = inbox_table(Base.metadata)
effects = Table("effects", Base.metadata, Column("id", Integer, primary_key=True),
                Column("event_id", String(64), nullable=False), Column("seq", Integer, nullable=False))
duplicates = Table("duplicates", Base.metadata, Column("id", Integer, primary_key=True),
                   Column("event_id", String(64), nullable=False))
QUEUE = "ledger"


class EntrySchema(Schema):
    seq = fields.Integer(required=True)
    poison = fields.Boolean(load_default=False)


class EntriesSchema(Schema):
    entries = fields.List(fields.Nested(EntrySchema), required=True)


ENTRY_WRITTEN = EventType("ledger.entry.written", 1, EntrySchema)
ENTRIES_WRITTEN = EventType("ledger.entries.written", 1, EntriesSchema)  # a batch event, as bulk paths send


def config() -> Config:
    return Config.from_env("ledger")


def database() -> Database:
    return Database(config().database_url)


class LedgerConsumer(Consumer):
    def _apply(self, handler, envelope) -> bool:
        applied = super()._apply(handler, envelope)
        if not applied:
            with self.db.transaction() as session:
                session.execute(duplicates.insert().values(event_id=envelope.event_id))
        return applied


def make_consumer(db: Database, delay: float = 0.0) -> Consumer:
    flag = os.environ.get("LEDGER_POISON_FLAG")

    def on_entry(session, envelope):
        if envelope.payload.get("poison") and flag and Path(flag).exists():
            raise RuntimeError("poison entry")
        if delay:
            time.sleep(delay)
        session.execute(effects.insert().values(event_id=envelope.event_id, seq=envelope.payload["seq"]))

    def on_entries(session, envelope):
        """A batch: one set-based insert of an effect per entry (its id: the batch's and the seq)."""
        entries = envelope.payload["entries"]
        if delay:
            time.sleep(delay * len(entries))
        session.execute(effects.insert(), [{"event_id": f"{envelope.event_id}/{e['seq']}", "seq": e["seq"]}
                                           for e in entries])

    return LedgerConsumer(QUEUE, db, connect_bus(config()), inbox,
                          {ENTRY_WRITTEN.name: on_entry, ENTRIES_WRITTEN.name: on_entries}, retry_delay=0.01)


def write(db: Database, first: int, count: int, poison: bool = False, batch: int = 0) -> None:
    """``count`` entries from ``first`` in one transaction: an event each, or (``batch``) one
    batch event per ``batch`` entries. Effects count entries either way."""
    with db.transaction() as session:
        if batch:
            for start in range(first, first + count, batch):
                record_event(session, outbox, ENTRIES_WRITTEN, {"entries": [
                    {"seq": seq, "poison": poison} for seq in range(start, min(start + batch, first + count))]})
            return
        for seq in range(first, first + count):
            record_event(session, outbox, ENTRY_WRITTEN, {"seq": seq, "poison": poison})


def counts(db: Database) -> dict:
    # a read connection: on SQLite it does not queue behind the consumer's write transactions
    with db.reading() as session:
        rows = session.execute(select(func.count(), func.count(effects.c.event_id.distinct()))).one()
        dups = session.execute(select(func.count()).select_from(duplicates)).scalar_one()
        pending = session.execute(select(func.count()).select_from(outbox)
                                  .where(outbox.c.published_at.is_(None))).scalar_one()
        written = session.execute(select(func.count()).select_from(outbox)).scalar_one()
    return {"effects": rows[0], "distinct": rows[1], "duplicates": dups, "pending": pending,
            "written": written}


@click.group()
def cli():
    pass


@cli.command()
def setup():
    db = database()
    Base.metadata.create_all(db.engine)
    make_consumer(db).declare()


@cli.command("write")
@click.option("--count", default=1000)
@click.option("--batch", default=100)
@click.option("--batch-events", default=0, help="entries per batch event (0: an event per entry)")
@click.option("--crash-after-commit", is_flag=True, help="SIGKILL itself between a commit and its publish")
def write_cmd(count, batch, batch_events, crash_after_commit):
    db = database()
    relay = Relay(db, connect_bus(config()), outbox)
    for first in range(0, count, batch):
        write(db, first, min(batch, count - first), batch=batch_events)
        if crash_after_commit:
            os.kill(os.getpid(), signal.SIGKILL)
        relay.relay_once()


@cli.command("relay")
def relay_cmd():
    db = database()
    Relay(db, connect_bus(config()), outbox).run(stop_on_signals())


@cli.command()
@click.option("--delay", default=0.0)
def consume(delay):
    db = database()
    make_consumer(db, delay).run(stop_on_signals())


if __name__ == "__main__":
    cli()
