"""Every answer under /api/v1/ and /internal/ carries Cache-Control: no-store, errors
included, from the gateway and from each service called on its own port; /api/v1/public/
stays cacheable (API.md, Details of the second round)."""
import http.client
from urllib.parse import urlsplit

import pytest

from .helpers import new_partner, sign_up

pytestmark = pytest.mark.e2e


def raw_get(base: str, target: str) -> http.client.HTTPResponse:
    """GET with the request target exactly as written (no client-side normalisation)."""
    parts = urlsplit(base)
    connection = http.client.HTTPConnection(parts.hostname, parts.port, timeout=15)
    connection.request("GET", target)
    answer = connection.getresponse()
    answer.read()
    connection.close()
    return answer


def test_every_private_answer_is_no_store_and_public_pages_stay_cacheable(stack):
    admin = sign_up(stack)
    pid = new_partner(stack, admin)["id"]
    token, operator = admin["token"], stack.operator_token
    calls = [
        ("POST", "/api/v1/sessions", None, {"email": admin["email"], "password": admin["password"]}, 200),
        ("POST", "/api/v1/sessions", None, {"email": admin["email"], "password": "wrong password"}, 401),
        ("POST", "/api/v1/accounts", None, {"email": admin["email"], "password": "x", "name": "x"}, 422),
        ("POST", "/api/v1/accounts/verify", None, {"token": "guessed"}, 404),
        ("GET", "/api/v1/me", token, None, 200),
        ("GET", "/api/v1/me", "not-a-token", None, 401),
        ("GET", f"/api/v1/partners/{pid}/members", token, None, 200),
        ("GET", f"/api/v1/partners/{pid}/use-cases", token, None, 200),
        ("GET", f"/api/v1/partners/{pid}/assets", token, None, 200),
        ("GET", "/api/v1/partners/someone-elses/page", token, None, 404),
        ("POST", "/internal/v1/partners", operator, {"name": "x"}, 422),
        ("GET", "/internal/v1/verdicts", operator, None, None),
        ("GET", "/api/v1/no-such-route", token, None, 404),
    ]
    for method, path, bearer, body, status in calls:
        answer = stack.call(method, path, bearer, json=body)
        assert status is None or answer.status_code == status, (path, answer.status_code, answer.text[:200])
        assert answer.headers.get("Cache-Control") == "no-store", (method, path, answer.headers)
    refused = raw_get(stack.url, f"/api/v1/partners/{pid}/%2e%2e/members")  # refused by the strict router
    assert refused.status == 404 and refused.getheader("Cache-Control") == "no-store"
    public = stack.call("GET", "/api/v1/public/pages/no-such-page")
    assert public.status_code == 404 and public.headers.get("Cache-Control") != "no-store"


def test_each_service_on_its_own_port_answers_no_store_too(stack):
    for part, path in (("membership", "/api/v1/me"), ("catalog", "/api/v1/partners/x/use-cases"),
                       ("assets", "/api/v1/partners/x/assets"), ("eligibility", "/internal/v1/verdicts"),
                       ("membership", "/internal/v1/partners")):
        answer = raw_get(stack.url_of(part), path)
        assert answer.getheader("Cache-Control") == "no-store", (part, path, answer.status)
    keys = raw_get(stack.url_of("membership"), "/.well-known/jwks.json")
    assert keys.getheader("Cache-Control") == "public, max-age=300"  # public keys stay cacheable
