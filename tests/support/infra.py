"""Real infrastructure for tests: a fresh PostgreSQL database and RabbitMQ vhost per run,
removed afterwards; free ports; processes started and stopped like an operator would."""
from __future__ import annotations

import os
import socket
import subprocess
import uuid

import psycopg

PG_ADMIN_DSN = os.environ.get("TEST_PG_ADMIN_DSN", "host=127.0.0.1 port=5432 user=postgres dbname=postgres")
PG_URL_BASE = os.environ.get("TEST_PG_URL_BASE", "postgresql://postgres@127.0.0.1:5432")
AMQP_HOST = os.environ.get("TEST_AMQP_HOST", "127.0.0.1")
AMQP_PORT = int(os.environ.get("TEST_AMQP_PORT", "5672"))
RUN_ID = f"t{os.getpid()}_{uuid.uuid4().hex[:6]}"


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Postgres:
    """Creates databases named after this test run; drops them all at the end."""

    def __init__(self):
        self.created: list[str] = []

    def _admin(self):
        return psycopg.connect(PG_ADMIN_DSN, autocommit=True)

    def database(self, name: str) -> str:
        db = f"{RUN_ID}_{name}".lower()
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                cur.execute(f'CREATE DATABASE "{db}"')
        finally:
            conn.close()
        self.created.append(db)
        return f"{PG_URL_BASE}/{db}"

    def drop_all(self) -> None:
        conn = self._admin()
        try:
            with conn.cursor() as cur:
                for db in self.created:
                    cur.execute(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)')
        finally:
            conn.close()


class RabbitMQ:
    """Creates vhosts named after this test run with rabbitmqctl; deletes them at the end."""

    def __init__(self):
        self.created: list[str] = []

    def vhost(self, name: str, port: int = AMQP_PORT) -> str:
        vhost = f"{RUN_ID}_{name}"
        subprocess.run(["rabbitmqctl", "-q", "add_vhost", vhost], check=True, capture_output=True)
        subprocess.run(["rabbitmqctl", "-q", "set_permissions", "-p", vhost, "guest", ".*", ".*", ".*"],
                       check=True, capture_output=True)
        self.created.append(vhost)
        return self.url(vhost, port)

    @staticmethod
    def url(vhost: str, port: int = AMQP_PORT) -> str:
        return f"amqp://guest:guest@{AMQP_HOST}:{port}/{vhost}"

    def delete_all(self) -> None:
        for vhost in self.created:
            subprocess.run(["rabbitmqctl", "-q", "delete_vhost", vhost], capture_output=True)
