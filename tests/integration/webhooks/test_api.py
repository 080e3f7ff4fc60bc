"""Webhooks' API refuses what it must with a stable code and never a 500, whatever it is
sent (the contract's conventions; API.md "Webhooks")."""
from __future__ import annotations

import pytest

from .conftest import settings


def test_hostile_bodies_get_a_stable_code_never_a_server_error(webhooks):
    bodies = [
        None, "not json", [], {"url": 5, "events": ["page.published"]}, {"url": "https://x.example/", "events": "page.published"},
        {"url": "https://x.example/", "events": []}, {"url": "https://x.example/", "events": ["page.published"] * 2},
        {"url": "https://x.example/", "events": ["nope"]}, {"url": "", "events": ["page.published"]},
        {"url": "https://[::1/", "events": ["page.published"]}, {"url": "https://ü" * 300 + ".example/", "events": ["page.published"]},
        {"url": "https://x.example/", "events": ["page.published"], "extra": 1},
        {"url": "https://x.example/", "events": ["page.published"], "description": "d" * 501},
        {"url": "http://x" + "\u2028" + ".example/", "events": ["page.published"]},
        {"url": "https://" + "a" * 64 + ".example/", "events": ["page.published"]},
    ]
    for body in bodies:
        kwargs = {"data": body} if isinstance(body, str) else {"json": body}
        answer = webhooks.call("POST", "partner-a/webhooks", **kwargs)
        assert answer.status_code in (400, 422), (body, answer.status_code, answer.get_data(as_text=True)[:300])
        assert answer.get_json()["code"] in ("invalid_json", "validation_error", "url_not_allowed"), body


def test_without_allow_private_only_https_on_public_addresses_is_registered(webhooks):
    webhooks.app.extensions["webhook_settings"] = settings(allow_private=False)
    webhooks.app.extensions["webhook_resolver"] = lambda host, port: {"public.example": ["93.184.216.34"]}.get(host, ["10.1.2.3"])
    for url in ("http://public.example/in", "https://127.0.0.1/in", "https://[::ffff:169.254.169.254]/",
                "https://internal.example/in", "https://localhost/"):
        answer = webhooks.call("POST", "partner-a/webhooks", json={"url": url, "events": ["page.published"]})
        assert (answer.status_code, answer.get_json()["code"]) == (422, "url_not_allowed"), url
        assert answer.get_json()["errors"]["url"]
    assert webhooks.call("POST", "partner-a/webhooks",
                         json={"url": "https://public.example/in", "events": ["page.published"]}).status_code == 201
    hook = webhooks.call("GET", "partner-a/webhooks").get_json()["items"][0]
    moved = webhooks.call("PATCH", f"partner-a/webhooks/{hook['id']}", json={"url": "https://internal.example/"})
    assert (moved.status_code, moved.get_json()["code"]) == (422, "url_not_allowed")


@pytest.mark.parametrize("query", ["limit=0", "limit=201", "limit=x", "status=lost", "cursor=abc",
                                   "cursor=" + "a" * 3000])
def test_bad_deliveries_queries_are_400(webhooks, query):
    hook = webhooks.register("http://127.0.0.1:9/in")
    answer = webhooks.call("GET", f"partner-a/webhooks/{hook['id']}/deliveries?{query}")
    assert answer.status_code == 400 and answer.get_json()["code"] in ("invalid_parameter", "invalid_cursor")


def test_a_partner_has_at_most_twenty_webhooks(webhooks):
    for _ in range(20):
        webhooks.register("http://127.0.0.1:9/in")
    answer = webhooks.call("POST", "partner-a/webhooks", json={"url": "http://127.0.0.1:9/in", "events": ["page.published"]})
    assert (answer.status_code, answer.get_json()["code"]) == (409, "webhook_limit_reached")


def test_a_disabled_endpoint_is_not_tested_until_enabled_again(webhooks):
    hook = webhooks.register("http://127.0.0.1:9/in")
    assert webhooks.call("PATCH", f"partner-a/webhooks/{hook['id']}", json={"enabled": False}).get_json()["enabled"] is False
    refused = webhooks.call("POST", f"partner-a/webhooks/{hook['id']}/test")
    assert (refused.status_code, refused.get_json()["code"]) == (409, "webhook_disabled")
    assert webhooks.call("PATCH", f"partner-a/webhooks/{hook['id']}", json={"enabled": True}).status_code == 200
    assert webhooks.call("POST", f"partner-a/webhooks/{hook['id']}/test").status_code == 202
    assert webhooks.call("PATCH", f"partner-a/webhooks/{hook['id']}", json={}).status_code == 422
