"""A partner's systems plug in: every webhook call of the contract through the gateway, and
the bus events partners subscribe to arriving at a receiver, signed as the Standard Webhooks
library verifies (API.md "Partner members: new calls" and "Webhooks"), on both configurations.
The stack runs with WEBHOOKS_ALLOW_PRIVATE=1, so the receiver may listen on 127.0.0.1."""
from __future__ import annotations

import uuid

import pytest
from standardwebhooks.webhooks import WebhookVerificationError

from tests.e2e.helpers import (eventually_ok, later, new_partner, publishable_page, put_talent, sign_up,
                               upload)
from tests.support.mail import Mailbox
from tests.support.procs import wait_until
from tests.support.receiver import Receiver

pytestmark = pytest.mark.e2e
EVERY_EVENT = ["page.published", "page.unpublished", "expert.approved", "expert.declined", "expert.removed",
               "expert.at_risk", "asset.updated", "member.joined", "member.removed"]


@pytest.fixture
def receiver():
    hook = Receiver()
    yield hook
    hook.stop()


def arrived(receiver: Receiver, secret: str, event_type: str, timeout: float = 20, **data) -> tuple:
    """The first delivery of ``event_type`` (with ``data`` among its data) the receiver got,
    verified under ``secret`` (deliveries signed only by other secrets are passed over):
    (body, headers)."""
    def find():
        for got in list(receiver.received):
            try:
                body = got.verified_by(secret)
            except WebhookVerificationError:
                continue
            if body["type"] == event_type and all(body["data"].get(k) == v for k, v in data.items()):
                return body, got.headers
        return None
    return wait_until(find, timeout, 0.1, f"a {event_type} delivery")


def join(stack, admin: dict, pid: str) -> dict:
    coworker = sign_up(stack, "Coworker")
    sent = stack.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"], json={"emails": [coworker["email"]]})
    assert sent.status_code == 201, sent.text
    token = Mailbox.of_stack(stack).link(coworker["email"], "invitations")
    assert stack.call("POST", "/api/v1/invitations/accept", coworker["token"], json={"token": token}).status_code == 200
    return coworker


