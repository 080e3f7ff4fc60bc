"""One HTTP client per service: pooled connections, timeouts, retries for idempotent
calls only, and a circuit breaker that answers 503 at once while a service is down.

What the breaker counts (API.md "Changed rules": one caller's bad requests never make a
service unavailable to others): only what says the *service* is down or overwhelmed, for
every caller alike:

- transport failures: connection refused or reset, no answer within the read timeout;
- answers 502, 503 and 504 (the service, or a proxy in front of it, cannot serve now).

Never a 500 or a 4xx answer: those are about one request (bad input, a bug that input
triggers), so a stream of them from one member leaves everyone else's calls alone; a 500 is
passed on (as 502 ``bad_gateway`` when it is not JSON). Five counted failures in a row open
the breaker for ``reset_timeout`` seconds (503 ``service_unavailable`` at once, with
``Retry-After``); any answer the breaker does not count closes the count again.

One transport for every call: forwarded requests (``forward``, the answer streamed back) and
the portal's calls (``call``, the answer read whole) both go through the client's urllib3
connection pool (``_send``) and one error path (``_guarded``). No cookie is ever kept between
calls: the pool has no cookie jar."""
from __future__ import annotations

import json
import os
import re
import time

import pybreaker
import requests
import urllib3
from flask import Request, Response, current_app, has_app_context
from requests.adapters import HTTPAdapter
from requests.models import PreparedRequest
from urllib3._collections import HTTPHeaderDict
from urllib3.exceptions import HTTPError, MaxRetryError, ReadTimeoutError
from urllib3.util.retry import Retry
from werkzeug.exceptions import ClientDisconnected

from services.common.auth import GATEWAY_PROOF_HEADER, gateway_proof
from services.common.errors import Problem
from services.common.logs import REQUEST_ID_HEADER

from .routes import ambiguous, exact_target

FORWARDED_REQUEST_HEADERS = ("Authorization", "Content-Type", "Content-Length", "Accept",
                             "Idempotency-Key", "If-None-Match", "If-Modified-Since", REQUEST_ID_HEADER)
HOP_BY_HOP = {"connection", "keep-alive", "proxy-authenticate", "proxy-authorization", "te",
              "trailers", "transfer-encoding", "upgrade", "content-length", "content-encoding"}
IDEMPOTENT = frozenset({"GET", "HEAD", "OPTIONS", "PUT", "DELETE"})
DEFAULT_HEADERS = requests.utils.default_headers()  # what requests adds to every call, kept on forwarded ones
MAX_JSON_BYTES = 8 * 1024 * 1024
UNAVAILABLE_STATUSES = frozenset({502, 503, 504})  # what the breaker counts, besides transport failures


class DownstreamFailure(Exception):
    """The service answered 502, 503 or 504: counted by the breaker, passed on to the caller."""

    def __init__(self, response):
        super().__init__(f"{response.status_code} from downstream")
        self.response = response


class Upstream:
    """A service's answer, straight from urllib3.

    - ``status_code``: the HTTP status, an int;
    - ``headers``: case-insensitive, ``headers[name]`` and ``headers.get(name)`` give every
      value of a repeated header joined with ", " (RFC 9110 section 5.3);
    - ``content``: the whole body as bytes once ``load()`` read it (the portal's calls), None
      while it is unread (a forwarded answer, streamed from ``raw``);
    - ``json()``: the loaded body parsed; ``ValueError`` when it is not JSON.
    """

    def __init__(self, response: urllib3.BaseHTTPResponse):
        self.raw, self.status_code = response, response.status
        self.headers: HTTPHeaderDict = response.headers
        self.content_type = response.headers.get("Content-Type", "")
        self.content: bytes | None = None

    def load(self) -> Upstream:
        """Read the whole body (decoded) and give the connection back to the pool."""
        try:
            self.content = self.raw.read(decode_content=True)
        finally:
            self.close()
        return self

    def json(self):
        if self.content is None:
            raise ValueError("the body was not read")
        return json.loads(self.content)

    def close(self) -> None:
        self.raw.close()
        self.raw.release_conn()


