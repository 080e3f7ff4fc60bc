"""Integrations: the partner's API keys and webhook endpoints (API.md "Partner members: new
calls"). Every member sees them; admins create, revoke, test, rotate and redeliver (the
services refuse anyone else). A new key or secret is shown once, on the answer to the form
that made it: never flashed (the session cookie is signed, not encrypted) nor stored."""
from __future__ import annotations

from flask import redirect, render_template, request, url_for
from marshmallow import fields, validate

from . import backend, forms
from .blueprint import partner_page, portal

EVENTS = {
    "page.published": "Page published", "page.unpublished": "Page unpublished",
    "expert.approved": "Expert approved", "expert.declined": "Expert declined",
    "expert.removed": "Expert removed automatically", "expert.at_risk": "Expert at risk",
    "asset.updated": "Brand asset updated", "member.joined": "Member joined", "member.removed": "Member removed",
}
DELIVERY_STATUSES = {"pending": "Waiting", "succeeded": "Delivered", "failed": "Failed"}


class ApiKeyForm(forms._Form):
    name = fields.String(required=True, validate=validate.Length(min=1, max=80))


class WebhookForm(forms._Form):
    url = fields.String(required=True, validate=validate.Length(min=8, max=2000))
    description = fields.String(load_default="", validate=validate.Length(max=500))


# -- API keys

@portal.get("/portal/p/<pid>/api-keys")
@partner_page
def api_keys(pid):
    return _keys_page(pid)


def _keys_page(pid: str, new_key: dict | None = None, values=None, errors=None, status: int = 200):
    keys = backend.get(f"/api/v1/partners/{pid}/api-keys")["items"]
    return render_template("portal/api_keys.html", keys=keys, new_key=new_key, values=values or {},
                           errors=errors or {}), status


@portal.post("/portal/p/<pid>/api-keys")
@partner_page
def create_api_key(pid):
    """The new key on this page, once; the list below it already holds its name."""
    values, errors = forms.read(ApiKeyForm, request.form)
    if not errors:
        answer = backend.call("POST", f"/api/v1/partners/{pid}/api-keys", json={"name": values["name"]})
        if answer.ok:
            return _keys_page(pid, new_key=answer.data, status=201)
        errors = {"name": ["Only the team's admins can create API keys." if answer.status == 403 else answer.message]}
    return _keys_page(pid, values=values, errors=errors, status=422)


@portal.post("/portal/p/<pid>/api-keys/<key_id>/revoke")
@partner_page
def revoke_api_key(pid, key_id):
    backend.report(backend.call("DELETE", f"/api/v1/partners/{pid}/api-keys/{key_id}"),
                   "API key revoked: it stops working within 5 seconds.")
    return redirect(url_for("portal.api_keys", pid=pid), 303)


# -- webhooks

@portal.get("/portal/p/<pid>/webhooks")
@partner_page
def webhooks(pid):
    return _webhooks_page(pid)


def _webhooks_page(pid: str, created: dict | None = None, values=None, errors=None, status: int = 200):
    endpoints = backend.get(f"/api/v1/partners/{pid}/webhooks")["items"]
    return render_template("portal/webhooks.html", endpoints=endpoints, created=created, values=values or {},
                           errors=errors or {}, events=EVENTS), status


@portal.post("/portal/p/<pid>/webhooks")
@partner_page
def create_webhook(pid):
    values, errors = forms.read(WebhookForm, request.form)
    chosen = [e for e in request.form.getlist("events") if e in EVENTS]
    values["events"] = chosen
    if not chosen:
        errors = {**errors, "events": ["Choose at least one event."]}
    if not errors:
        answer = backend.call("POST", f"/api/v1/partners/{pid}/webhooks",
                              json={"url": values["url"], "events": chosen, "description": values["description"]})
        if answer.ok:
            return _webhooks_page(pid, created=answer.data, status=201)
        errors = {"url": ["Only the team's admins can add webhooks." if answer.status == 403 else answer.message]}
    return _webhooks_page(pid, values=values, errors=errors, status=422)


@portal.get("/portal/p/<pid>/webhooks/<wid>")
@partner_page
def webhook(pid, wid):
    return _webhook_page(pid, wid)


def _webhook_page(pid: str, wid: str, secret: str | None = None):
    base = f"/api/v1/partners/{pid}/webhooks/{wid}"
    endpoint = backend.get(base)
    cursor = request.args.get("cursor", "")[:2048]
    deliveries = backend.get(f"{base}/deliveries", cursor=cursor or None)
    return render_template("portal/webhook.html", endpoint=endpoint, deliveries=deliveries["items"],
                           next_cursor=deliveries.get("next_cursor"), secret=secret, events=EVENTS,
                           statuses=DELIVERY_STATUSES)


@portal.post("/portal/p/<pid>/webhooks/<wid>/rotate-secret")
@partner_page
def rotate_webhook_secret(pid, wid):
    """The new secret on this page, once; the old one keeps signing for 24 hours."""
    answer = backend.call("POST", f"/api/v1/partners/{pid}/webhooks/{wid}/rotate-secret")
    if answer.ok:
        return _webhook_page(pid, wid, secret=answer.data["secret"])
    backend.report(answer, "")
    return redirect(url_for("portal.webhook", pid=pid, wid=wid), 303)


@portal.post("/portal/p/<pid>/webhooks/<wid>/test")
@partner_page
def test_webhook(pid, wid):
    backend.report(backend.call("POST", f"/api/v1/partners/{pid}/webhooks/{wid}/test"),
                   "Test event queued: it shows below once sent.")
    return redirect(url_for("portal.webhook", pid=pid, wid=wid), 303)


@portal.post("/portal/p/<pid>/webhooks/<wid>/deliveries/<did>/redeliver")
@partner_page
def redeliver_webhook(pid, wid, did):
    backend.report(backend.call("POST", f"/api/v1/partners/{pid}/webhooks/{wid}/deliveries/{did}/redeliver"),
                   "Delivery queued again, with the same webhook-id.")
    return redirect(url_for("portal.webhook", pid=pid, wid=wid), 303)


@portal.post("/portal/p/<pid>/webhooks/<wid>/delete")
@partner_page
def delete_webhook(pid, wid):
    answer = backend.report(backend.call("DELETE", f"/api/v1/partners/{pid}/webhooks/{wid}"), "Webhook deleted.")
    if answer.ok:
        return redirect(url_for("portal.webhooks", pid=pid), 303)
    return redirect(url_for("portal.webhook", pid=pid, wid=wid), 303)
