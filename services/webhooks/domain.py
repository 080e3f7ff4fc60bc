"""The rules of webhooks, pure Python: which events a partner may subscribe to, which URLs
and addresses may be called, how a delivery is signed and when it is tried again.

Sources: API.md "Webhooks" and its details section (second round); the Standard Webhooks
specification (https://www.standardwebhooks.com/, "Signature scheme") for the headers and
the signature; RFC 6890 and the IANA special-purpose address registries for the addresses
that are not public."""
from __future__ import annotations

import base64
import hashlib
import hmac
import ipaddress
import json
import secrets
from datetime import datetime, timezone
from urllib.parse import SplitResult, urlsplit

EVENTS = ("page.published", "page.unpublished", "expert.approved", "expert.declined", "expert.removed",
          "expert.at_risk", "asset.updated", "member.joined", "member.removed")
"""What an endpoint may subscribe to (API.md "Webhooks"); ``webhook.test`` is sent on demand."""
TEST_EVENT = "webhook.test"
SECRET_PREFIX = "whsec_"
SECRET_BYTES = 32
OLD_SECRET_HOURS = 24           # after a rotation the old secret signs alongside the new one
RETRY_DELAYS = (5.0, 300.0, 1800.0, 7200.0, 18000.0, 36000.0, 36000.0)
"""Seconds before each retry: 5 s, 5 min, 30 min, 2 h, 5 h, 10 h, 10 h (27 h 35 min in all)."""
MAX_URL_CHARS = 2000
METADATA_ADDRESSES = frozenset(ipaddress.ip_address(a) for a in ("169.254.169.254", "fd00:ec2::254",
                                                                 "100.100.100.200"))
NAT64 = ipaddress.ip_network("64:ff9b::/96")


class UrlNotAllowed(Exception):
    """This URL may not be called (422 ``url_not_allowed``); the message says why."""


def checked_url(url: str, allow_private: bool = False) -> SplitResult:
    """``url`` split, when its form may be registered: ``https`` (``http`` too with
    ``allow_private``), a host, no user name or password, no fragment, a valid port.
    Whether its host's addresses are public is ``refused_address``'s question."""
    if len(url) > MAX_URL_CHARS:
        raise UrlNotAllowed(f"The URL is longer than {MAX_URL_CHARS} characters.")
    try:
        parts = urlsplit(url)
        port = parts.port
    except ValueError as exc:
        raise UrlNotAllowed(f"The URL cannot be read: {exc}.") from None
    schemes = ("https", "http") if allow_private else ("https",)
    if parts.scheme not in schemes:
        raise UrlNotAllowed("Only https URLs are accepted.")
    if not parts.hostname:
        raise UrlNotAllowed("The URL names no host.")
    if parts.username is not None or parts.password is not None:
        raise UrlNotAllowed("The URL may not carry a user name or password.")
    if parts.fragment or "#" in url:
        raise UrlNotAllowed("The URL may not carry a fragment.")
    if port == 0:
        raise UrlNotAllowed("The URL's port is not valid.")
    if any(ch.isspace() or ord(ch) < 0x20 or ord(ch) == 0x7F for ch in url):
        raise UrlNotAllowed("The URL may not contain spaces or control characters.")
    return parts


def refused_address(address: str) -> str | None:
    """Why an IP address is not a public one (None when it is): loopback, private, shared
    (CGNAT), link-local, multicast, reserved, unspecified, documentation, cloud metadata, or
    an IPv6 address embedding one of these IPv4 addresses (IPv4-mapped, 6to4, Teredo, NAT64)."""
    try:
        ip = ipaddress.ip_address(address.split("%", 1)[0])
    except ValueError:
        return "not an IP address"
    if ip in METADATA_ADDRESSES:
        return "a cloud metadata address"
    if ip.version == 6:
        embedded = ip.ipv4_mapped or ip.sixtofour or (ip.teredo[1] if ip.teredo else None) or (
            ipaddress.IPv4Address(int(ip) & 0xFFFFFFFF) if ip in NAT64 else None)
        if embedded is not None:
            reason = refused_address(str(embedded))
            return reason and f"{reason} (inside an IPv6 address)"
    for kind in ("loopback", "link_local", "multicast", "unspecified", "reserved", "private"):
        if getattr(ip, f"is_{kind}"):
            return f"a {kind.replace('_', '-')} address"
    if not ip.is_global:
        return "not a public address"
    return None


def new_secret() -> str:
    """A signing secret: ``whsec_`` and 32 random bytes in base64 (Standard Webhooks)."""
    return SECRET_PREFIX + base64.b64encode(secrets.token_bytes(SECRET_BYTES)).decode()


def secret_key(secret: str) -> bytes:
    return base64.b64decode(secret.removeprefix(SECRET_PREFIX))


def signature(secrets_: list[str], webhook_id: str, timestamp: int, body: bytes) -> str:
    """The ``webhook-signature`` header: ``v1,<base64 HMAC-SHA256 of "id.timestamp.body">``
    for each live secret, separated by spaces (Standard Webhooks, "Signature scheme")."""
    signed = f"{webhook_id}.{timestamp}.".encode() + body
    return " ".join("v1," + base64.b64encode(hmac.new(secret_key(s), signed, hashlib.sha256).digest()).decode()
                    for s in secrets_)


def new_webhook_id() -> str:
    """A delivery's ``webhook-id``: the same on every attempt and every redelivery."""
    return "msg_" + secrets.token_hex(16)


def body(event_type: str, occurred_at: datetime, data: dict) -> str:
    """What a delivery sends: ``{type, timestamp, data}`` as compact JSON (API.md "Webhooks")."""
    when = occurred_at.astimezone(timezone.utc).isoformat().replace("+00:00", "Z")
    return json.dumps({"type": event_type, "timestamp": when, "data": data}, separators=(",", ":"),
                      ensure_ascii=False)


def retry_delay(attempts_made: int, delays: tuple[float, ...] = RETRY_DELAYS) -> float | None:
    """Seconds to wait before the next attempt after ``attempts_made`` failed ones; None once
    the retries are spent (the delivery is then ``failed``)."""
    return delays[attempts_made - 1] if 1 <= attempts_made <= len(delays) else None


def succeeded(status: int | None) -> bool:
    """A 2xx answer is success; a redirect is not followed and counts as a failure."""
    return status is not None and 200 <= status < 300
