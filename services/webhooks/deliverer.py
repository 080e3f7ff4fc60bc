"""The delivery worker (``python -m services.webhooks deliver``): sends pending deliveries,
records each outcome and schedules retries.

At least once: a delivery row is claimed for ``lease`` seconds before it is sent and
settled after; a worker killed mid-batch leaves its rows to be claimed again once the lease
ends, and they go out again with the same ``webhook-id``. Ordering is not promised.

One slow endpoint never delays another: at most ``per_endpoint`` attempts run at once per
endpoint, a worker holds at most ``per_endpoint * prefetch`` claimed rows per endpoint, each
claim ranks every endpoint's first due row before any endpoint's second, and attempts run
concurrently (``concurrency`` per process). Outcomes are settled in batches (successes with
one UPDATE per status code)."""
from __future__ import annotations

import asyncio
import threading
import time
from collections import Counter as Tally
from collections import defaultdict, deque
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
    """Three loops share one event loop: the claimer leases due rows into a per-endpoint queue
    (at most ``per_endpoint * prefetch`` held per endpoint), the dispatcher starts held
    attempts while their endpoint has fewer than ``per_endpoint`` in flight, and the recorder
    settles finished attempts in batches. ``prefetch`` is chosen so that a held row is sent
    before its lease ends even behind attempts that all take the whole timeout."""

    def __init__(self, runtime: Runtime, settings: WebhookSettings, resolve: Resolver | None = None,
                 notifier: Notifier | None = None, idle_seconds: float = 0.2):
        self.runtime, self.db, self.settings = runtime, runtime.db, settings
        self.resolve, self.idle_seconds = resolve, idle_seconds
        self.notifier = notifier or Notifier(runtime.config)
        self.prefetch = max(1, int(settings.lease // settings.timeout) - 2)

    def run(self, stop: threading.Event) -> None:
        """Deliver until ``stop``; attempts in flight are finished and recorded first, and held
        rows not yet started are handed back at once."""
        asyncio.run(self._run(stop))

    async def _run(self, stop: threading.Event) -> None:
        self._transport = Transport(self.settings, self.resolve)
        self._held: dict[str, deque[Job]] = defaultdict(deque)
        self._running: Tally = Tally()
        self._tasks: set[asyncio.Task] = set()
        self._done: list[tuple[Job, Outcome]] = []
        self._wake, stopping = asyncio.Event(), asyncio.Event()
        helpers = [asyncio.create_task(loop(stopping)) for loop in (self._claimer, self._recorder, self._chores)]
        try:
            while not stop.is_set():
                self._dispatch()
                self._wake.clear()
                try:
                    await asyncio.wait_for(self._wake.wait(), 0.1)
                except (asyncio.TimeoutError, TimeoutError):
                    pass
            stopping.set()
            await asyncio.gather(*helpers)
            if self._tasks:
                await asyncio.wait(self._tasks)
            unsent = [job.seq for queue in self._held.values() for job in queue]
            await asyncio.to_thread(self.release, unsent)
            await self._record_safely()
        finally:
            for helper in helpers:
                helper.cancel()
            await self._transport.close()

    def _dispatch(self) -> None:
        """Start held attempts, endpoint by endpoint, within both concurrency limits."""
        for endpoint_id, queue in self._held.items():
            while queue and self._running[endpoint_id] < self.settings.per_endpoint \
                    and len(self._tasks) < self.settings.concurrency:
                job = queue.popleft()
                self._running[endpoint_id] += 1
                task = asyncio.create_task(self._attempt(job))
                self._tasks.add(task)
                task.add_done_callback(self._tasks.discard)

    async def _attempt(self, job: Job) -> None:
        try:
            timestamp = int(time.time())
            body = job.body.encode()
            headers = {"content-type": "application/json", "webhook-id": job.webhook_id,
                       "webhook-timestamp": str(timestamp),
                       "webhook-signature": domain.signature(list(job.secrets), job.webhook_id, timestamp, body)}
            outcome = await self._transport.send(job.endpoint_id, job.url, headers, body)
        except Exception as exc:  # a bug here must not lose the delivery: it is retried
            log.exception("webhook attempt failed unexpectedly", webhook_id=job.webhook_id)
            outcome = Outcome(None, f"internal: {type(exc).__name__}")
        ATTEMPTS.labels("succeeded" if domain.succeeded(outcome.status) else "failed").inc()
        self._done.append((job, outcome))
        self._running[job.endpoint_id] -= 1
        self._wake.set()

    async def _claimer(self, stopping: asyncio.Event) -> None:
        limit = self.settings.per_endpoint * self.prefetch
        while not stopping.is_set():
            holding = {e: len(q) + self._running[e] for e, q in self._held.items()}
            room = self.settings.concurrency * self.prefetch - sum(holding.values())
            claimed = []
            if room > 0:
                try:
                    claimed = await asyncio.to_thread(self.claim, room, holding, limit)
                except Exception as exc:  # the database may be away for a moment: try again
                    log.warning("could not claim deliveries", error=repr(exc))
                    await asyncio.sleep(1.0)
            for job in claimed:
                self._held[job.endpoint_id].append(job)
            if claimed:
                self._wake.set()
            await asyncio.sleep(0.01 if claimed else self.idle_seconds)

    async def _recorder(self, stopping: asyncio.Event) -> None:
        while not stopping.is_set():
            if not await self._record_safely():
                await asyncio.sleep(0.02)

    async def _chores(self, stopping: asyncio.Event) -> None:
        """The disabled endpoints' notices, and idle connection pools closed."""
        while not stopping.is_set():
            await asyncio.to_thread(self.notifier.send_pending, self.db)
            await self._transport.close_idle()
            for endpoint_id in [e for e, q in self._held.items() if not q and not self._running[e]]:
                del self._held[endpoint_id]
            try:
                await asyncio.wait_for(stopping.wait(), NOTICE_EVERY)
            except (asyncio.TimeoutError, TimeoutError):
                pass

    async def _record_safely(self) -> int:
        if not self._done:
            return 0
        batch = self._done[:]
        try:
            await asyncio.to_thread(self.record, batch)
        except Exception as exc:  # kept for the next round; the leases hold the rows meanwhile
            log.warning("could not record outcomes", error=repr(exc), count=len(batch))
            await asyncio.sleep(1.0)
            return 0
        del self._done[:len(batch)]
        return len(batch)

    def claim(self, free: int, holding: dict[str, int], per_endpoint: int | None = None) -> list[Job]:
        """Up to ``free`` due deliveries, so that no endpoint holds more than ``per_endpoint``
        (counting ``holding``: what this worker holds already), each endpoint's first before any
        endpoint's second; leased for ``lease`` seconds."""
        per_endpoint = per_endpoint or self.settings.per_endpoint
        now = utcnow()
        due = (select(Delivery.seq, Delivery.endpoint_id, func.row_number().over(
            partition_by=Delivery.endpoint_id, order_by=(Delivery.next_attempt_at, Delivery.seq)).label("rank"))
            .join(Endpoint, Endpoint.id == Delivery.endpoint_id)
            .where(Delivery.status == "pending", Delivery.next_attempt_at <= now,
                   or_(Delivery.claimed_until.is_(None), Delivery.claimed_until < now),
                   Endpoint.disabled_at.is_(None))).subquery()
        with self.db.transaction() as session:
            candidates = session.execute(select(due.c.seq, due.c.endpoint_id)
                                         .where(due.c.rank <= per_endpoint)
                                         .order_by(due.c.rank, due.c.seq).limit(free + 50 * per_endpoint)).all()
            room = {e: per_endpoint - n for e, n in holding.items()}
            chosen = []
            for seq, endpoint_id in candidates:
                if len(chosen) < free and room.get(endpoint_id, per_endpoint) > 0:
                    room[endpoint_id] = room.get(endpoint_id, per_endpoint) - 1
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

    def release(self, seqs: list[int]) -> None:
        """Hand back claimed rows that were never started (at a clean stop)."""
        if seqs:
            with self.db.transaction() as session:
                session.execute(update(Delivery).where(Delivery.seq.in_(seqs), Delivery.status == "pending")
                                .values(claimed_until=None))

    def record(self, results: list[tuple[Job, Outcome]]) -> None:
        """Settle each attempt: succeeded; or retried after the next delay; or failed once the
        delays are spent. An endpoint failing for ``disable_after`` is disabled."""
        now = utcnow()
        won: dict[int, list[int]] = defaultdict(list)
        for job, outcome in results:
            if domain.succeeded(outcome.status):
                won[outcome.status].append(job.seq)
        with self.db.transaction() as session:
            for status, seqs in won.items():  # the usual case, set-based
                session.execute(update(Delivery).where(Delivery.seq.in_(seqs), Delivery.status == "pending").values(
                    status="succeeded", attempts=Delivery.attempts + 1, last_status_code=status, claimed_until=None,
                    delivered_at=now, next_attempt_at=None, last_error=None))
            answered = {job.endpoint_id for job, outcome in results if domain.succeeded(outcome.status)}
            if answered:
                session.execute(update(Endpoint).where(Endpoint.id.in_(answered), Endpoint.failing_since.is_not(None))
                                .values(failing_since=None))
            for job, outcome in results:
                if not domain.succeeded(outcome.status):
                    self._failed(session, job, outcome, now)

    def _failed(self, session, job: Job, outcome: Outcome, now) -> None:
        delivery = session.get(Delivery, job.seq)
        if delivery is None or delivery.status != "pending":
            return  # deleted, or its endpoint was disabled meanwhile
        endpoint = session.get(Endpoint, delivery.endpoint_id)
        delivery.attempts += 1
        delivery.last_status_code, delivery.claimed_until = outcome.status, None
        delivery.last_error = (outcome.error or "failed")[:500]
        delay = domain.retry_delay(delivery.attempts, self.settings.retry_delays)
        delivery.status = "pending" if delay is not None else "failed"
        delivery.next_attempt_at = now + timedelta(seconds=delay) if delay is not None else None
        endpoint.failing_since = endpoint.failing_since or now
        if endpoint.disabled_at is None and (now - endpoint.failing_since).total_seconds() >= self.settings.disable_after:
            log.warning("webhook endpoint disabled after failing", endpoint_id=endpoint.id,
                        failing_since=endpoint.failing_since.isoformat())
            disable(session, endpoint, now)
