"""The gateway as a strict router (API.md "Changed rules", DESIGN.md "Second round"): which
service owns which path of the public contract, which request paths are too ambiguous to
route at all, and the exact request target a matched path is forwarded as.

A request's path is read once: the raw request target as the client sent it (gunicorn's
``RAW_URI``, werkzeug's ``REQUEST_URI``) and the decoded ``PATH_INFO`` must both be plain,
or the request is refused with 404 before any route matching. Plain means: no ``.`` or
``..`` segment (literal, percent-encoded in any case, or a Unicode look-alike), no empty
segment (``//``), no encoded ``/`` or ``\\`` and no raw ``\\``, no ``%`` left after one
decoding (``%252e``), no ``;`` path parameters, no NUL or other control characters, and
valid UTF-8 (overlong forms are invalid). What is matched is forwarded as exactly that
path, re-quoted from its decoded form (RFC 3986 section 2), so nothing downstream can
resolve it to another one."""
from __future__ import annotations

import re
import unicodedata
from urllib.parse import quote, unquote_to_bytes

P = "/api/v1/partners/{pid}"
CONTRACT: dict[str, tuple[str, ...]] = {
    "membership": (
        "/api/v1/accounts", "/api/v1/accounts/verify", "/api/v1/sessions",
        "/api/v1/me", "/api/v1/me/password", "/api/v1/me/totp", "/api/v1/me/totp/confirm",
        "/api/v1/password-resets", "/api/v1/password-resets/confirm", "/api/v1/invitations/accept",
        f"{P}/members", f"{P}/members/{{account_id}}",
        f"{P}/invitations", f"{P}/invitations/{{invitation_id}}", f"{P}/invitations/{{invitation_id}}/resend",
        f"{P}/api-keys", f"{P}/api-keys/{{key_id}}",
        "/internal/v1/partners",
    ),
    "eligibility": (
        "/internal/v1/talent/{freelancer_id}", "/internal/v1/talent:bulk",
        "/internal/v1/verdicts", "/internal/v1/verdicts/history", "/internal/v1/sweeps",
    ),
    "catalog": (
        f"{P}/use-cases", f"{P}/use-cases/{{uid}}",
        f"{P}/use-cases/{{uid}}/experts", f"{P}/use-cases/{{uid}}/experts:decide",
        f"{P}/use-cases/{{uid}}/experts/{{fid}}/approve", f"{P}/use-cases/{{uid}}/experts/{{fid}}/decline",
        f"{P}/use-cases/{{uid}}/offerings", f"{P}/use-cases/{{uid}}/offerings/{{oid}}",
        f"{P}/talent", f"{P}/page", f"{P}/page/published",
        f"{P}/page/preview-links", f"{P}/page/preview-links/{{link_id}}", f"{P}/activity",
    ),
    "assets": (
        f"{P}/assets", f"{P}/assets/{{kind}}", f"{P}/assets/{{kind}}/versions",
        "/assets/{partner_id}/{name}",
    ),
    "webhooks": (
        f"{P}/webhooks", f"{P}/webhooks/{{wid}}", f"{P}/webhooks/{{wid}}/rotate-secret", f"{P}/webhooks/{{wid}}/test",
        f"{P}/webhooks/{{wid}}/deliveries", f"{P}/webhooks/{{wid}}/deliveries/{{did}}/redeliver",
    ),
}
"""Every path the gateway forwards, as templates: ``{name}`` is one whole path segment."""
OWN: tuple[str, ...] = (f"{P}/analytics",)
"""API paths of the contract the gateway answers itself (gateway/public/reports.py): never
forwarded, so ``owner_of`` names no service for them."""


def _compile(template: str) -> re.Pattern:
    parts = re.split(r"(\{[^}]+\})", template)
    return re.compile("".join("[^/]+" if p.startswith("{") else re.escape(p) for p in parts) + r"\Z")


