"""The partner a service acted for, named in its answer (``X-Partner-Id``).

The gateway's write-through (gateway/frontdoor/proxy.py ``after_write``) refreshes the public page
of the partner the *service* says it wrote for, never one it read from the request path
itself: a path the two read differently must not put one partner's write on another's page
(issue 16)."""
from __future__ import annotations

from flask import Flask, request

PARTNER_HEADER = "X-Partner-Id"


def name_the_partner(app: Flask) -> None:
    """Every successful answer of a partner route (``<pid>`` in its rule) carries
    ``X-Partner-Id: <pid>`` as this service routed it."""

    @app.after_request
    def _name_partner(response):
        partner_id = (request.view_args or {}).get("pid")
        if isinstance(partner_id, str) and response.status_code < 300:
            response.headers[PARTNER_HEADER] = partner_id
        return response
