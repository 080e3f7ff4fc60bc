"""Deliveries as a partner's receiver sees them: signed per Standard Webhooks (verified with
the specification's own library), retried with the same webhook-id, never sent to a
non-public address, never following a redirect, bounded in time and size, and one slow
endpoint never delaying another's (API.md "Webhooks")."""
from __future__ import annotations

import json
import time
from datetime import timedelta

import pytest
import trustme
from sqlalchemy import update
from standardwebhooks.webhooks import WebhookVerificationError

from services.common.db import utcnow
from services.webhooks.models import EndpointSecret
from services.webhooks.notices import Notifier
from tests.support.procs import wait_until

from .conftest import settings

PUBLIC_ADDRESS = "93.184.216.34"


def test_a_delivery_verifies_with_the_standard_webhooks_library_and_carries_type_timestamp_and_data(webhooks, receiver):
    hook = receiver()
    endpoint = webhooks.register(hook.url(), events=["page.published", "expert.removed"])
    webhooks.event("expert.removed", {"partner_id": "partner-a", "freelancer_id": "f1", "reasons": ["jss_below_threshold"]})
    webhooks.event("asset.updated", {"partner_id": "partner-a"})  # not subscribed: not sent
    webhooks.start_worker()
    webhooks.wait_settled(endpoint["id"])
    [got] = hook.received
    body = got.verified_by(endpoint["secret"])
    assert body["type"] == "expert.removed" and body["data"]["reasons"] == ["jss_below_threshold"]
    assert body["timestamp"].endswith("Z") and got.headers["content-type"] == "application/json"
    [delivery] = webhooks.deliveries(endpoint["id"])
    assert got.headers["webhook-id"] == delivery.id and delivery.attempts == 1 and delivery.last_status_code == 200


def test_after_a_rotation_both_secrets_verify_until_the_old_one_expires(webhooks, receiver):
    hook = receiver()
    endpoint = webhooks.register(hook.url())
    rotated = webhooks.call("POST", f"partner-a/webhooks/{endpoint['id']}/rotate-secret")
    assert rotated.status_code == 200
    new_secret = rotated.get_json()["secret"]
    assert new_secret.startswith("whsec_") and new_secret != endpoint["secret"]
    webhooks.start_worker()
    webhooks.event("page.published", {"slug": "acme"})
    webhooks.wait_settled(endpoint["id"])
    first = hook.received[0]
    assert first.verified_by(endpoint["secret"]) == first.verified_by(new_secret)
    assert len(first.headers["webhook-signature"].split(" ")) == 2
    with webhooks.runtime.db.transaction() as session:  # 24 hours later
        session.execute(update(EndpointSecret).where(EndpointSecret.expires_at.is_not(None))
                        .values(expires_at=utcnow() - timedelta(seconds=1)))
    webhooks.event("page.published", {"slug": "acme"})
    webhooks.wait_settled(endpoint["id"], 2)
    second = hook.received[1]
    second.verified_by(new_secret)
    with pytest.raises(WebhookVerificationError):
        second.verified_by(endpoint["secret"])


def test_a_failing_endpoint_is_retried_with_the_same_webhook_id_and_the_delivery_fails_once_retries_are_spent(webhooks, receiver):
    hook = receiver()
    hook.status = 500
    endpoint = webhooks.register(hook.url())
    webhooks.event("page.published", {"slug": "acme"})
    webhooks.start_worker(settings(retry_delays=(0.2, 0.3)))
    webhooks.wait_settled(endpoint["id"], status="failed")
    assert len(hook.received) == 3
    assert len({r.headers["webhook-id"] for r in hook.received}) == 1
    assert hook.received[2].at - hook.received[1].at >= 0.3
    [delivery] = webhooks.deliveries(endpoint["id"])
    assert (delivery.attempts, delivery.last_status_code, delivery.next_attempt_at) == (3, 500, None)
    hook.status = 204
    redelivered = webhooks.call("POST", f"partner-a/webhooks/{endpoint['id']}/deliveries/{delivery.id}/redeliver")
    assert redelivered.status_code == 202
    webhooks.wait_settled(endpoint["id"])
    assert hook.received[-1].headers["webhook-id"] == delivery.id


def test_a_redirect_is_not_followed(webhooks, receiver):
    hook, elsewhere = receiver(), receiver()
    hook.mode, hook.redirect_to = "redirect", elsewhere.url()
    endpoint = webhooks.register(hook.url())
    webhooks.event("page.published", {"slug": "acme"})
    webhooks.start_worker(settings(retry_delays=(60.0,)))
    wait_until(lambda: webhooks.deliveries(endpoint["id"])[0].attempts == 1, 20, 0.05, "one attempt")
    assert webhooks.deliveries(endpoint["id"])[0].last_status_code == 302
    time.sleep(0.3)
    assert elsewhere.received == []


