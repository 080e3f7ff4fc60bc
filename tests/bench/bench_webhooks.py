"""Webhook deliveries per second from the delivery worker (PostgreSQL, signed, pinned,
settled row by row) beside raw HTTP POSTs of the same bodies from the same process to the
same local receiver with the same number of connections; and what an endpoint that never
answers costs the others.

    python -m tests.bench.bench_webhooks --deliveries 5000 [--endpoints 8] [--runs 3]

A fresh database of its own (removed afterwards). Each run inserts ``deliveries`` pending
rows spread over ``endpoints`` endpoints, then times the worker (services/webhooks/deliverer.py,
4 attempts at once per endpoint) from start until every row is ``succeeded``. The baseline
posts the same bodies with aiohttp, 4 connections per endpoint, nothing else. Then the same
run again with one more endpoint whose receiver hangs, holding 4 attempts for the whole
timeout: the healthy endpoints' rate beside the rate without it.
"""
from __future__ import annotations

import argparse
import asyncio
import subprocess
import sys
import threading
import time
import uuid

import aiohttp
from sqlalchemy import func, insert, select

from services.common.config import Config
from services.common.db import utcnow
from services.webhooks import domain
from services.webhooks.config import WebhookSettings
from services.webhooks.deliverer import Deliverer
from services.webhooks.models import Delivery, Endpoint, EndpointSecret
from services.webhooks.runtime import make_runtime
from tests.bench.results import figure, median, print_rows
from tests.support.infra import Postgres, free_port
from tests.support.procs import ROOT, wait_until

PER_ENDPOINT = 4
DATA = {"partner_id": "bench", "use_case_id": "uc", "freelancer_id": "fl-0000001", "decided_by": "system",
        "decided_at": "2026-01-01T00:00:00Z", "reasons": ["jss_below_threshold"]}