def test_every_webhook_call_of_the_contract_and_the_membership_and_asset_events(stack, receiver):
    admin = sign_up(stack)
    pid = new_partner(stack, admin)["id"]
    base = f"/api/v1/partners/{pid}/webhooks"
    eventually_ok(stack, base, admin["token"])
    key = {"Idempotency-Key": uuid.uuid4().hex}
    body = {"url": receiver.url(), "events": EVERY_EVENT, "description": "CRM sync"}
    created = stack.call("POST", base, admin["token"], json=body, headers=dict(key))
    assert created.status_code == 201, created.text
    hook = created.json()
    assert hook["secret"].startswith("whsec_") and hook["events"] == EVERY_EVENT and hook["enabled"] is True
    assert stack.call("POST", base, admin["token"], json=body, headers=dict(key)).json() == hook  # same answer
    wid, secret = hook["id"], hook["secret"]

    listed = stack.call("GET", base, admin["token"]).json()
    assert [h["id"] for h in listed["items"]] == [wid] and "secret" not in listed["items"][0]
    assert stack.call("GET", f"{base}/{wid}", admin["token"]).json()["description"] == "CRM sync"
    patched = stack.call("PATCH", f"{base}/{wid}", admin["token"], json={"description": "CRM"})
    assert patched.status_code == 200 and patched.json()["description"] == "CRM"

    assert stack.call("POST", f"{base}/{wid}/test", admin["token"]).status_code == 202
    test_body, test_headers = arrived(receiver, secret, "webhook.test")
    assert test_body["data"]["webhook_id"] == wid

    coworker = join(stack, admin, pid)
    joined, _ = arrived(receiver, secret, "member.joined", account_id=coworker["id"])
    assert joined["data"] == {"partner_id": pid, "account_id": coworker["id"], "role": "member"}
    assert upload(stack, admin["token"], pid, "logo-light", "logo-24.svg").status_code == 200
    asset, _ = arrived(receiver, secret, "asset.updated", kind="logo-light")
    assert asset["data"]["url"].startswith("http") and len(asset["data"]["sha256"]) == 64

    # a member sees webhooks but may not manage them; another partner's admin sees nothing
    assert stack.call("GET", base, coworker["token"]).status_code == 200
    for method, path in (("POST", base), ("PATCH", f"{base}/{wid}"), ("DELETE", f"{base}/{wid}"),
                         ("POST", f"{base}/{wid}/rotate-secret")):
        refused = stack.call(method, path, coworker["token"], json=body if method == "POST" else {"description": "x"})
        assert (refused.status_code, refused.json()["code"]) == (403, "admin_only"), (method, path)
    stranger = sign_up(stack, "Stranger")
    other = new_partner(stack, stranger)["id"]
    eventually_ok(stack, f"/api/v1/partners/{other}/webhooks", stranger["token"])
    for method, path in (("GET", f"{base}/{wid}"), ("PATCH", f"{base}/{wid}"), ("DELETE", f"{base}/{wid}"),
                         ("POST", f"{base}/{wid}/test"), ("GET", f"{base}/{wid}/deliveries"),
                         ("POST", f"{base}/{wid}/rotate-secret")):
        foreign = stack.call(method, path.replace(pid, other), stranger["token"], json={"description": "x"})
        assert foreign.status_code == 404, (method, path, foreign.text)
        assert stack.call(method, path, stranger["token"], json={"description": "x"}).status_code == 404

    rotated = stack.call("POST", f"{base}/{wid}/rotate-secret", admin["token"])
    assert rotated.status_code == 200
    new_secret = rotated.json()["secret"]
    assert stack.call("DELETE", f"/api/v1/partners/{pid}/members/{coworker['id']}", admin["token"]).status_code == 204
    arrived(receiver, new_secret, "member.removed", account_id=coworker["id"])
    arrived(receiver, secret, "member.removed", account_id=coworker["id"])  # the old one signs too, for 24 hours

    deliveries = wait_until(lambda: (d := stack.call("GET", f"{base}/{wid}/deliveries", admin["token"]).json())
                            and all(i["status"] == "succeeded" for i in d["items"]) and len(d["items"]) >= 4 and d,
                            20, 0.2, "every delivery to succeed")
    item = deliveries["items"][0]
    assert set(item) >= {"id", "event_id", "event_type", "status", "attempts", "last_status_code", "next_attempt_at",
                         "created_at"} and item["last_status_code"] == 200 and item["attempts"] == 1
    first = stack.call("GET", f"{base}/{wid}/deliveries?limit=1", admin["token"]).json()
    second = stack.call("GET", f"{base}/{wid}/deliveries?limit=1&cursor={first['next_cursor']}", admin["token"]).json()
    assert [first["items"][0]["id"], second["items"][0]["id"]] == [i["id"] for i in deliveries["items"][:2]]
    altered = stack.call("GET", f"{base}/{wid}/deliveries?cursor={first['next_cursor'][:-2]}xy", admin["token"])
    assert (altered.status_code, altered.json()["code"]) == (400, "invalid_cursor")

    test_id = next(i["id"] for i in deliveries["items"] if i["event_type"] == "webhook.test")
    assert test_headers["webhook-id"] == test_id
    before = len(receiver.received)
    assert stack.call("POST", f"{base}/{wid}/deliveries/{test_id}/redeliver", admin["token"]).status_code == 202
    wait_until(lambda: len(receiver.received) > before, 20, 0.1, "the redelivery")
    assert receiver.received[-1].headers["webhook-id"] == test_id
    assert stack.call("POST", f"{base}/{wid}/deliveries/msg_nope/redeliver", admin["token"]).status_code == 404

    not_allowed = stack.call("POST", base, admin["token"], json={**body, "url": "ftp://127.0.0.1/in"})
    assert (not_allowed.status_code, not_allowed.json()["code"]) == (422, "url_not_allowed")
    unknown_event = stack.call("POST", base, admin["token"], json={**body, "events": ["page.deleted"]})
    assert (unknown_event.status_code, unknown_event.json()["code"]) == (422, "validation_error")
    assert stack.call("DELETE", f"{base}/{wid}", admin["token"]).status_code == 204
    assert stack.call("GET", f"{base}/{wid}", admin["token"]).status_code == 404