def test_an_answer_that_never_completes_ends_the_attempt_at_the_timeout_and_a_huge_answer_is_cut(webhooks, receiver):
    dripping, huge = receiver(), receiver()
    dripping.mode, huge.mode = "drip", "huge"
    slow = webhooks.register(dripping.url())
    big = webhooks.register(huge.url())
    webhooks.event("page.published", {"slug": "acme"})
    started = time.monotonic()
    webhooks.start_worker(settings(timeout=1.0, retry_delays=(60.0,)))
    webhooks.wait_settled(big["id"])
    wait_until(lambda: webhooks.deliveries(slow["id"])[0].attempts == 1, 10, 0.05, "the dripping attempt")
    assert time.monotonic() - started < 3.0
    assert webhooks.deliveries(slow["id"])[0].last_error.startswith("timeout")


def test_a_hanging_endpoint_does_not_delay_another_partners_endpoint(webhooks, receiver):
    hanging, healthy = receiver(), receiver()
    hanging.mode = "hang"
    stuck = webhooks.register(hanging.url())
    fine = webhooks.register(healthy.url(), account="carol", partner="partner-b")
    for n in range(30):
        webhooks.event("page.published", {"slug": f"a{n}"})
    webhooks.start_worker(settings(per_endpoint=3, concurrency=8, timeout=5.0))
    wait_until(lambda: len(hanging.received) >= 3, 10, 0.02, "the hanging endpoint to be busy")
    sent = time.monotonic()
    webhooks.event("page.published", {"slug": "b"}, partner="partner-b")
    webhooks.wait_settled(fine["id"], timeout=10)
    assert healthy.received[0].at - sent < 1.0
    assert len(hanging.received) == 3  # never more than per_endpoint at once
    assert all(d.status == "pending" for d in webhooks.deliveries(stuck["id"]))


def test_a_name_that_resolves_to_a_private_address_at_delivery_time_is_not_called(webhooks, receiver, tmp_path):
    """DNS rebinding: the name was public when registered, private when delivering. The
    receiver would accept the delivery (https, a certificate for the name), so only the
    pinned check keeps it out; with the check lifted, the same setup delivers."""
    ca = trustme.CA()
    ca.cert_pem.write_to_path(str(tmp_path / "ca.pem"))
    hook = receiver(tls_cert=ca.issue_cert("hooks.partner.example"))
    answers = iter([[PUBLIC_ADDRESS], ["127.0.0.1"]])
    rebinding = lambda host, port: next(answers)  # noqa: E731
    webhooks.app.extensions["webhook_settings"] = settings(allow_private=False)
    webhooks.app.extensions["webhook_resolver"] = rebinding
    endpoint = webhooks.register(hook.url(host="hooks.partner.example"))
    webhooks.event("page.published", {"slug": "acme"})
    webhooks.start_worker(settings(allow_private=False, retry_delays=(60.0,), ca_file=str(tmp_path / "ca.pem")),
                          resolve=rebinding)
    wait_until(lambda: webhooks.deliveries(endpoint["id"])[0].attempts == 1, 20, 0.05, "one attempt")
    assert webhooks.deliveries(endpoint["id"])[0].last_error.startswith("url_not_allowed")
    assert hook.received == []
    webhooks.stop_workers()
    webhooks.call("POST", f"partner-a/webhooks/{endpoint['id']}/deliveries/{webhooks.deliveries()[0].id}/redeliver")
    webhooks.start_worker(settings(allow_private=True, ca_file=str(tmp_path / "ca.pem")),
                          resolve=lambda host, port: ["127.0.0.1"])
    webhooks.wait_settled(endpoint["id"])
    [got] = hook.received  # over TLS to the pinned address, with the name as SNI and Host
    assert got.headers["host"] == f"hooks.partner.example:{hook.port}"
    got.verified_by(endpoint["secret"])


def test_an_endpoint_failing_for_the_whole_period_is_disabled_and_membership_is_asked_to_mail_its_admins(webhooks, receiver):
    hook, membership = receiver(), receiver()
    hook.status = 503
    endpoint = webhooks.register(hook.url())
    for n in range(3):
        webhooks.event("page.published", {"slug": f"s{n}"})
    config = webhooks.runtime.config
    membership_url = f"http://127.0.0.1:{membership.port}"
    notifier = Notifier(type(config)(**{**config.__dict__, "service_urls": {"membership": membership_url}}))
    webhooks.start_worker(settings(disable_after=0.5, retry_delays=(0.3,) * 10), notifier=notifier)
    wait_until(lambda: membership.received, 20, 0.1, "the notice to membership")
    [notice] = membership.received
    assert notice.path == "/internal/v1/partners/partner-a/admin-notices"
    assert notice.headers["authorization"] == "Bearer op" and notice.headers["idempotency-key"]
    assert hook.url() in json.loads(notice.body)["body"]
    shown = webhooks.call("GET", f"partner-a/webhooks/{endpoint['id']}").get_json()
    assert shown["enabled"] is False and shown["disabled_at"]
    assert {d.status for d in webhooks.deliveries(endpoint["id"])} == {"failed"}
    tried = len(hook.received)
    webhooks.event("page.published", {"slug": "later"})
    time.sleep(0.5)
    assert len(hook.received) == tried and len(webhooks.deliveries(endpoint["id"])) == 3
    enabled = webhooks.call("PATCH", f"partner-a/webhooks/{endpoint['id']}", json={"enabled": True})
    assert enabled.get_json()["enabled"] is True