class ReceiverProcess:
    def __init__(self):
        self.port = free_port()
        self.proc = subprocess.Popen([sys.executable, "-m", "tests.bench.webhook_receiver", str(self.port)],
                                     cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
        wait_until(self._listening, 20, 0.1, "the receiver")

    def _listening(self) -> bool:
        import socket
        try:
            socket.create_connection(("127.0.0.1", self.port), timeout=0.5).close()
            return True
        except OSError:
            return False

    def url(self, path: str) -> str:
        return f"http://127.0.0.1:{self.port}{path}"

    def stop(self) -> None:
        self.proc.kill()  # its hanging requests would hold a graceful stop
        self.proc.wait(10)


def endpoints(runtime, urls: list[str]) -> list[str]:
    ids = []
    with runtime.db.transaction() as session:
        session.execute(Delivery.__table__.delete())
        session.execute(EndpointSecret.__table__.delete())
        session.execute(Endpoint.__table__.delete())
        for url in urls:
            endpoint = Endpoint(partner_id="bench", url=url, events="expert.removed", description="", created_at=utcnow())
            session.add(endpoint)
            session.flush()
            session.add(EndpointSecret(endpoint_id=endpoint.id, secret=domain.new_secret(), created_at=utcnow()))
            ids.append(endpoint.id)
    return ids


def fill(runtime, endpoint_ids: list[str], count: int) -> list[str]:
    """``count`` pending deliveries, round robin over the endpoints; their bodies."""
    now = utcnow()
    bodies = [domain.body("expert.removed", now, {**DATA, "n": n}) for n in range(count)]
    rows = [{"id": domain.new_webhook_id(), "endpoint_id": endpoint_ids[n % len(endpoint_ids)], "partner_id": "bench",
             "event_id": str(uuid.uuid4()), "event_type": "expert.removed", "body": bodies[n], "status": "pending",
             "attempts": 0, "next_attempt_at": now, "created_at": now} for n in range(count)]
    with runtime.db.engine.begin() as conn:
        for start in range(0, count, 5000):
            conn.execute(insert(Delivery.__table__), rows[start:start + 5000])
    return bodies


def succeeded(runtime, endpoint_ids: list[str]) -> int:
    with runtime.db.reading() as conn:
        return conn.execute(select(func.count()).select_from(Delivery.__table__).where(
            Delivery.status == "succeeded", Delivery.endpoint_id.in_(endpoint_ids))).scalar_one()


def time_worker(runtime, settings: WebhookSettings, endpoint_ids: list[str], count: int) -> float:
    stop = threading.Event()
    worker = threading.Thread(target=Deliverer(runtime, settings, idle_seconds=0.01).run, args=(stop,), daemon=True)
    started = time.perf_counter()
    worker.start()
    try:
        wait_until(lambda: succeeded(runtime, endpoint_ids) >= count, 600, 0.02, "every delivery")
        return time.perf_counter() - started
    finally:
        stop.set()
        worker.join(60)


async def _post_all(urls: list[str], bodies: list[str], secret: str) -> None:
    async def post(session, url, body):
        webhook_id, timestamp = domain.new_webhook_id(), int(time.time())
        headers = {"content-type": "application/json", "webhook-id": webhook_id,
                   "webhook-timestamp": str(timestamp),
                   "webhook-signature": domain.signature([secret], webhook_id, timestamp, body.encode())}
        async with session.post(url, data=body.encode(), headers=headers) as answer:
            await answer.read()
            assert answer.status == 204

    async def lane(url, share):
        async with aiohttp.ClientSession(connector=aiohttp.TCPConnector(limit=PER_ENDPOINT)) as session:
            queue = list(share)

            async def connection():
                while queue:
                    await post(session, url, queue.pop())
            await asyncio.gather(*(connection() for _ in range(PER_ENDPOINT)))

    await asyncio.gather(*(lane(url, bodies[i::len(urls)]) for i, url in enumerate(urls)))


def time_raw(urls: list[str], bodies: list[str]) -> float:
    started = time.perf_counter()
    asyncio.run(_post_all(urls, bodies, domain.new_secret()))
    return time.perf_counter() - started


def run(deliveries: int = 5000, endpoints_count: int = 8, runs: int = 3) -> list[dict]:
    command = f"python -m tests.bench.bench_webhooks --deliveries {deliveries} --endpoints {endpoints_count} --runs {runs}"
    pg, receiver, rows = Postgres(), ReceiverProcess(), []
    try:
        env = {"PORTAL_OPERATOR_TOKEN": "bench", "PORTAL_DATA_DIR": "/tmp/bench-webhooks",
               "WEBHOOKS_DATABASE_URL": pg.database("bench_webhooks")}
        runtime = make_runtime(Config.from_env("webhooks", env))
        runtime.migrate()
        settings = WebhookSettings(allow_private=True, per_endpoint=PER_ENDPOINT, timeout=10.0)
        urls = [receiver.url(f"/ok?e={n}") for n in range(endpoints_count)]
        worker_rates, raw_rates, hung_rates = [], [], []
        for _ in range(runs):
            ids = endpoints(runtime, urls)
            bodies = fill(runtime, ids, deliveries)
            worker_rates.append(deliveries / time_worker(runtime, settings, ids, deliveries))
            raw_rates.append(deliveries / time_raw(urls, bodies))
            ids = endpoints(runtime, [*urls, receiver.url("/hang")])
            healthy, hanging = ids[:-1], ids[-1:]
            fill(runtime, hanging, deliveries // endpoints_count)
            fill(runtime, healthy, deliveries)
            hung_rates.append(deliveries / time_worker(runtime, settings, healthy, deliveries))
        worker, raw, hung = median(worker_rates), median(raw_rates), median(hung_rates)
        rows.append(figure("webhooks", "webhook deliveries/s (PostgreSQL, signed, pinned, settled)", worker,
                           "deliveries/s", command, baseline=raw,
                           baseline_what="raw aiohttp POSTs of the same bodies, same connections",
                           target="ratio >= 0.5 and >= 200/s", met=worker >= 0.5 * raw and worker >= 200,
                           size=deliveries, note=f"{endpoints_count} endpoints, {PER_ENDPOINT} connections each"))
        rows.append(figure("webhooks", "webhook deliveries/s to the healthy endpoints beside one that hangs", hung,
                           "deliveries/s", command, baseline=worker, baseline_what="the same without the hanging one",
                           target="ratio >= 0.8", met=hung >= 0.8 * worker, size=deliveries,
                           note="the hanging endpoint holds 4 attempts for the 10 s timeout"))
        runtime.close()
    finally:
        receiver.stop()
        pg.drop_all()
    return rows


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--deliveries", type=int, default=5000)
    parser.add_argument("--endpoints", type=int, default=8)
    parser.add_argument("--runs", type=int, default=3)
    args = parser.parse_args()
    print_rows(run(args.deliveries, args.endpoints, args.runs))


if __name__ == "__main__":
    main()
