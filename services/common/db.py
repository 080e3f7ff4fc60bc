"""SQLAlchemy 2 engine, transactions and Alembic migrations for one service.

SQLite (the embedded default) runs in WAL mode and opens every transaction
with ``BEGIN IMMEDIATE`` so that concurrent writers from several processes
wait for each other instead of failing. PostgreSQL takes a plain
``postgresql://`` URL.
"""
from __future__ import annotations

import contextlib
import fcntl
import functools
import os
import uuid
from datetime import datetime, timezone
from pathlib import Path

from sqlalchemy import String, create_engine, event, text
from sqlalchemy.engine import Engine, make_url
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import DeclarativeBase, Session, sessionmaker
from sqlalchemy.types import DateTime, TypeDecorator


def utcnow() -> datetime:
    return datetime.now(timezone.utc)


def new_id() -> str:
    return str(uuid.uuid4())


class UTCDateTime(TypeDecorator):
    """Aware UTC datetimes on every backend (SQLite keeps no time zone)."""

    impl = DateTime
    cache_ok = True

    def process_bind_param(self, value, dialect):
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime")
        return value.astimezone(timezone.utc).replace(tzinfo=None)

    def process_result_value(self, value, dialect):
        return None if value is None else value.replace(tzinfo=timezone.utc)


def make_base():
    """A fresh declarative base, so every service owns its own metadata."""

    class ServiceBase(DeclarativeBase):
        type_annotation_map = {datetime: UTCDateTime, str: String}

    return ServiceBase


def make_engine(url: str) -> Engine:
    url_obj = make_url(url)
    if url_obj.get_backend_name() == "sqlite":
        return _sqlite_engine(url_obj)
    return create_engine(url_obj, pool_pre_ping=True, pool_size=5, max_overflow=10, connect_args=pg_settings())


def pg_settings() -> dict:
    """Never wait forever on PostgreSQL: a connect timeout, TCP keepalives that notice a dead
    peer, and a server that ends a transaction its client left open (a killed process behind a
    proxy, a partition) so its locks do not hold every other writer."""
    idle = int(os.environ.get("PORTAL_DB_IDLE_TRANSACTION_SECONDS", "300"))
    return {"connect_timeout": int(os.environ.get("PORTAL_DB_CONNECT_TIMEOUT", "5")),
            "keepalives": 1, "keepalives_idle": 30, "keepalives_interval": 10, "keepalives_count": 3,
            "options": f"-c idle_in_transaction_session_timeout={idle * 1000}"}


def _sqlite_engine(url_obj) -> Engine:
    if url_obj.database and url_obj.database != ":memory:":
        Path(url_obj.database).parent.mkdir(parents=True, exist_ok=True)
    engine = create_engine(url_obj, connect_args={"timeout": 30, "check_same_thread": False})

    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_conn, _record):
        dbapi_conn.isolation_level = None  # we emit BEGIN ourselves
        cursor = dbapi_conn.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA busy_timeout=30000")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.close()

    @event.listens_for(engine, "begin")
    def _on_begin(conn):
        # readers take no write lock, so they never queue behind (or block) writers
        conn.exec_driver_sql("BEGIN" if conn.get_execution_options().get("reading") else "BEGIN IMMEDIATE")

    return engine


class Database:
    """One service's engine and its transactions (the unit of work)."""

    def __init__(self, url: str):
        self.url = url
        self.engine = make_engine(url)
        self.sessions = sessionmaker(self.engine, expire_on_commit=False)
        self.readers = self.engine.execution_options(reading=True)

    @property
    def is_sqlite(self) -> bool:
        return self.engine.dialect.name == "sqlite"

    @contextlib.contextmanager
    def transaction(self):
        """A session whose work commits together, or not at all."""
        with self.sessions() as session:
            with session.begin():
                yield session

    @contextlib.contextmanager
    def reading(self):
        """A connection for reads only (on SQLite: no write lock)."""
        with self.readers.connect() as conn:
            yield conn

    def ping(self) -> None:
        with self.engine.connect() as conn:
            conn.execute(text("SELECT 1"))

    def dispose(self) -> None:
        self.engine.dispose()


def run_migrations(database: Database, migrations_dir: Path) -> None:
    """Upgrade to head under a lock, so processes that start together migrate once."""
    from alembic import command
    from alembic.config import Config as AlembicConfig

    cfg = AlembicConfig()
    cfg.set_main_option("script_location", str(migrations_dir))
    cfg.attributes["engine"] = database.engine
    with _migration_lock(database):
        command.upgrade(cfg, "head")


