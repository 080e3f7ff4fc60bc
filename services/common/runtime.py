"""What every process of one service shares: its config, database, bus, outbox and inbox."""
from __future__ import annotations

from functools import cached_property
from pathlib import Path

from sqlalchemy import MetaData

from .bus import Bus, EventType, connect_bus
from .config import Config
from .db import Database, run_migrations
from .outbox import Relay, record_event


class Runtime:
    """One service's wiring, built once per process."""

    def __init__(self, service: str, metadata: MetaData, migrations_dir: Path, config: Config | None = None):
        self.service = service
        self.metadata = metadata
        self.migrations_dir = Path(migrations_dir)
        self.config = config or Config.from_env(service)
        self.db = Database(self.config.database_url)
        self.on_close: list = []  # callables run by close(): whatever else the process opened

    @cached_property
    def bus(self) -> Bus:
        return connect_bus(self.config)

    @property
    def outbox(self):
        return self.metadata.tables["outbox"]

    @property
    def inbox(self):
        return self.metadata.tables["inbox"]

    def migrate(self) -> None:
        run_migrations(self.db, self.migrations_dir)

    def emit(self, session, event_type: EventType, payload: dict):
        """Record an event in the outbox, inside the caller's transaction."""
        return record_event(session, self.outbox, event_type, payload)

    def relay(self) -> Relay:
        return Relay(self.db, self.bus, self.outbox, service=self.service)

    def close(self) -> None:
        for close in self.on_close:
            close()
        if "bus" in self.__dict__:
            self.bus.close()
        self.db.dispose()