ROUTES: list[tuple[re.Pattern, str]] = [(_compile(t), s) for s, templates in CONTRACT.items() for t in templates]
PATH_SAFE = "/:@!$&'()*+,=-._~"  # pchar of RFC 3986 without ';' (refused) and '%' (always quoted)
QUERY_SAFE = PATH_SAFE + ";?%[]"  # a query goes on as sent, only bytes HTTP does not allow quoted
ENCODED_SEPARATORS = ("%2f", "%5c", "%25")  # '/', '\' and '%' itself: meaning would change on decoding
FORBIDDEN = re.compile(r"[\x00-\x1f\x7f\\;%#?]")  # controls, backslash, parameters, a second decoding, query or fragment
SCHEME = re.compile(r"^[A-Za-z][A-Za-z0-9+.-]*://")


def owner_of(path: str) -> str | None:
    """The service that answers the decoded ``path``, or None when no service does (an
    ambiguous path included)."""
    if ambiguous(path):
        return None
    for pattern, service in ROUTES:
        if pattern.match(path):
            return service
    return None


def ambiguous(path: str) -> str | None:
    """Why the decoded path (a ``str`` of Unicode text) could mean two things, or None."""
    if not path.startswith("/"):
        return "not an absolute path"
    if FORBIDDEN.search(path):
        return "a control character, backslash, ';', '%', '?' or '#' in the decoded path"
    if path == "/":
        return None
    for segment in path[1:].split("/"):
        if segment in ("", ".", ".."):
            return "an empty, '.' or '..' segment"
        if not segment.isascii():
            folded = unicodedata.normalize("NFKC", segment)
            if folded in (".", "..") or "/" in folded or "\\" in folded:
                return "a segment that reads as '.', '..' or a separator once normalised"
    return None


def refusal(environ: dict) -> str | None:
    """Why this WSGI request's path is ambiguous (raw request target and ``PATH_INFO``), or None."""
    wsgi_path = environ.get("SCRIPT_NAME", "") + environ.get("PATH_INFO", "")
    try:
        path = wsgi_path.encode("latin-1").decode("utf-8")  # WSGI strings carry bytes as latin-1
    except UnicodeError:
        return "the path is not UTF-8"
    raw = environ.get("RAW_URI") or environ.get("REQUEST_URI")
    if raw is not None:
        raw_path = _path_of(raw)
        if raw_path is None:
            return "an unusual request target"
        lowered = raw_path.lower()
        if any(encoded in lowered for encoded in ENCODED_SEPARATORS) or "\\" in raw_path:
            return "an encoded separator or percent sign in the request target"
        if unquote_to_bytes(raw_path) != path.encode("utf-8"):
            return "the request target decodes to another path than the server's"
    return ambiguous(path)


def _path_of(raw: str) -> str | None:
    """The path of a raw request target (origin-form or absolute-form), query cut off."""
    if SCHEME.match(raw):
        rest = raw.split("://", 1)[1]
        cut = min((i for i in (rest.find("/"), rest.find("?")) if i >= 0), default=len(rest))
        raw = rest[cut:] if cut < len(rest) and rest[cut] == "/" else "/"
    if not raw.startswith("/"):
        return None
    path = raw.split("?", 1)[0]
    return None if "#" in path else path


def exact_target(path: str, query: bytes | str = b"") -> str:
    """The request target a matched decoded ``path`` is forwarded as: each character outside
    RFC 3986's pchar percent-encoded, nothing resolved. Raises ``ValueError`` for an ambiguous
    path: no caller may forward one."""
    reason = ambiguous(path)
    if reason:
        raise ValueError(f"refusing to forward an ambiguous path ({reason})")
    query = query.encode("latin-1") if isinstance(query, str) else query  # WSGI's bytes, as sent
    target = quote(path, safe=PATH_SAFE)
    return f"{target}?{quote(query, safe=QUERY_SAFE)}" if query else target
