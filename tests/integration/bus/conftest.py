"""The same no-loss suite on both bus backends: RabbitMQ (with PostgreSQL) and the folder
bus (with SQLite), each with a way to break the connection to the bus."""
from __future__ import annotations

import os
import time
from pathlib import Path

import pytest

from services.common.bus import connect_bus
from services.common.config import Config
from tests.support.faultproxy import FaultProxy
from tests.support.infra import AMQP_HOST, AMQP_PORT, RabbitMQ
from tests.support.procs import python_module


class Backend:
    """A bus plus a database, and the faults a test can inflict on the bus."""

    def __init__(self, name: str, env: dict, log_dir: Path, proxy: FaultProxy | None = None,
                 bus_dir: Path | None = None):
        self.name, self.env, self.log_dir = name, env, log_dir
        self.proxy, self.bus_dir = proxy, bus_dir

    def config(self) -> Config:
        return Config.from_env("ledger", {**os.environ, **self.env})

    def bus(self):
        return connect_bus(self.config())

    def ledger(self, name: str, *args: str, extra_env: dict | None = None):
        return python_module(name, "tests.support.ledger", list(args), {**self.env, **(extra_env or {})},
                             self.log_dir)

    def cut(self) -> None:
        """Close the bus connections under the processes (the folder vanishes for a moment)."""
        if self.proxy:
            self.proxy.cut()
        else:
            self.down()
            time.sleep(0.2)
            self.up()

    def down(self) -> None:
        if self.proxy:
            self.proxy.down()
        else:
            self.bus_dir.rename(self.bus_dir.with_name("bus-offline"))

    def up(self) -> None:
        if self.proxy:
            self.proxy.up()
        else:
            self.bus_dir.with_name("bus-offline").rename(self.bus_dir)


@pytest.fixture(params=["folder", "rabbitmq"])
def backend(request, tmp_path, postgres, rabbitmq):
    data_dir = tmp_path / "data"
    data_dir.mkdir()
    env = {"PORTAL_DATA_DIR": str(data_dir), "PORTAL_OPERATOR_TOKEN": "test-operator-token",
           "BUS_DELIVERY_LIMIT": "4"}
    if request.param == "folder":
        env["LEDGER_DATABASE_URL"] = f"sqlite:///{data_dir / 'ledger.sqlite3'}"
        yield Backend("folder", env, tmp_path, bus_dir=data_dir / "bus")
        return
    vhost_url = rabbitmq.vhost(request.node.name.replace("[", "_").replace("]", "")[:40])
    proxy = FaultProxy(AMQP_HOST, AMQP_PORT).start()
    vhost = vhost_url.rsplit("/", 1)[1]
    env["LEDGER_DATABASE_URL"] = postgres.database(f"ledger_{len(postgres.created)}")
    env["BROKER_URL"] = RabbitMQ.url(vhost, proxy.port)
    yield Backend("rabbitmq", env, tmp_path, proxy=proxy)
    proxy.stop()
