"""The suite on its production backends with a fault proxy on every road to them: every
process reaches RabbitMQ through one proxy, each part reaches PostgreSQL through its own,
so a test can cut, refuse, stall or slow the broker or a database under running processes
(the machine's RabbitMQ and PostgreSQL are shared and never stopped).

Also what the proof suites count afterwards: events each consumer should have handled but
did not (lost), outbox rows never published, and bus-driven facts recorded twice."""
from __future__ import annotations

import importlib
from collections import Counter
from pathlib import Path

from sqlalchemy import create_engine, text
from sqlalchemy.engine import make_url

from deploy.processes import PARTS, module_of
from services.common.config import Config
from tests.support.faultproxy import FaultProxy
from tests.support.infra import AMQP_HOST, AMQP_PORT, RabbitMQ
from tests.support.suite import Suite

# facts that happen once in a proof scenario and reach catalog's activity over the bus
ONCE_PER_FACT = ("partner.access_granted", "member.joined", "member.removed")


class FaultySuite(Suite):
    def __init__(self, work_dir: Path, postgres, rabbitmq, extra_env: dict | None = None):
        self.broker = FaultProxy(AMQP_HOST, AMQP_PORT).start()
        self.databases: dict[str, FaultProxy] = {}
        self.direct_urls: dict[str, str] = {}
        self.vhost = rabbitmq.vhost("proof").rsplit("/", 1)[1]
        env = {"BROKER_URL": RabbitMQ.url(self.vhost, self.broker.port),
               "REDIS_URL": "redis://127.0.0.1:6379/0",
               # a process killed mid-transaction behind a proxy can leave its session open on the
               # server, holding the row it was inserting: the server ends it after this long
               # (300 s by default), which must fit inside the tests' settling time
               "PORTAL_DB_IDLE_TRANSACTION_SECONDS": "20", **(extra_env or {})}
        for part in PARTS:
            direct = make_url(postgres.database(f"proof_{part}"))
            proxy = FaultProxy(direct.host, direct.port or 5432).start()
            self.databases[part] = proxy
            self.direct_urls[part] = direct.render_as_string(hide_password=False)
            env[f"{part.upper()}_DATABASE_URL"] = direct.set(host="127.0.0.1", port=proxy.port).render_as_string(
                hide_password=False)
        super().__init__("proof", work_dir, env)
        self._engines: dict = {}

    def diagnosis(self) -> str:
        """For a failure message: the queues as RabbitMQ sees them, and where every consumer and
        relay is waiting (SIGUSR1 makes them write their stacks to their logs)."""
        import os
        import signal
        import subprocess
        import time
        queues = subprocess.run(["rabbitmqctl", "-q", "list_queues", "-p", self.vhost, "name", "messages_ready",
                                 "messages_unacknowledged", "consumers"], capture_output=True, text=True).stdout
        workers = [name for name, proc in self.procs.items() if not name.endswith(".web") and proc.alive()]
        for name in workers:
            os.kill(self.procs[name].pid, signal.SIGUSR1)
        time.sleep(1)
        stacks = "\n".join(f"--- {name}\n" + "\n".join(self.procs[name].log().splitlines()[-40:]) for name in workers)
        return f"queues:\n{queues}\n{stacks}"

    def stop(self) -> None:
        super().stop()
        for engine in self._engines.values():
            engine.dispose()
        for proxy in (self.broker, *self.databases.values()):
            proxy.stop()

    # -- reading each part's database directly (never through its proxy)
    def sql(self, part: str, query: str, **params) -> list:
        if part not in self._engines:
            self._engines[part] = create_engine(self.direct_urls[part], pool_size=1, max_overflow=2)
        with self._engines[part].begin() as conn:
            result = conn.execute(text(query), params)
            return list(result) if result.returns_rows else []

    def bindings(self) -> dict[str, tuple[str, list[str]]]:
        """part -> (queue, event types its consumer handles), from each consumer's own code."""
        found = {}
        for part, processes in PARTS.items():
            if "consumer" not in processes:
                continue
            module = module_of(part)
            runtime = importlib.import_module(f"{module}.runtime").make_runtime(
                Config.from_env(part, self.env))
            consumer = importlib.import_module(f"{module}.consumer").make_consumer(runtime)
            found[part] = (consumer.name, consumer.bindings)
            runtime.close()
        return found

    def delivery(self, bindings: dict) -> dict:
        """Outbox rows not yet published, and events a consumer should have handled but has
        not (lost once everything has settled)."""
        published: dict[str, set] = {}
        unpublished = 0
        for part, processes in PARTS.items():
            if "relay" not in processes:
                continue
            for event_id, event_type, sent in self.sql(part, "SELECT event_id, event_type, published_at FROM outbox"):
                published.setdefault(event_type, set()).add(event_id)
                unpublished += sent is None
        missing = {}
        for part, (queue, types) in bindings.items():
            handled = {row[0] for row in self.sql(part, "SELECT event_id FROM inbox WHERE consumer = :q", q=queue)}
            expected = set().union(*(published.get(t, set()) for t in types))
            missing[part] = len(expected - handled)
        return {"unpublished": unpublished, "missing": missing, "lost": sum(missing.values()),
                "events": sum(len(ids) for ids in published.values())}

    def twice(self) -> int:
        """Bus-driven facts that catalog recorded more than once (an effect applied twice)."""
        rows = self.sql("catalog", "SELECT partner_id, actor, action, subject_id FROM activity "
                                   "WHERE action IN :actions".replace(":actions", str(ONCE_PER_FACT)))
        return sum(count - 1 for count in Counter(rows).values() if count > 1)
