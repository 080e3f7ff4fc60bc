"""Pulling pages from catalog: right after a write through the gateway (so the next public
request shows it), on a cache miss, and to rebuild a lost read model."""
from __future__ import annotations

import os
import threading
import time

import requests
import structlog

from services.common.db import once_more_on_conflict
from services.common.runtime import Runtime

from . import readmodel

log = structlog.get_logger("refresh")


class PageRefresher:
    """Reads catalog's internal page API with the service token and stores what it finds."""

    def __init__(self, runtime: Runtime, timeout: float = 3.0, rebuild_every: float | None = None):
        self.runtime = runtime
        self.catalog = runtime.config.url_of("catalog")
        self.session = requests.Session()
        self.session.headers["Authorization"] = f"Bearer {runtime.config.operator_token}"
        self.timeout = timeout
        # at most one rebuild per GATEWAY_REBUILD_SECONDS per process, so unknown slugs cannot hammer catalog
        self.rebuild_every = rebuild_every if rebuild_every is not None else float(
            os.environ.get("GATEWAY_REBUILD_SECONDS", "30"))
        self._last_rebuild = 0.0
        self._lock = threading.Lock()

    def refresh(self, partner_id: str) -> bool:
        """Fetch one page now; False when catalog could not tell us."""
        try:
            answer = self.session.get(f"{self.catalog}/internal/v1/pages/{partner_id}", timeout=self.timeout)
        except requests.RequestException as exc:
            log.warning("page refresh failed", partner_id=partner_id, error=repr(exc))
            return False
        if answer.status_code != 200:
            return False
        self._store([answer.json()])
        return True

    def store_asset(self, partner_id: str, asset: dict) -> None:
        """The answer of an upload through the gateway: shown at once. The consumer may store
        the same asset's event at the same moment: the loser of that race reads the winner's row
        and keeps the newer of the two."""
        def store():
            with self.runtime.db.transaction() as session:
                readmodel.save_announced_asset(session, partner_id, asset)

        once_more_on_conflict(store)

    def rebuild(self) -> int:
        """Fetch every published page from catalog; the number stored."""
        stored, cursor = 0, None
        while True:
            params = {"published": "true", "limit": 200, **({"cursor": cursor} if cursor else {})}
            answer = self.session.get(f"{self.catalog}/internal/v1/pages", params=params, timeout=self.timeout)
            answer.raise_for_status()
            body = answer.json()
            stored += self._store(body["items"])
            cursor = body.get("next_cursor")
            if not cursor:
                return stored

    def rebuild_on_miss(self) -> bool:
        """A public request missed: rebuild at most once per ``rebuild_every`` seconds."""
        with self._lock:
            if time.monotonic() - self._last_rebuild < self.rebuild_every:
                return False
            self._last_rebuild = time.monotonic()
        try:
            return self.rebuild() > 0
        except (requests.RequestException, ValueError, KeyError) as exc:
            log.warning("read model rebuild failed", error=repr(exc))
            return False

    def _store(self, items: list[dict]) -> int:
        stored = 0
        with self.runtime.db.transaction() as session:
            for item in items:
                stored += readmodel.save_page(session, item["partner_id"], item["slug"], int(item["version"]),
                                              bool(item["published"]), item.get("page"))
        return stored
