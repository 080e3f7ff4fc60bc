"""Counting visits to public pages (DESIGN.md "Second round": the gateway alone counts).

Each process counts views and clicks in memory (``count_view``, ``count_click``: a dict
update under a lock, no I/O) and a thread of its own writes the counts every
``GATEWAY_ANALYTICS_FLUSH_SECONDS`` (5) and when the process stops, in one transaction of
set-based upserts: never a write per visit. The partner reads the sums (``report``).

What is kept (API.md "Details of the second round", Analytics):

- per partner and UTC day, a count per metric and key: ``view``, ``click``, ``use_case``
  (views per use case id), ``expert`` and ``offering`` (clicks per id), ``referrer`` and
  ``embed`` (views per host of the ``Referer``);
- per partner and day, each distinct visitor as a hash: BLAKE2b of the address and user agent
  keyed with a random salt of that day (``analytics_salts``). The salt is deleted after its
  day, so yesterday's hashes cannot be linked to today's or recomputed from an address. No
  address, cookie or user agent is ever stored.

Requests a crawler detector (crawlerdetect) recognises, and requests without a User-Agent,
are not counted.
"""
from __future__ import annotations

import atexit
import functools
import hashlib
import logging
import os
import secrets
import threading
from collections import Counter
from datetime import date, datetime, timezone
from urllib.parse import urlsplit

from crawlerdetect import CrawlerDetect
from prometheus_client import Counter as MetricCounter
from sqlalchemy import delete, select

from services.common.db import Database

log = logging.getLogger(__name__)

FLUSH_SECONDS = float(os.environ.get("GATEWAY_ANALYTICS_FLUSH_SECONDS", "5"))
COUNTED = "public.counted"  # environ key: what count_view counted, for the fast path to count again
MAX_KEY = 200  # a host or id longer than this is cut (the column's width)
FLUSHES = MetricCounter("gateway_analytics_flushes_total", "Transactions that wrote analytics counts")
ROWS = MetricCounter("gateway_analytics_rows_written_total", "Rows the analytics flushes upserted")
_DETECTOR = CrawlerDetect()


@functools.lru_cache(maxsize=4096)
def is_bot(user_agent: str | None) -> bool:
    """Whether a request with this User-Agent is left out: none at all, or one crawlerdetect
    recognises (its check costs about half a millisecond, hence the cache: a site sees few
    distinct user agents)."""
    if not user_agent or not user_agent.strip():
        return True
    return bool(_DETECTOR.isCrawler(user_agent))


def visitor_hash(salt: bytes, address: str, user_agent: str) -> str:
    """The day's pseudonym of a visitor: 32 hex characters of BLAKE2b keyed with the day's salt
    (not reversible without the salt, which lives one day)."""
    digest = hashlib.blake2b(f"{address}\n{user_agent}".encode("utf-8", "replace"), key=salt, digest_size=16)
    return digest.hexdigest()


def host_of(url: str | None) -> str | None:
    """The host of a ``Referer`` (lower case, no port), or None for none or a malformed one."""
    if not url:
        return None
    try:
        host = urlsplit(url).hostname
    except ValueError:
        return None
    return host[:MAX_KEY] if host else None


def today() -> date:
    return datetime.now(timezone.utc).date()