class ServiceClient:
    """Talks to one service."""

    def __init__(self, name: str, base_url: str, connect_timeout: float = 1.0,
                 read_timeout: float = 10.0, fail_max: int = 5, reset_timeout: float = 10.0):
        self.name, self.base_url = name, base_url.rstrip("/")
        self.base_path = urllib3.util.parse_url(self.base_url).path or ""
        retry = Retry(total=2, connect=2, read=0, status=0, backoff_factor=0.05,
                      allowed_methods=IDEMPOTENT, raise_on_status=False)
        # proxies and CA bundle from the environment, read once here instead of on every call
        # (requests would scan the whole environment per request: a tenth of the proxy's CPU)
        self.proxies = requests.utils.get_environ_proxies(self.base_url)
        verify = os.environ.get("REQUESTS_CA_BUNDLE") or os.environ.get("CURL_CA_BUNDLE") or True
        # every call goes to urllib3's pool directly; requests' adapter only builds that pool
        # with requests' TLS and proxy rules (requests' own preparation of each call was a
        # fifth of the proxy's CPU)
        self.retry, self.timeout = retry, urllib3.Timeout(connect=connect_timeout, read=read_timeout)
        base = PreparedRequest()
        base.prepare(method="GET", url=self.base_url)
        adapter = HTTPAdapter(pool_connections=4, pool_maxsize=32, max_retries=retry)
        self.pool = adapter.get_connection_with_tls_context(base, verify, self.proxies)
        self.whole_url = requests.utils.select_proxy(self.base_url, self.proxies) is not None and \
            not self.base_url.startswith("https:")  # an HTTP proxy is sent the whole URL
        # a caller that hangs up halfway through its body is about that caller: never counted
        self.breaker = pybreaker.CircuitBreaker(fail_max=fail_max, reset_timeout=reset_timeout,
                                                name=name, exclude=[ClientDisconnected])

    @classmethod
    def from_env(cls, name: str, base_url: str) -> "ServiceClient":
        prefix = name.upper()
        return cls(name, base_url,
                   connect_timeout=float(os.environ.get(f"{prefix}_CONNECT_TIMEOUT", "1.0")),
                   read_timeout=float(os.environ.get(f"{prefix}_READ_TIMEOUT", "10.0")))

    def forward(self, incoming: Request, path: str) -> Response:
        """Send the incoming request on to this service and stream its answer back."""
        headers = {h: incoming.headers[h] for h in FORWARDED_REQUEST_HEADERS if h in incoming.headers}
        headers.update(gateway_headers(incoming.remote_addr, incoming.cookies.get(KNOWN_DEVICE)))
        body = _body_of(incoming)
        if body is None:  # GET and HEAD carry no body on to the service, so no body headers either
            headers.pop("Content-Length", None)
            headers.pop("Content-Type", None)
        return self._relay(self._guarded(self._send, incoming.method, path, incoming.query_string, headers, body))

    def _guarded(self, send, method, path, query, headers, body) -> Upstream:
        """The one error path of every call: the service's answer (5xx included) through the
        breaker; Problem 503 ``service_unavailable`` when it has none (refused, reset, breaker
        open), 504 ``gateway_timeout`` when it did not answer within the read timeout, 404 for
        an ambiguous path (which no caller may forward, and the breaker never counts)."""
        if ambiguous(path):
            raise Problem(404, "not_found", "No such endpoint.")
        try:
            return self.breaker.call(send, method, path, query, headers, body)
        except DownstreamFailure as failure:
            return failure.response
        except pybreaker.CircuitBreakerError:
            raise self._unavailable("is unavailable right now")
        except (HTTPError, OSError) as exc:
            if _timed_out(exc):
                raise Problem(504, "gateway_timeout", f"The {self.name} service did not answer in time.")
            raise self._unavailable("cannot be reached")

    def call(self, method: str, path: str, token: str | None, query: bytes = b"", json_body=None,
             body=None, content_type: str | None = None, client_address: str | None = None,
             known_device: str | None = None) -> Upstream:
        """One call of the portal's pages, as a partner's script would make it, through the
        same pool and error path as forwarded requests; the answer is read whole (``Upstream``
        with ``content``). Raises ``Problem`` 503 or 504 when the service is down or slow,
        also when its body breaks off or stalls."""
        headers = {"Accept": "application/json", **gateway_headers(client_address, known_device)}
        if token:
            headers["Authorization"] = f"Bearer {token}"
        if json_body is not None:
            body, content_type = json.dumps(json_body).encode(), "application/json"
        if content_type:
            headers["Content-Type"] = content_type
        if body is not None and not isinstance(body, bytes) and (length := _length_of(body)) is not None:
            headers["Content-Length"] = str(length)  # a file of known size (an upload): not chunked
        return self._guarded(self._send_whole, method, path, query, headers, body)

    def _send(self, method, path, query, headers, body) -> Upstream:
        """A forwarded request, its answer left unread. The request target is exactly the
        matched path (``routes.exact_target``), given to urllib3's pool as it is: requests'
        ``prepare_url`` (urllib3's ``parse_url``) would resolve ``..`` and ``%2e%2e`` segments."""
        target = exact_target(path, query)
        response = Upstream(self.pool.urlopen(
            method, f"{self.base_url if self.whole_url else self.base_path}{target}", body=body,
            headers={**DEFAULT_HEADERS, **headers},
            redirect=False, assert_same_host=False, preload_content=False, decode_content=False,
            retries=self.retry, timeout=self.timeout,
            chunked=not (isinstance(body, bytes) or body is None or "Content-Length" in headers)))
        if response.status_code in UNAVAILABLE_STATUSES:
            raise DownstreamFailure(response)
        return response

    def _send_whole(self, method, path, query, headers, body) -> Upstream:
        """``_send`` with the body read inside the breaker: a body that breaks off or stalls
        counts like an answer that never came."""
        try:
            response = self._send(method, path, query, headers, body)
        except DownstreamFailure as failure:
            failure.response.load()
            raise
        return response.load()

    def _unavailable(self, what: str) -> Problem:
        opened = getattr(self.breaker._state_storage, "opened_at", None)
        wait = self.breaker.reset_timeout
        if opened:
            wait = max(1, int(self.breaker.reset_timeout - (time.time() - opened.timestamp())))
        return Problem(503, "service_unavailable", f"The {self.name} service {what}.",
                       headers={"Retry-After": str(int(wait))})

    def _relay(self, upstream: Upstream) -> Response:
        # one value a name, repeated headers joined (what the services' answers always gave)
        headers = [(k, upstream.headers[k]) for k in upstream.headers if k.lower() not in HOP_BY_HOP]
        content_type = upstream.content_type
        if upstream.status_code >= 500 and "json" not in content_type:
            upstream.close()
            raise Problem(502, "bad_gateway", f"The {self.name} service failed.")
        if "json" in content_type:
            body = upstream.raw.read(MAX_JSON_BYTES + 1, decode_content=True)
            upstream.close()
            if len(body) > MAX_JSON_BYTES or not _is_json(body):
                raise Problem(502, "bad_gateway", f"The {self.name} service answered garbage.")
            return Response(body, status=upstream.status_code, headers=headers)
        stream = upstream.raw.stream(64 * 1024, decode_content=True)
        return Response(_closing(stream, upstream),
                        status=upstream.status_code, headers=headers)


