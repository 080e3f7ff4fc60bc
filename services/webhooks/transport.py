"""One HTTP attempt to a partner's endpoint, pinned to an address checked just before.

For each attempt the host is resolved and checked (``addresses.callable_addresses``: every
address public unless WEBHOOKS_ALLOW_PRIVATE=1; a checked answer is reused for at most
``PIN_SECONDS``), and the connection goes to that checked address itself with
the name in the ``Host`` header and in TLS (SNI and certificate check), so a name that
answers with another address a moment later (DNS rebinding) cannot steer the request.
Redirects are not followed; the whole attempt (connect, send, answer) gets ``timeout``
seconds; at most ``max_answer_bytes`` of the answer are read. Each endpoint has its own
connection pool of ``per_endpoint`` connections, so endpoints never share a connection."""
from __future__ import annotations

import asyncio
import ipaddress
import ssl
import time
from concurrent.futures import ThreadPoolExecutor
from dataclasses import dataclass
from urllib.parse import urlsplit

import aiohttp
from yarl import URL

from .addresses import Resolver, callable_addresses, default_port, system_resolver
from .config import WebhookSettings
from .domain import UrlNotAllowed, checked_url

USER_AGENT = "PartnerExpertsPortal-Webhooks/1"
IDLE_POOL_SECONDS = 120.0
PIN_SECONDS = 10.0  # a checked address is reused this long: it stays as public as it was


@dataclass(frozen=True)
class Outcome:
    """What one attempt got: the answer's status code (None when there was no answer) and,
    when it failed, why (for the deliveries list and the log)."""

    status: int | None
    error: str | None = None


@dataclass(frozen=True)
class Target:
    """Where an attempt goes: the URL to connect to (the checked address), the Host header
    and the TLS server name (None for an address literal)."""

    url: URL
    host_header: str
    server_hostname: str | None


def pinned_target(url: str, resolve: Resolver, allow_private: bool) -> Target:
    """The URL rewritten to one checked address of its host; ``UrlNotAllowed`` when it may
    not be called."""
    parts = checked_url(url, allow_private)
    port = parts.port or default_port(parts.scheme)
    try:
        name = parts.hostname if _is_address(parts.hostname) else parts.hostname.encode("idna").decode("ascii")
    except UnicodeError:
        raise UrlNotAllowed(f"The host {parts.hostname} is not a valid name.") from None
    address = callable_addresses(name, port, resolve, allow_private)[0]
    literal = f"[{address}]" if ":" in address else address
    rest = urlsplit(url)
    target = URL(f"{parts.scheme}://{literal}:{port}{rest.path or '/'}" + (f"?{rest.query}" if rest.query else ""))
    shown_name = f"[{name}]" if ":" in name else name
    host_header = shown_name if parts.port is None else f"{shown_name}:{port}"
    return Target(target, host_header, None if _is_address(name) else name)


def _is_address(host: str) -> bool:
    try:
        ipaddress.ip_address(host)
        return True
    except ValueError:
        return False


class Transport:
    """Sends attempts; one aiohttp session (and pool) per endpoint. Use inside one event loop."""

    def __init__(self, settings: WebhookSettings, resolve: Resolver | None = None):
        self.settings, self.resolve = settings, resolve or system_resolver
        self._sessions: dict[str, tuple[aiohttp.ClientSession, float]] = {}
        self._pinned: dict[str, tuple[Target, float]] = {}
        # its own lookup threads: a name server that hangs for one endpoint holds one thread
        self._tls = ssl.create_default_context()
        if settings.ca_file:
            self._tls.load_verify_locations(settings.ca_file)
        self._lookups = ThreadPoolExecutor(max_workers=settings.concurrency, thread_name_prefix="webhook-dns")

    def _session(self, endpoint_id: str) -> aiohttp.ClientSession:
        found = self._sessions.get(endpoint_id)
        session = found[0] if found else aiohttp.ClientSession(
            connector=aiohttp.TCPConnector(limit=self.settings.per_endpoint, use_dns_cache=False, ssl=self._tls),
            auto_decompress=False, trust_env=False, headers={"User-Agent": USER_AGENT})
        self._sessions[endpoint_id] = (session, time.monotonic())
        return session

    async def send(self, endpoint_id: str, url: str, headers: dict, body: bytes) -> Outcome:
        """POST ``body`` to ``url``; never raises for anything the endpoint or the network does."""
        try:
            return await asyncio.wait_for(self._attempt(endpoint_id, url, headers, body), self.settings.timeout)
        except UrlNotAllowed as exc:
            return Outcome(None, f"url_not_allowed: {exc}")
        except (asyncio.TimeoutError, TimeoutError):
            return Outcome(None, f"timeout: no complete answer within {self.settings.timeout:g} s")
        except aiohttp.ClientError as exc:
            return Outcome(None, f"connection: {type(exc).__name__}: {exc}"[:500])
        except OSError as exc:
            return Outcome(None, f"connection: {exc}"[:500])

    async def _attempt(self, endpoint_id: str, url: str, headers: dict, body: bytes) -> Outcome:
        target = await self._target(url)
        extra = {"server_hostname": target.server_hostname} if target.server_hostname else {}
        async with self._session(endpoint_id).post(
                target.url, data=body, allow_redirects=False, timeout=aiohttp.ClientTimeout(total=self.settings.timeout),
                headers={**headers, "Host": target.host_header}, **extra) as answer:
            left = self.settings.max_answer_bytes
            while left > 0:
                chunk = await answer.content.read(left)
                if not chunk:
                    break
                left -= len(chunk)
            if left <= 0 and not answer.content.at_eof():
                answer.close()  # the rest is never read: this connection is not reused
            return Outcome(answer.status, None if 200 <= answer.status < 300 else f"answered {answer.status}")

    async def _target(self, url: str) -> Target:
        """The checked target of ``url``: resolved and checked in a lookup thread, then reused
        for ``PIN_SECONDS`` (only addresses that passed the check are ever kept)."""
        now = time.monotonic()
        kept = self._pinned.get(url)
        if kept is not None and kept[1] > now:
            return kept[0]
        target = await asyncio.get_running_loop().run_in_executor(
            self._lookups, pinned_target, url, self.resolve, self.settings.allow_private)
        if len(self._pinned) > 10_000:
            self._pinned.clear()
        self._pinned[url] = (target, now + PIN_SECONDS)
        return target

    async def close_idle(self, older_than: float = IDLE_POOL_SECONDS) -> None:
        now = time.monotonic()
        for endpoint_id, (session, used) in list(self._sessions.items()):
            if now - used > older_than:
                del self._sessions[endpoint_id]
                await session.close()

    async def close(self) -> None:
        for session, _ in self._sessions.values():
            await session.close()
        self._sessions.clear()
        self._lookups.shutdown(wait=False, cancel_futures=True)