@contextlib.contextmanager
def _migration_lock(database: Database):
    if database.is_sqlite:
        db_path = Path(database.engine.url.database or "memory")
        lock_path = db_path.with_name(db_path.name + ".migrate.lock")
        with open(lock_path, "w") as lock:
            fcntl.flock(lock, fcntl.LOCK_EX)
            yield
        return
    with database.engine.connect() as conn:
        conn.execute(text("SELECT pg_advisory_lock(7243001)"))
        try:
            yield
        finally:
            conn.execute(text("SELECT pg_advisory_unlock(7243001)"))
            conn.commit()


@functools.cache
def upsert(table, dialect: str, keys: tuple[str, ...], newer: str | None = None):
    """``INSERT ... ON CONFLICT (keys) DO UPDATE`` of every other column, for PostgreSQL or
    SQLite; with ``newer``, the stored row is replaced only when its ``newer`` column is older
    than the incoming one (newest wins, whatever the order of arrival). Executed with a list
    of rows it is one set-based statement (multi-row VALUES on PostgreSQL, an executemany of
    one prepared statement on SQLite). Built once per table and dialect."""
    from sqlalchemy.dialects.postgresql import insert as postgresql_insert
    from sqlalchemy.dialects.sqlite import insert as sqlite_insert
    insert = (sqlite_insert if dialect == "sqlite" else postgresql_insert)(table)
    return insert.on_conflict_do_update(
        index_elements=[table.c[k] for k in keys],
        set_={c.name: insert.excluded[c.name] for c in table.c if c.name not in keys},
        where=table.c[newer] < insert.excluded[newer] if newer else None)


def upsert_rows(session, table, rows: list[dict], keys: tuple[str, ...], newer: str | None = None) -> list:
    """Upsert many rows with set-based statements (``upsert``'s rules: every other column
    replaced, with ``newer`` only over an older row); the keys of the rows written (first key
    alone when there is one). PostgreSQL: the rows are COPYed into a temporary table and merged
    with one ``INSERT ... SELECT ... ON CONFLICT``, since a multi-row VALUES statement spends
    more client CPU converting its thousands of parameters than the server spends storing them.
    SQLite: one prepared statement executed for every row."""
    if not rows:
        return []
    dialect = session.get_bind().dialect.name
    returned = [table.c[k] for k in keys]
    if dialect != "postgresql":
        found = session.execute(upsert(table, dialect, keys, newer).returning(*returned), rows).all()
    else:
        found = _copy_merge(session, table, rows, keys, newer)
    return [row[0] for row in found] if len(keys) == 1 else [tuple(row) for row in found]


def _copy_merge(session, table, rows: list[dict], keys: tuple[str, ...], newer: str | None) -> list:
    columns = [c.name for c in table.c if c.name in rows[0]]
    listed, temp = ", ".join(columns), f"bulk_{table.name}"
    conn = session.connection()
    with conn.connection.driver_connection.cursor() as cur:
        cur.execute(f"CREATE TEMP TABLE IF NOT EXISTS {temp} (LIKE {table.name}) ON COMMIT DELETE ROWS")
        with cur.copy(f"COPY {temp} ({listed}) FROM STDIN") as copy:
            for row in rows:
                copy.write_row([_naive_utc(row[c]) for c in columns])
    updates = ", ".join(f"{c} = EXCLUDED.{c}" for c in columns if c not in keys)
    guard = f" WHERE {table.name}.{newer} < EXCLUDED.{newer}" if newer else ""
    found = conn.execute(text(
        f"INSERT INTO {table.name} ({listed}) SELECT {listed} FROM {temp} ORDER BY {', '.join(keys)} "
        f"ON CONFLICT ({', '.join(keys)}) DO UPDATE SET {updates}{guard} RETURNING {', '.join(keys)}")).all()
    conn.execute(text(f"DELETE FROM {temp}"))  # a second merge in this transaction starts empty
    return found


def _naive_utc(value):
    """Aware times as naive UTC, as ``UTCDateTime`` stores them."""
    if isinstance(value, datetime) and value.tzinfo is not None:
        return value.astimezone(timezone.utc).replace(tzinfo=None)
    return value


def once_more_on_conflict(work):
    """``work()``, a whole transaction, run again once when it lost a race to insert a row
    that another transaction inserted first: the second run finds that row."""
    try:
        return work()
    except IntegrityError:
        return work()
