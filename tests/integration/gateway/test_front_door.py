"""The front door stays predictable when services hang, fail or answer garbage."""
from __future__ import annotations

import time

import pytest

from gateway.app import create_app
from services.common.config import Config
from tests.integration.gateway.test_public_pages import publish
from tests.support.badserver import BadServer
from tests.support.infra import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def gateway_with(tmp_path, monkeypatch):
    made = []

    def build(mode: str):
        server = BadServer(mode)
        monkeypatch.setenv("CATALOG_READ_TIMEOUT", "1.0")
        env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
               "PORTAL_GATEWAY_PORT": str(free_port()), "CATALOG_URL": server.url,
               "MEMBERSHIP_URL": f"http://127.0.0.1:{free_port()}"}
        app = create_app(Config.from_env("gateway", env))
        app.config["RUNTIME"].migrate()
        made.append((app, server))
        return app

    yield build
    for app, server in made:
        server.stop()
        app.config["RUNTIME"].close()


USE_CASES = "/api/v1/partners/p-1/use-cases"


def test_a_hanging_service_gets_a_504_within_the_timeout(gateway_with):
    client = gateway_with("hang").test_client()
    started = time.monotonic()
    answer = client.get(USE_CASES)
    assert time.monotonic() - started < 5
    assert answer.status_code == 504
    assert answer.get_json()["code"] == "gateway_timeout"


def test_a_service_that_answers_garbage_gets_a_502(gateway_with):
    answer = gateway_with("garbage").test_client().get(USE_CASES)
    assert answer.status_code == 502
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.get_json()["code"] == "bad_gateway"


def test_a_service_that_is_down_gets_a_503_and_public_pages_stay_up(gateway_with):
    app = gateway_with("error")
    publish(app)
    client = app.test_client()
    down = client.get("/api/v1/partners/p-1/members")  # membership's port has nobody listening
    assert down.status_code == 503
    assert down.get_json()["code"] == "service_unavailable"
    assert client.get("/experts/acme").status_code == 200


def test_the_circuit_opens_after_repeated_failures_and_answers_503_at_once(gateway_with):
    client = gateway_with("error").test_client()
    for _ in range(5):
        client.get(USE_CASES)
    started = time.monotonic()
    answer = client.get(USE_CASES)
    assert time.monotonic() - started < 0.5
    assert answer.status_code == 503
    assert answer.get_json()["code"] == "service_unavailable"
    assert int(answer.headers["Retry-After"]) >= 1


def test_every_answer_carries_the_security_headers(gateway_with):
    client = gateway_with("error").test_client()
    for path in ("/healthz", "/experts/nope", "/api/v1/nothing", "/sitemap.xml"):
        headers = client.get(path).headers
        assert headers["X-Content-Type-Options"] == "nosniff"
        assert headers["Referrer-Policy"] == "strict-origin-when-cross-origin"
        assert "frame-ancestors 'none'" in headers["Content-Security-Policy"]
    html = client.get("/experts/nope").headers["Content-Security-Policy"]
    assert "script-src 'self'" in html and "unsafe-inline" not in html
    secure = client.get("/healthz", base_url="https://portal.example.com")
    assert secure.headers["Strict-Transport-Security"].startswith("max-age=")


def test_bodies_over_the_limit_and_very_long_urls_are_refused(gateway_with):
    client = gateway_with("error").test_client()
    big = client.post("/api/v1/accounts", data=b"x" * (2 * 1024 * 1024), content_type="application/json")
    assert big.status_code == 413 and big.get_json()["code"] == "file_too_large"
    long_url = client.get("/api/v1/" + "a" * 5000)
    assert long_url.status_code == 414 and long_url.get_json()["code"] == "uri_too_long"


def test_metrics_count_requests_by_route_not_by_raw_path(gateway_with):
    client = gateway_with("error").test_client()
    client.get("/experts/one")
    client.get("/experts/two")
    text = client.get("/metrics").get_data(as_text=True)
    assert 'portal_http_requests_total{method="GET",route="/experts/<slug>",service="gateway",status="404"}' in text
    assert "/experts/one" not in text
    assert "portal_http_request_duration_seconds_bucket" in text
