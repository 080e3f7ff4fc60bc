"""The delivery worker (``python -m services.webhooks deliver``): sends pending deliveries,
records each outcome and schedules retries.

At least once: a delivery row is claimed for ``lease`` seconds before it is sent and
settled after; a worker killed mid-batch leaves its rows to be claimed again once the lease
ends, and they go out again with the same ``webhook-id``. Ordering is not promised.

One slow endpoint never delays another: each claim takes at most ``per_endpoint`` rows per
endpoint (minus those it has in flight) and ranks every endpoint's first row before any
endpoint's second, and attempts run concurrently (``concurrency`` per process)."""
from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter as Tally
from dataclasses import dataclass
from datetime import timedelta

import structlog
from prometheus_client import Counter
from sqlalchemy import func, or_, select, update

from services.common.db import utcnow
from services.common.runtime import Runtime

from . import domain
from .addresses import Resolver
from .config import WebhookSettings
from .handlers import disable, live_secrets
from .models import Delivery, Endpoint
from .notices import Notifier
from .transport import Outcome, Transport

log = structlog.get_logger("deliverer")
ATTEMPTS = Counter("portal_webhook_attempts_total", "Webhook delivery attempts", ["outcome"])
NOTICE_EVERY = 5.0


@dataclass(frozen=True)
class Job:
    """A claimed delivery, with what its attempt needs."""

    seq: int
    webhook_id: str
    endpoint_id: str
    url: str
    body: str
    secrets: tuple[str, ...]