class Tally:
    """One process's counts since its last flush, and the flush that writes them."""

    def __init__(self, db: Database | None = None, own_host: str | None = None,
                 flush_seconds: float = FLUSH_SECONDS):
        self.db, self.own_host, self.flush_seconds = db, own_host, flush_seconds
        self.counts: Counter = Counter()
        self.visitors: set[tuple[str, date, str]] = set()
        self.salts: dict[date, bytes] = {}
        self._lock, self._flush_lock = threading.Lock(), threading.Lock()
        self._pid, self._stop = None, threading.Event()

    def configure(self, db: Database, own_host: str | None) -> None:
        self.db, self.own_host = db, own_host

    def view(self, environ: dict, partner_id: str, use_case_id: str | None = None,
             embed: bool = False) -> None:
        user_agent = environ.get("HTTP_USER_AGENT")
        if self.db is None or environ.get("REQUEST_METHOD", "GET") != "GET" or is_bot(user_agent):
            return
        day = today()
        visitor = visitor_hash(self._salt(day), environ.get("REMOTE_ADDR") or "", user_agent)
        host = host_of(environ.get("HTTP_REFERER"))
        keys = [(partner_id, day, "view", "")]
        if use_case_id:
            keys.append((partner_id, day, "use_case", use_case_id))
        if host and host != self.own_host:
            keys.append((partner_id, day, "embed" if embed else "referrer", host))
        self._add(keys, (partner_id, day, visitor))

    def click(self, environ: dict, partner_id: str, freelancer_id: str, offering_id: str | None = None) -> None:
        if self.db is None or is_bot(environ.get("HTTP_USER_AGENT")):
            return
        day = today()
        keys = [(partner_id, day, "click", ""), (partner_id, day, "expert", freelancer_id[:MAX_KEY])]
        if offering_id:
            keys.append((partner_id, day, "offering", offering_id[:MAX_KEY]))
        self._add(keys, None)

    def _add(self, keys, visitor) -> None:
        with self._lock:
            for key in keys:
                self.counts[key] += 1
            if visitor is not None:
                self.visitors.add(visitor)
        if self._pid != os.getpid():
            self._start()

    def _salt(self, day: date) -> bytes:
        salt = self.salts.get(day)
        if salt is None:
            salt = self.salts[day] = load_salt(self.db, day)
            for old in [d for d in self.salts if d < day]:
                del self.salts[old]
        return salt

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid = os.getpid()  # a forked worker starts its own thread
        threading.Thread(target=self._run, name="analytics-flush", daemon=True).start()

    def _run(self) -> None:
        pid = os.getpid()
        while not self._stop.wait(self.flush_seconds) and self._pid == pid:
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - counts stay in memory; the next round retries
                log.exception("analytics: writing the counts failed; keeping them for the next round")

    def take(self):
        with self._lock:
            counts, visitors = self.counts, self.visitors
            self.counts, self.visitors = Counter(), set()
        return counts, visitors

    def flush(self) -> int:
        """Write what was counted since the last flush in one transaction; the rows written.
        On failure the counts go back into the tally."""
        with self._flush_lock:
            counts, visitors = self.take()
            if not counts and not visitors:
                return 0
            try:
                write_counts(self.db, counts, visitors)
            except Exception:
                with self._lock:
                    self.counts.update(counts)
                    self.visitors |= visitors
                raise
            FLUSHES.inc()
            ROWS.inc(len(counts) + len(visitors))
            return len(counts) + len(visitors)

    def stop(self) -> None:
        """Write what is left and stop flushing (at the process's exit)."""
        self._stop.set()
        self.write_now()

    def write_now(self) -> None:
        """Write what is left, logging a failure (nobody else is there to tell)."""
        if self.db is not None and self._pid == os.getpid():
            try:
                self.flush()
            except Exception:  # noqa: BLE001 - at exit there is nobody left to tell but the log
                log.exception("analytics: the last counts of this process could not be written")


def load_salt(db: Database, day: date) -> bytes:
    """The salt of ``day``, made by whichever process asks first; older salts are deleted."""
    from ..models import AnalyticsSalt
    table = AnalyticsSalt.__table__
    with db.transaction() as session:
        stored = session.execute(select(table.c.salt).where(table.c.day == day)).scalar()
        if stored is None:
            session.execute(_insert(db, table).values(day=day, salt=secrets.token_hex(32))
                            .on_conflict_do_nothing())
            session.execute(delete(table).where(table.c.day < day))
            stored = session.execute(select(table.c.salt).where(table.c.day == day)).scalar_one()
    return bytes.fromhex(stored)


def write_counts(db: Database, counts: Counter, visitors: set) -> None:
    from ..models import AnalyticsCount, AnalyticsVisitor
    counted, seen = AnalyticsCount.__table__, AnalyticsVisitor.__table__
    with db.transaction() as session:
        if counts:
            insert = _insert(db, counted)
            session.execute(insert.on_conflict_do_update(
                index_elements=["partner_id", "day", "metric", "key"],
                set_={"count": counted.c.count + insert.excluded["count"]}),
                [{"partner_id": p, "day": d, "metric": m, "key": k, "count": n}
                 for (p, d, m, k), n in sorted(counts.items())])
        if visitors:
            session.execute(_insert(db, seen).on_conflict_do_nothing(),
                            [{"partner_id": p, "day": d, "visitor": v} for p, d, v in sorted(visitors)])


def _insert(db: Database, table):
    if db.is_sqlite:
        from sqlalchemy.dialects.sqlite import insert
    else:
        from sqlalchemy.dialects.postgresql import insert
    return insert(table)


TALLY = Tally()
atexit.register(TALLY.stop)


def install(db: Database, public_url: str) -> None:
    """Count into ``db``; a ``Referer`` on ``public_url``'s own host is not a referrer."""
    TALLY.configure(db, host_of(public_url))


def count_view(environ: dict, partner_id: str, use_case_id: str | None = None, embed: bool = False) -> None:
    """Count one view of a partner's public page (``use_case_id`` for a use case's own page,
    ``embed`` for an ``/embed/...`` view: its ``Referer`` host is then an embedding host).
    ``environ`` is the WSGI environ of the request (``flask.request.environ``). No I/O.
    The fast path finds what was counted in ``environ[COUNTED]`` and counts each replay of
    that answer the same way."""
    environ[COUNTED] = (partner_id, use_case_id, embed)
    TALLY.view(environ, partner_id, use_case_id, embed)


def count_click(environ: dict, partner_id: str, freelancer_id: str, offering_id: str | None = None) -> None:
    """Count one click through ``/go/...`` to an expert's profile (``offering_id`` None) or
    to one of their offerings. No I/O."""
    TALLY.click(environ, partner_id, freelancer_id, offering_id)


def flush() -> None:
    """Write this process's counts now (gunicorn's ``worker_exit`` hook and the runtime's
    close call it)."""
    TALLY.write_now()
