"""Which addresses a webhook URL's host has, and whether they may be called.

A name is resolved once per check; every address it resolves to must be public (one
private address among public ones is refused: the client could pick it). The delivery
worker connects to the very address checked here (``transport``), so a name that
resolves elsewhere a second later (DNS rebinding) reaches nothing it should not."""
from __future__ import annotations

import ipaddress
import socket
from concurrent.futures import ThreadPoolExecutor
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Callable

from .domain import UrlNotAllowed, checked_url, refused_address

Resolver = Callable[[str, int], list]
"""``resolve(host, port)``: the IP addresses of ``host`` as strings; OSError when it has none."""
RESOLVE_SECONDS = 3.0
_lookups = ThreadPoolExecutor(max_workers=4, thread_name_prefix="resolve")


def system_resolver(host: str, port: int) -> list[str]:
    """The system's answer (getaddrinfo), each address once, in its order."""
    infos = socket.getaddrinfo(host, port, type=socket.SOCK_STREAM)
    return list(dict.fromkeys(info[4][0] for info in infos))


def bounded(resolve: Resolver, seconds: float = RESOLVE_SECONDS) -> Resolver:
    """``resolve`` given at most ``seconds`` (a slow name server never holds a web worker longer)."""

    def within(host: str, port: int) -> list[str]:
        try:
            return _lookups.submit(resolve, host, port).result(timeout=seconds)
        except FutureTimeout:
            raise OSError(f"no answer for {host} within {seconds:g} s") from None

    return within


def default_port(scheme: str) -> int:
    return 443 if scheme == "https" else 80


def callable_addresses(host: str, port: int, resolve: Resolver, allow_private: bool) -> list[str]:
    """The addresses to call for ``host``; ``UrlNotAllowed`` when it does not resolve or any
    of its addresses is not public (unless ``allow_private``)."""
    try:
        addresses = [str(ipaddress.ip_address(host))]
    except ValueError:
        try:
            addresses = list(resolve(host, port))
        except (OSError, UnicodeError) as exc:
            raise UrlNotAllowed(f"The host {host} does not resolve ({exc}).") from None
    if not addresses:
        raise UrlNotAllowed(f"The host {host} does not resolve.")
    if not allow_private:
        for address in addresses:
            reason = refused_address(address)
            if reason:
                raise UrlNotAllowed(f"The host {host} resolves to {reason}.")
    return addresses


def check_registration(url: str, resolve: Resolver, allow_private: bool) -> None:
    """A URL may be registered when its form is allowed and its host resolves to public
    addresses only (API.md "Webhooks": 422 ``url_not_allowed`` otherwise)."""
    parts = checked_url(url, allow_private)
    callable_addresses(parts.hostname, parts.port or default_port(parts.scheme), resolve, allow_private)