def test_page_and_expert_events_reach_a_subscribed_endpoint(stack, receiver):
    setup = publishable_page(stack)
    admin, pid, uid = setup["admin"], setup["partner"]["id"], setup["use_case_id"]
    token, talent = admin["token"], setup["talent"]
    hook = stack.call("POST", f"/api/v1/partners/{pid}/webhooks", token,
                      json={"url": receiver.url(), "events": EVERY_EVENT}).json()
    secret = hook["secret"]
    assert stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True}).ok
    published, _ = arrived(receiver, secret, "page.published")
    assert published["data"]["partner_id"] == pid and published["data"]["public_url"].endswith(
        f"/experts/{published['data']['slug']}")
    declined_id, removed_doc, risky_doc = talent[0]["freelancer_id"], talent[1], talent[2]
    assert stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{declined_id}/decline", token).ok
    declined, _ = arrived(receiver, secret, "expert.declined", freelancer_id=declined_id)
    assert declined["data"]["use_case_id"] == uid and declined["data"]["decided_by"] == admin["id"]
    assert stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts",
                      token, json={"freelancer_ids": [declined_id]}).status_code == 201
    assert stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{declined_id}/approve", token).ok
    arrived(receiver, secret, "expert.approved", freelancer_id=declined_id)
    put_talent(stack, {**removed_doc, "jss": 50, "updated_at": later(removed_doc["updated_at"])})
    removed, _ = arrived(receiver, secret, "expert.removed", freelancer_id=removed_doc["freelancer_id"])
    assert removed["data"]["reasons"] == ["jss_below_threshold"] and removed["data"]["decided_by"] == "system"
    put_talent(stack, {**risky_doc, "jss": 81, "updated_at": later(risky_doc["updated_at"])})
    at_risk, _ = arrived(receiver, secret, "expert.at_risk", freelancer_id=risky_doc["freelancer_id"])
    assert at_risk["data"]["partner_id"] == pid and at_risk["data"]["jss"] == 81
    assert stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": False}).ok
    arrived(receiver, secret, "page.unpublished")


def test_an_endpoint_that_keeps_failing_is_disabled_and_the_partners_admin_gets_a_mail(stack):
    """The stack disables after 3 s of failures (three days in production): the second failed
    attempt, 5 s after the first, disables the endpoint and membership mails the admin."""
    admin = sign_up(stack)
    pid = new_partner(stack, admin)["id"]
    base = f"/api/v1/partners/{pid}/webhooks"
    eventually_ok(stack, base, admin["token"])
    closed = Receiver()
    url = closed.url("/gone")
    closed.stop()  # nothing listens there any more
    wid = stack.call("POST", base, admin["token"], json={"url": url, "events": ["page.published"]}).json()["id"]
    assert stack.call("POST", f"{base}/{wid}/test", admin["token"]).status_code == 202
    disabled = wait_until(lambda: (h := stack.call("GET", f"{base}/{wid}", admin["token"]).json())["enabled"] is False
                          and h, 30, 0.2, "the endpoint to be disabled")
    assert disabled["disabled_at"] and disabled["failing_since"]
    [delivery] = stack.call("GET", f"{base}/{wid}/deliveries", admin["token"]).json()["items"]
    assert (delivery["status"], delivery["attempts"], delivery["last_status_code"]) == ("failed", 2, None)
    mail = wait_until(lambda: Mailbox.of_stack(stack).to(admin["email"], url), 30, 0.2, "the mail to the admin")
    assert "disabled" in mail[0]["Subject"]
    refused = stack.call("POST", f"{base}/{wid}/test", admin["token"])
    assert (refused.status_code, refused.json()["code"]) == (409, "webhook_disabled")
