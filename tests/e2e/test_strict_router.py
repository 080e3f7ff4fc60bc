"""Issue 16's high finding, as the attacker sent it: a raw request target with dot segments
(http.client sends it unnormalised) through the real suite under gunicorn, on both
configurations, straight to the gateway and through the visitor's way in (nginx in production).
Nothing reaches a service: the victim's public page and the attacker's assets stay as they were,
and the same trick reaches neither a service's /metrics nor membership's unrouted token minting."""
from __future__ import annotations

import http.client
from urllib.parse import urlsplit

import pytest
import requests

from tests.e2e.helpers import CORPUS, new_partner, publishable_page, sign_up

pytestmark = pytest.mark.e2e


def send_raw(base_url: str, method: str, target: str, token: str, body: bytes = b"") -> tuple[int, bytes]:
    parts = urlsplit(base_url)
    conn = http.client.HTTPConnection(parts.hostname, parts.port, timeout=30)
    try:
        conn.putrequest(method, target, skip_accept_encoding=True)
        conn.putheader("Authorization", f"Bearer {token}")
        conn.putheader("Content-Type", "image/svg+xml")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, answer.read()
    finally:
        conn.close()


@pytest.fixture(scope="module")
def victim_and_attacker(stack):
    victim = publishable_page(stack)
    pid, token = victim["partner"]["id"], victim["admin"]["token"]
    published = stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True})
    assert published.status_code == 200, published.text
    attacker = sign_up(stack, "Mallory")
    return victim, attacker, new_partner(stack, attacker)


def test_a_partner_cannot_put_its_logo_on_another_partners_page_with_dot_segments(stack, victim_and_attacker):
    victim, attacker, own = victim_and_attacker
    slug, victim_id = victim["partner"]["slug"], victim["partner"]["id"]
    page_before = stack.call("GET", f"/api/v1/public/pages/{slug}").json()
    logo = (CORPUS / "logo-24px.svg").read_bytes()
    for base in {stack.url, stack.url_of("gateway")}:  # the visitor's way in, and gunicorn itself
        for dots in ("%2e%2e", "%2E%2E", "..", "%252e%252e", ".%2e"):
            target = f"/api/v1/partners/{victim_id}/assets/{dots}/{dots}/{own['id']}/assets/logo-light"
            status, body = send_raw(base, "PUT", target, attacker["token"], logo)
            # the gateway answers 404; nginx may refuse a path above its root itself (400)
            assert status in ((404,) if base == stack.url_of("gateway") else (400, 404)), (base, target, body)
    assert stack.call("GET", f"/api/v1/public/pages/{slug}").json()["assets"] == page_before["assets"]
    assert stack.call("GET", f"/api/v1/partners/{own['id']}/assets", attacker["token"]).json()["items"] == []


def test_dot_segments_reach_no_services_metrics_and_no_unrouted_internal_call(stack, victim_and_attacker):
    _, attacker, _ = victim_and_attacker
    gateway = stack.url_of("gateway")
    for target, token in [("/api/v1/me/%2e%2e/%2e%2e/%2e%2e/metrics", attacker["token"]),
                          ("/api/v1/me/%2e%2e/%2e%2e/%2e%2e/openapi.json", attacker["token"]),
                          (f"/internal/v1/partners/%2e%2e/accounts/{attacker['id']}/tokens", stack.operator_token),
                          (f"/internal/v1/partners/..%2faccounts/{attacker['id']}/tokens", stack.operator_token)]:
        status, body = send_raw(gateway, "POST" if "tokens" in target else "GET", target, token)
        assert status == 404 and b'"not_found"' in body, (target, status, body[:200])


def test_metrics_and_readiness_are_on_the_admin_port_only(stack):
    for path in ("/metrics", "/readyz"):
        assert requests.get(f"{stack.url_of('gateway')}{path}", timeout=5).status_code == 404
        assert requests.get(f"{stack.admin_url}{path}", timeout=5).status_code == 200
    assert requests.get(f"{stack.url_of('gateway')}/healthz", timeout=5).status_code == 200
    assert "portal_http_requests_total" in requests.get(f"{stack.admin_url}/metrics", timeout=5).text
