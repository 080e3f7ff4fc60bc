"""Which service owns which path of the public contract (API.md)."""
from __future__ import annotations

import re

PARTNER = r"/api/v1/partners/[^/]+"
ROUTES: list[tuple[re.Pattern, str]] = [(re.compile(p), s) for p, s in [
    (r"^/api/v1/(accounts|sessions|me)$", "membership"),
    (r"^/api/v1/invitations(/[^/]+)*$", "membership"),
    (rf"^{PARTNER}/(members|invitations)(/[^/]+)*$", "membership"),
    (r"^/internal/v1/partners(/[^/]+)*$", "membership"),
    (r"^/internal/v1/(talent|verdicts|sweeps)([:/][^/]+)*$", "eligibility"),
    (rf"^{PARTNER}/assets(/[^/]+)*$", "assets"),
    (r"^/assets/[^/]+(/[^/]+)*$", "assets"),
    (rf"^{PARTNER}/(use-cases|talent|page|activity)(/[^/]+)*$", "catalog"),
]]


def owner_of(path: str) -> str | None:
    """The service that answers ``path``, or None when no service does."""
    for pattern, service in ROUTES:
        if pattern.match(path):
            return service
    return None
