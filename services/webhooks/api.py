"""Webhooks' HTTP views: thin, every one scoped to a partner the caller belongs to
(API.md, "Partner members: new calls" and "Webhooks")."""
from __future__ import annotations

import uuid

from flask import current_app
from flask_smorest import Blueprint

from services.common.auth import require_member
from services.common.errors import Problem
from services.common.idempotency import idempotent
from services.common.members import require_admin, require_member_of
from services.common.pagination import decode_cursor, page
from services.common.webapp import current_runtime

from . import handlers, schemas
from .addresses import check_registration
from .domain import UrlNotAllowed
from .models import members

blp = Blueprint("webhooks", __name__, url_prefix="/api/v1/partners/<string:pid>/webhooks",
                description="Webhook endpoints, their secrets and deliveries")


class Scoped:
    """A transaction in which the caller is a member of ``pid`` (else 404) and, with
    ``admin``, its admin (else 403 ``admin_only``)."""

    def __init__(self, pid: str, admin: bool = False):
        self.pid, self.admin = pid, admin

    def __enter__(self):
        self._tx = current_runtime().db.transaction()
        session = self._tx.__enter__()
        role = require_member_of(session, members, self.pid)
        if self.admin:  # 403 admin_only for a member, forbidden for an API key
            require_admin(role, "Only the partner's admins manage webhooks.")
        return session

    def __exit__(self, *exc):
        return self._tx.__exit__(*exc)


def _check_url(url: str) -> None:
    """422 ``url_not_allowed`` unless the URL may be called (checked outside any transaction:
    resolving a name may take seconds)."""
    settings = current_app.extensions["webhook_settings"]
    try:
        check_registration(url, current_app.extensions["webhook_resolver"], settings.allow_private)
    except UrlNotAllowed as exc:
        raise Problem(422, "url_not_allowed", str(exc), errors={"url": [str(exc)]}) from None


@blp.post("")
@require_member
@idempotent
@blp.arguments(schemas.CreateWebhookSchema)
@blp.response(201, schemas.CreatedWebhookSchema)
def create(body, pid):
    """Register an endpoint for some events (admin only). The answer holds its `secret`
    (`whsec_...`), shown only here. Codes: 403 `admin_only`, 409 `webhook_limit_reached`
    (20 per partner), 422 `url_not_allowed` (not https, or a host that names or resolves to a
    loopback, private, link-local or metadata address), 422 `validation_error`."""
    with Scoped(pid, admin=True):
        pass  # who may ask is known before any name is resolved
    _check_url(body["url"])
    with Scoped(pid, admin=True) as session:
        endpoint, secret = handlers.create_endpoint(session, pid, body["url"], body["events"], body["description"])
        return {**handlers.presented(endpoint), "secret": secret}


@blp.get("")
@require_member
@blp.response(200, schemas.WebhookListSchema)
def list_webhooks(pid):
    """The partner's endpoints, oldest first (secrets are never shown again)."""
    with Scoped(pid) as session:
        return {"items": [handlers.presented(e) for e in handlers.endpoints_of(session, pid)], "next_cursor": None}


@blp.get("/<string:wid>")
@require_member
@blp.response(200, schemas.WebhookSchema)
def get_webhook(pid, wid):
    """One endpoint; 404 for another partner's."""
    with Scoped(pid) as session:
        return handlers.presented(handlers.endpoint_of(session, pid, wid))


@blp.patch("/<string:wid>")
@require_member
@blp.arguments(schemas.UpdateWebhookSchema)
@blp.response(200, schemas.WebhookSchema)
def update_webhook(body, pid, wid):
    """Change the URL (checked as at registration), events or description, or `enabled`
    (admin only)."""
    with Scoped(pid, admin=True) as session:
        handlers.endpoint_of(session, pid, wid)
    if "url" in body:
        _check_url(body["url"])
    with Scoped(pid, admin=True) as session:
        return handlers.presented(handlers.update_endpoint(session, handlers.endpoint_of(session, pid, wid), body))


@blp.delete("/<string:wid>")
@require_member
@blp.response(204)
def delete_webhook(pid, wid):
    """Remove the endpoint with its secrets and deliveries (admin only)."""
    with Scoped(pid, admin=True) as session:
        handlers.delete_endpoint(session, handlers.endpoint_of(session, pid, wid))


@blp.post("/<string:wid>/rotate-secret")
@require_member
@blp.response(200, schemas.SecretSchema)
def rotate_secret(pid, wid):
    """A new secret, shown only here (admin only). Deliveries are signed with the old one
    too for 24 hours, so receivers can switch without losing any."""
    with Scoped(pid, admin=True) as session:
        return {"secret": handlers.rotate_secret(session, handlers.endpoint_of(session, pid, wid))}


@blp.post("/<string:wid>/test")
@require_member
@blp.response(202, schemas.AcceptedSchema)
def send_test(pid, wid):
    """Send a `webhook.test` event to this endpoint (queued; see its deliveries). 409
    `webhook_disabled` while the endpoint is disabled."""
    with Scoped(pid) as session:
        delivery = handlers.queue_test(session, handlers.endpoint_of(session, pid, wid), str(uuid.uuid4()))
        return {"id": delivery.id}


@blp.get("/<string:wid>/deliveries")
@require_member
@blp.arguments(schemas.DeliveryQuerySchema, location="query")
@blp.response(200, schemas.DeliveryListSchema)
def list_deliveries(args, pid, wid):
    """The endpoint's deliveries, newest first, with their status, attempts, last answer
    code and next try; `status` filters. Paginated (`limit`, `cursor`)."""
    after = decode_cursor(args["cursor"], int)
    with Scoped(pid) as session:
        endpoint = handlers.endpoint_of(session, pid, wid)
        rows = handlers.deliveries_of(session, endpoint, args.get("status"), args["limit"], after and after[0])
        return page([handlers.presented_delivery(d) for d in rows], args["limit"], lambda item: [item["seq"]])


@blp.post("/<string:wid>/deliveries/<string:did>/redeliver")
@require_member
@blp.response(202, schemas.AcceptedSchema)
def redeliver(pid, wid, did):
    """Send a delivery again now, with the same `webhook-id`. 404 for an unknown delivery,
    409 `webhook_disabled` while the endpoint is disabled."""
    with Scoped(pid) as session:
        return {"id": handlers.redeliver(session, handlers.endpoint_of(session, pid, wid), did).id}