class Deliverer:
    def __init__(self, runtime: Runtime, settings: WebhookSettings, resolve: Resolver | None = None,
                 notifier: Notifier | None = None, idle_seconds: float = 0.2):
        self.runtime, self.db, self.settings = runtime, runtime.db, settings
        self.resolve, self.idle_seconds = resolve, idle_seconds
        self.notifier = notifier or Notifier(runtime.config)

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop``; attempts in flight are finished and recorded first."""
        asyncio.run(self._run(stop))

    async def _run(self, stop: threading.Event) -> None:
        transport = Transport(self.settings, self.resolve)
        in_flight: Tally = Tally()
        tasks: set[asyncio.Task] = set()
        done: list[tuple[Job, Outcome]] = []
        last_notice = last_tidy = 0.0
        try:
            while not stop.is_set():
                claimed = await self._claim_safely(in_flight, len(tasks))
                for job in claimed:
                    in_flight[job.endpoint_id] += 1
                    tasks.add(asyncio.create_task(self._attempt(transport, job, done, in_flight)))
                if tasks:
                    finished, _ = await asyncio.wait(tasks, timeout=0.05 if claimed else self.idle_seconds,
                                                     return_when=asyncio.FIRST_COMPLETED)
                    tasks -= finished
                elif not claimed:
                    await asyncio.sleep(self.idle_seconds)
                await self._record_safely(done)
                if time.monotonic() - last_notice > NOTICE_EVERY:
                    last_notice = time.monotonic()
                    await asyncio.to_thread(self.notifier.send_pending, self.db)
                if time.monotonic() - last_tidy > 30:
                    last_tidy = time.monotonic()
                    await transport.close_idle()
            if tasks:
                await asyncio.wait(tasks)
            await self._record_safely(done)
        finally:
            await transport.close()

    async def _attempt(self, transport: Transport, job: Job, done: list, in_flight: Tally) -> None:
        try:
            timestamp = int(time.time())
            body = job.body.encode()
            headers = {"content-type": "application/json", "webhook-id": job.webhook_id,
                       "webhook-timestamp": str(timestamp),
                       "webhook-signature": domain.signature(list(job.secrets), job.webhook_id, timestamp, body)}
            outcome = await transport.send(job.endpoint_id, job.url, headers, body)
        except Exception as exc:  # a bug here must not lose the delivery: it is retried
            log.exception("webhook attempt failed unexpectedly", webhook_id=job.webhook_id)
            outcome = Outcome(None, f"internal: {type(exc).__name__}")
        ATTEMPTS.labels("succeeded" if domain.succeeded(outcome.status) else "failed").inc()
        done.append((job, outcome))
        in_flight[job.endpoint_id] -= 1

    async def _claim_safely(self, in_flight: Tally, running: int) -> list[Job]:
        free = self.settings.concurrency - running
        if free <= 0:
            return []
        try:
            return await asyncio.to_thread(self.claim, free, dict(in_flight))
        except Exception as exc:  # the database may be away for a moment: try again
            log.warning("could not claim deliveries", error=repr(exc))
            await asyncio.sleep(1.0)
            return []

    async def _record_safely(self, done: list) -> None:
        if not done:
            return
        batch = done[:]
        try:
            await asyncio.to_thread(self.record, batch)
        except Exception as exc:  # kept for the next round; the leases hold the rows meanwhile
            log.warning("could not record outcomes", error=repr(exc), count=len(batch))
            await asyncio.sleep(1.0)
            return
        del done[:len(batch)]

    def claim(self, free: int, in_flight: dict[str, int]) -> list[Job]:
        """Up to ``free`` due deliveries, at most ``per_endpoint`` in flight per endpoint,
        each endpoint's first before any endpoint's second; leased for ``lease`` seconds."""
        now = utcnow()
        due = (select(Delivery.seq, Delivery.endpoint_id, func.row_number().over(
            partition_by=Delivery.endpoint_id, order_by=(Delivery.next_attempt_at, Delivery.seq)).label("rank"))
            .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                   or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
                   Endpoint.disabled_at.is_(None))).subquery()
        with self.db.transaction() as session:
            candidates = session.execute(select(due.c.seq, due.c.endpoint_id)
                                         .where(due.c.rank <= self.settings.per_endpoint)
                                         .order_by(due.c.rank, due.c.seq).limit(free + 50 * self.settings.per_endpoint)).all()
            room = Tally({e: self.settings.per_endpoint - n for e, n in in_flight.items()})
            chosen = []
            for seq, endpoint_id in candidates:
                if len(chosen) < free and room.get(endpoint_id, self.settings.per_endpoint) > 0:
                    room[endpoint_id] = room.get(endpoint_id, self.settings.per_endpoint) - 1
                    chosen.append(seq)
            if not chosen:
                return []
            taken = session.scalars(update(Delivery).where(
                Delivery.seq.in_(chosen), Delivery.status == "pending",
                or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now))
                .values(claimed_until=now + timedelta(seconds=self.settings.lease))
                .returning(Delivery.seq)).all()
            rows = session.execute(select(Delivery.seq, Delivery.id, Delivery.endpoint_id, Delivery.body, Endpoint.url)
                                   .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
                                   .where(Delivery.seq.in_(taken))).all()
            keys = live_secrets(session, list({r.endpoint_id for r in rows}), now)
        return [Job(r.seq, r.id, r.endpoint_id, r.url, r.body, tuple(keys.get(r.endpoint_id, ()))) for r in rows]

    def record(self, results: list[tuple[Job, Outcome]]) -> None:
        """Settle each attempt: succeeded; or retried after the next delay; or failed once the
        delays are spent. An endpoint failing for ``disable_after`` is disabled."""
        now = utcnow()
        with self.db.transaction() as session:
            for job, outcome in results:
                delivery = session.get(Delivery, job.seq)
                if delivery is None or delivery.status != "pending":
                    continue  # deleted, or its endpoint was disabled meanwhile
                endpoint = session.get(Endpoint, delivery.endpoint_id)
                delivery.attempts += 1
                delivery.last_status_code, delivery.claimed_until = outcome.status, None
                if domain.succeeded(outcome.status):
                    delivery.status, delivery.delivered_at = "succeeded", now
                    delivery.next_attempt_at = delivery.last_error = None
                    endpoint.failing_since = None
                    continue
                delivery.last_error = (outcome.error or "failed")[:500]
                delay = domain.retry_delay(delivery.attempts, self.settings.retry_delays)
                delivery.status = "pending" if delay is not None else "failed"
                delivery.next_attempt_at = now + timedelta(seconds=delay) if delay is not None else None
                endpoint.failing_since = endpoint.failing_since or now
                if endpoint.disabled_at is None and (now - endpoint.failing_since).total_seconds() >= self.settings.disable_after:
                    log.warning("webhook endpoint disabled after failing", endpoint_id=endpoint.id,
                                failing_since=endpoint.failing_since.isoformat())
                    disable(session, endpoint, now)