KNOWN_DEVICE = "known_device"
KNOWN_DEVICE_VALUE = re.compile(r"[A-Za-z0-9_.\-]{1,2000}")


def gateway_headers(client_address: str | None, known_device: str | None = None) -> dict:
    """What the gateway adds to every call: its own view of the caller's address in
    X-Forwarded-For (never the caller's claim) with the proof that membership asks before
    believing it, and the caller's ``known_device`` cookie, the one cookie a service reads
    (membership's sign-in throttle exempts the owner's devices; API.md, second round)."""
    headers = {"X-Forwarded-For": client_address or ""}
    config = current_app.config.get("PORTAL") if has_app_context() else None
    if config is not None:
        headers[GATEWAY_PROOF_HEADER] = gateway_proof(config.operator_token)
    if known_device and KNOWN_DEVICE_VALUE.fullmatch(known_device):
        headers["Cookie"] = f"{KNOWN_DEVICE}={known_device}"
    return headers


def _timed_out(exc: Exception) -> bool:
    """A read timeout, whether raised plainly or wrapped in a retry error."""
    if isinstance(exc, MaxRetryError):
        return isinstance(exc.reason, ReadTimeoutError)
    return isinstance(exc, ReadTimeoutError)


class _SizedStream:
    """The incoming body, streamed on with its declared length (never chunked twice). A caller
    that hangs up before sending it all raises ``ClientDisconnected`` (400), so the service is
    never sent a short body to wait on."""

    def __init__(self, stream, length: int):
        self.stream, self.length, self.left = stream, length, length

    def __len__(self) -> int:
        return self.length

    def read(self, size: int = -1) -> bytes:
        chunk = self.stream.read(size)
        self.left -= len(chunk)
        if self.left > 0 and (not chunk or size < 0):
            raise ClientDisconnected()
        return chunk


def _body_of(incoming: Request):
    if incoming.method in ("GET", "HEAD"):
        return None
    if incoming.content_length == 0:
        return b""
    if incoming.content_length is not None:
        return _SizedStream(incoming.stream, incoming.content_length)
    return iter(lambda: incoming.stream.read(64 * 1024), b"")


def _length_of(stream) -> int | None:
    """What is left of a seekable file, in bytes; None for a stream of unknown length."""
    try:
        here = stream.tell()
        end = stream.seek(0, os.SEEK_END)
        stream.seek(here)
    except (AttributeError, OSError, ValueError):
        return None
    return end - here


def _is_json(body: bytes) -> bool:
    if not body:
        return True
    try:
        json.loads(body)
        return True
    except ValueError:
        return False


def _closing(chunks, upstream):
    try:
        yield from chunks
    finally:
        upstream.close()
