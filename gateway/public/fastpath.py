"""The public page's fast path: a WSGI layer in front of Flask that answers ``GET`` and ``HEAD``
of a published page with the answer Flask gave for it last, as long as the read model has not
changed since. Everything else, and every page this process has not answered yet, goes to Flask,
whose answers fill it.

"Has not changed" is asked of the database, cheaply and for every request:

- PostgreSQL: the read model's writers ``NOTIFY`` (``readmodel.CHANGES``) in the transaction that
  changes a page; each worker process holds a connection that ``LISTEN``s and counts them, and
  the writing process counts its own change at its commit. While that connection is not
  listening (starting, broken, reconnecting) nothing is answered from here.
- SQLite: ``PRAGMA data_version`` on a connection of its own, which moves with every commit of
  any other connection (every process on the host shares the file).

Any change invalidates every stored answer of the process, and no answer is kept longer than
``MAX_AGE`` whatever the database says, so a notification lost with a dying connection costs
at most that much staleness.
"""
from __future__ import annotations

import itertools
import logging
import os
import sqlite3
import threading
import time
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy.engine import make_url
from werkzeug.http import parse_date, parse_etags, remove_entity_headers

from services.common.db import pg_settings
from services.common.logs import REQUEST_ID_HEADER, request_id
from services.common.metrics import observe_request

from . import analytics, readmodel
from .pages import REPLAYABLE, SLUG
from ..frontdoor.security import MAX_URL_CHARS

log = logging.getLogger(__name__)

KINDS = {"/experts/": ("html", "/experts/<slug>"),
         "/api/v1/public/pages/": ("json", "/api/v1/public/pages/<slug>")}
MAX_AGE = 30.0
LISTENER = "gateway page changes"  # application_name of the listening connections


@dataclass(frozen=True)
class Answer:
    """One page answer as Flask gave it, without its request id."""

    generation: int
    stored: float
    etag: str
    changed_at: datetime
    status: str
    headers: list[tuple[str, str]]
    body: bytes
    counted: tuple | None = None  # count_view's arguments when Flask counted this answer as a view


class SqliteChanges:
    """Commits to the SQLite file by anyone, from ``PRAGMA data_version`` of a connection that
    never writes."""

    def __init__(self, path: str):
        self.path, self._conn, self._pid, self._lock = path, None, None, threading.Lock()
        self._closed = False

    def close(self) -> None:
        with self._lock:
            if self._conn is not None and self._pid == os.getpid():
                self._conn.close()
            self._conn, self._pid, self._closed = None, None, True

    def generation(self) -> int | None:
        with self._lock:
            if self._closed:
                return None
            try:
                if self._pid != os.getpid():  # a connection is not shared across a fork
                    self._conn = sqlite3.connect(f"file:{self.path}?mode=ro", uri=True, check_same_thread=False)
                    self._pid = os.getpid()
                return self._conn.execute("PRAGMA data_version").fetchone()[0]
            except sqlite3.Error:
                self._pid = None
                return None


class PostgresChanges:
    """Changes to the read model, counted from ``NOTIFY``s on a listening connection of its own
    (a thread per process, started by the first request of the process)."""

    def __init__(self, url: str, check_every: float = 5.0, retry_after: float = 1.0):
        self.conninfo = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
        self.check_every, self.retry_after = check_every, retry_after
        self._counter = itertools.count(1)  # next() is atomic: the listener and writers both count
        self._count, self._listening, self._pid, self._lock = 0, False, None, threading.Lock()
        self._closed = threading.Event()
        readmodel.CHANGE_LISTENERS.add(self)

    def close(self) -> None:
        """Stop listening (the thread ends within ``check_every``)."""
        self._closed.set()
        self._listening = False

    def changed(self) -> None:
        self._count = next(self._counter)

    def generation(self) -> int | None:
        if self._pid != os.getpid() and not self._closed.is_set():
            self._start()
        return self._count if self._listening else None

    def _start(self) -> None:
        with self._lock:
            if self._pid == os.getpid():
                return
            self._pid, self._listening = os.getpid(), False
            threading.Thread(target=self._listen, name="page-changes", daemon=True).start()

    def _listen(self) -> None:
        import psycopg
        pid = os.getpid()
        running = lambda: self._pid == pid and not self._closed.is_set()  # noqa: E731
        while running():
            try:
                with psycopg.connect(self.conninfo, autocommit=True, application_name=LISTENER,
                                     **pg_settings()) as conn:
                    conn.execute(f"LISTEN {readmodel.CHANGES}")
                    self.changed()  # whatever changed while nobody listened
                    self._listening = not self._closed.is_set()
                    while running():
                        for _ in conn.notifies(timeout=self.check_every):
                            self.changed()
                        conn.execute("SELECT 1")  # a dead connection would otherwise go unnoticed
            except Exception as error:  # noqa: BLE001 - any failure: stop answering, reconnect
                self._listening = False
                self.changed()
                if running():
                    log.warning("public page cache: not listening for changes (%s); retrying", error)
                    self._closed.wait(self.retry_after)
        self._listening = False


