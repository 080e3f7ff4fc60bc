"""Webhooks' rules without a database: which URLs and addresses may be called (API.md
"Webhooks"), and signatures as the Standard Webhooks library verifies them."""
from __future__ import annotations

import json
import time
from datetime import datetime, timezone

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from services.webhooks import domain
from services.webhooks.addresses import callable_addresses, check_registration
from services.webhooks.domain import UrlNotAllowed

NOT_PUBLIC = [
    "127.0.0.1", "127.8.9.10", "10.0.0.1", "172.16.5.4", "192.168.1.1", "169.254.169.254", "169.254.1.1",
    "100.64.0.1", "100.100.100.200", "0.0.0.0", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
    "192.0.2.1", "198.18.0.1", "::1", "::", "fe80::1", "fc00::1", "fd00:ec2::254", "ff02::1",
    "::ffff:127.0.0.1", "::ffff:169.254.169.254", "::ffff:10.0.0.1", "2002:7f00:1::", "2002:a9fe:a9fe::1",
    "64:ff9b::a9fe:a9fe", "2001:db8::1",
]
PUBLIC = ["93.184.216.34", "8.8.8.8", "1.1.1.1", "2606:4700:4700::1111", "2a00:1450:4001:80b::200e",
          "::ffff:8.8.8.8"]


@pytest.mark.parametrize("address", NOT_PUBLIC)
def test_loopback_private_link_local_metadata_and_reserved_addresses_are_refused(address):
    assert domain.refused_address(address) is not None


@pytest.mark.parametrize("address", PUBLIC)
def test_public_addresses_are_callable(address):
    assert domain.refused_address(address) is None


@pytest.mark.parametrize("url", [
    "http://example.com/hook", "ftp://example.com/", "https://", "https://user:pw@example.com/",
    "https://example.com/#frag", "https://exa mple.com/", "https://example.com:0/", "https://example.com:99999/",
    "javascript:alert(1)", "https://example.com/\r\nX: y", "https://" + "a" * 2000 + ".com/",
])
def test_urls_of_the_wrong_form_are_refused_at_registration(url):
    with pytest.raises(UrlNotAllowed):
        check_registration(url, lambda host, port: ["93.184.216.34"], allow_private=False)


@pytest.mark.parametrize("url,answer", [
    ("https://127.0.0.1/hook", None), ("https://[::1]/hook", None), ("https://169.254.169.254/latest/", None),
    ("https://[::ffff:127.0.0.1]/", None), ("https://2130706433/", ["127.0.0.1"]),
    ("https://localhost/hook", ["127.0.0.1", "::1"]), ("https://rebind.example/", ["93.184.216.34", "10.0.0.5"]),
    ("https://metadata.example/", ["fd00:ec2::254"]),
])
def test_a_url_that_names_or_resolves_to_a_non_public_address_is_refused(url, answer):
    with pytest.raises(UrlNotAllowed):
        check_registration(url, lambda host, port: answer or [], allow_private=False)


def test_a_host_that_does_not_resolve_is_refused():
    def nowhere(host, port):
        raise OSError("Name or service not known")
    with pytest.raises(UrlNotAllowed, match="does not resolve"):
        check_registration("https://nowhere.invalid/", nowhere, allow_private=False)


def test_allow_private_lifts_both_the_address_rule_and_https_only():
    check_registration("http://127.0.0.1:8080/hook", lambda h, p: [], allow_private=True)
    assert callable_addresses("localhost", 80, lambda h, p: ["127.0.0.1"], allow_private=True) == ["127.0.0.1"]
    with pytest.raises(UrlNotAllowed):
        check_registration("ftp://127.0.0.1/", lambda h, p: [], allow_private=True)


def test_a_public_https_url_is_accepted():
    check_registration("https://hooks.example.com:8443/in?x=1", lambda h, p: ["93.184.216.34"], allow_private=False)


def test_the_standard_webhooks_library_verifies_a_signature_under_each_live_secret():
    old, new = domain.new_secret(), domain.new_secret()
    assert old.startswith("whsec_") and old != new
    body = domain.body("page.published", datetime(2026, 1, 2, 3, 4, 5, tzinfo=timezone.utc), {"slug": "acme", "ü": "é"})
    webhook_id, timestamp = domain.new_webhook_id(), int(time.time())
    headers = {"webhook-id": webhook_id, "webhook-timestamp": str(timestamp),
               "webhook-signature": domain.signature([new, old], webhook_id, timestamp, body.encode())}
    for secret in (old, new):
        assert Webhook(secret).verify(body.encode(), headers) == json.loads(body)
    assert json.loads(body) == {"type": "page.published", "timestamp": "2026-01-02T03:04:05Z",
                                "data": {"slug": "acme", "ü": "é"}}
    with pytest.raises(WebhookVerificationError):
        Webhook(domain.new_secret()).verify(body.encode(), headers)
    with pytest.raises(WebhookVerificationError):
        Webhook(new).verify(body.encode() + b" ", headers)


def test_retries_grow_over_more_than_a_day_then_stop():
    delays = [domain.retry_delay(n) for n in range(1, 9)]
    assert delays[-1] is None and all(a < b or a == b == 36000 for a, b in zip(delays, delays[1:-1]))
    assert sum(d for d in delays if d) >= 24 * 3600