def changes_of(url: str):
    parsed = make_url(url)
    if parsed.get_backend_name() == "sqlite":
        return SqliteChanges(parsed.database)
    return PostgresChanges(url)


class PublicPageFastPath:
    """WSGI middleware: the page answers this process already gave, while nothing changed."""

    def __init__(self, app, changes, service: str, size: int = 1024):
        self.app, self.changes, self.service, self.size = app, changes, service, size
        self.answers: dict[tuple[str, str, str], Answer] = {}

    def __call__(self, environ, start_response):
        started = time.perf_counter()
        method, path = environ.get("REQUEST_METHOD"), environ.get("PATH_INFO", "")
        kind = _kind_of(path) if method in ("GET", "HEAD") else None
        if (kind is None or len(path) + len(environ.get("QUERY_STRING", "")) >= MAX_URL_CHARS
                or environ.get("CONTENT_LENGTH") not in (None, "", "0") or "HTTP_TRANSFER_ENCODING" in environ):
            return self.app(environ, start_response)  # Flask's answer to a URL too long or a body
        slug = path.rsplit("/", 1)[1]
        # the query is part of the answer (the visitor's filters): each URL is its own entry
        key = (slug, kind[0], environ.get("wsgi.url_scheme", "http"), environ.get("QUERY_STRING", ""))
        generation = self.changes.generation()
        answer = self.answers.get(key)
        if (answer is None or generation is None or answer.generation != generation
                or time.monotonic() - answer.stored > MAX_AGE):
            return self._through_flask(key, generation, environ, start_response)
        status, headers, body = _replay(answer, environ)
        if answer.counted is not None:
            analytics.count_view(environ, *answer.counted)
        start_response(status, headers + [(REQUEST_ID_HEADER, request_id(environ.get("HTTP_X_REQUEST_ID")))])
        observe_request(self.service, method, kind[1], int(status[:3]), time.perf_counter() - started)
        return [b""] if method == "HEAD" else [body]

    def _through_flask(self, key, generation, environ, start_response):
        given = {}

        def keep(status, headers, exc_info=None):
            given["status"], given["headers"] = status, headers
            return start_response(status, headers, exc_info)

        body = self.app(environ, keep)
        mark = environ.get(REPLAYABLE)
        if mark is None or generation is None or environ["REQUEST_METHOD"] != "GET" \
                or not given.get("status", "").startswith("200"):
            return body
        try:
            content = b"".join(body)
        finally:
            if hasattr(body, "close"):
                body.close()
        headers = [(name, value) for name, value in given["headers"] if name.lower() != "x-request-id"]
        if not any(name.lower() in ("set-cookie", "vary") for name, _ in headers):
            if len(self.answers) >= self.size:
                self.answers.clear()
            self.answers[key] = Answer(generation, time.monotonic(), mark[0], mark[1], given["status"],
                                       headers, content, environ.get(analytics.COUNTED))
        return [content]


def _kind_of(path: str):
    for prefix, kind in KINDS.items():
        if path.startswith(prefix) and SLUG.match(path[len(prefix):]):
            return kind
    return None


def _replay(answer: Answer, environ) -> tuple[str, list[tuple[str, str]], bytes]:
    """The stored answer, or a 304 with its headers when the visitor holds it already (the same
    rules as the Flask view's)."""
    etags = parse_etags(environ.get("HTTP_IF_NONE_MATCH"))
    if etags:
        fresh = etags.contains_weak(answer.etag)  # RFC 9110 13.1.2, as the view compares
    else:
        since = parse_date(environ.get("HTTP_IF_MODIFIED_SINCE"))
        fresh = since is not None and answer.changed_at.replace(microsecond=0) <= since
    if not fresh:
        return answer.status, answer.headers, answer.body
    headers = list(answer.headers)
    remove_entity_headers(headers)  # as werkzeug does for Flask's 304
    return "304 NOT MODIFIED", headers, b""
