"""The front door stays predictable when services hang, fail or answer garbage."""
from __future__ import annotations

import json
import socket
import threading
import time
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
import requests

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
        catalog = f"http://127.0.0.1:{free_port()}" if mode == "down" else server.url  # "down": nobody listens
        env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
               "PORTAL_GATEWAY_PORT": str(free_port()), "CATALOG_URL": catalog,
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


@pytest.mark.parametrize("mode", ["unavailable", "down"])
def test_the_circuit_opens_after_repeated_failures_and_answers_503_at_once(gateway_with, mode):
    """A service that answers 503, or that nobody listens for, opens the breaker."""
    client = gateway_with(mode).test_client()
    for _ in range(5):
        client.get(USE_CASES)
    started = time.monotonic()
    answer = client.get(USE_CASES)
    assert time.monotonic() - started < 0.5
    assert answer.status_code == 503
    assert answer.get_json()["code"] == "service_unavailable"
    assert int(answer.headers["Retry-After"]) >= 1
    assert "is unavailable right now" in answer.get_json()["detail"]  # the breaker's answer, not the service's


def test_a_service_that_answers_500_again_and_again_never_opens_the_circuit(gateway_with):
    client = gateway_with("error").test_client()
    answers = [client.get(USE_CASES).status_code for _ in range(20)]
    assert answers == [502] * 20  # each 500 (not JSON) passed on as bad_gateway, none as 503


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


def test_metrics_count_requests_by_route_not_by_raw_path(gateway_with, monkeypatch):
    monkeypatch.setenv("GATEWAY_ADMIN_PORT", "9109")
    client = gateway_with("error").test_client()
    client.get("/experts/one")
    client.get("/experts/two")
    assert client.get("/metrics").status_code == 404  # not on the public port
    text = client.get("/metrics", base_url="http://127.0.0.1:9109").get_data(as_text=True)
    assert 'portal_http_requests_total{method="GET",route="/experts/<slug>",service="gateway",status="404"}' in text
    assert "/experts/one" not in text
    assert "portal_http_request_duration_seconds_bucket" in text


class OneTenantFails(BaseHTTPRequestHandler):
    """A catalog whose answers to partner p-bad's requests are 500 (bad input it chokes on)."""

    protocol_version = "HTTP/1.1"

    def do_GET(self):
        failing = self.path.startswith("/api/v1/partners/p-bad/")
        body = json.dumps({"code": "internal_error", "status": 500} if failing else {"items": []}).encode()
        self.send_response(500 if failing else 200)
        self.send_header("Content-Type", "application/problem+json" if failing else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_one_tenants_stream_of_500s_leaves_another_tenant_answered(tmp_path):
    """Issue 16: twelve requests of one member that made catalog answer 500 opened the breaker
    and another partner got 503 for ten seconds. A 500 is about one request: never counted."""
    service = ThreadingHTTPServer(("127.0.0.1", 0), OneTenantFails)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "CATALOG_URL": f"http://127.0.0.1:{service.server_address[1]}"}
    app = create_app(Config.from_env("gateway", env))
    try:
        client = app.test_client()
        bad = [client.get("/api/v1/partners/p-bad/talent", query_string={"cursor": "WyJhYmMiXQ"})
               for _ in range(30)]
        assert {answer.status_code for answer in bad} == {500}
        good = client.get("/api/v1/partners/p-good/talent")
        assert good.status_code == 200 and good.get_json() == {"items": []}
        assert app.extensions["clients"]["catalog"].breaker.current_state == "closed"
    finally:
        service.shutdown()
        app.config["RUNTIME"].close()


class ReadsWholeBody(BaseHTTPRequestHandler):
    """A service that reads the declared body before answering, as Flask does."""

    def do_POST(self):
        self.rfile.read(int(self.headers.get("Content-Length", "0")))
        body = json.dumps({"id": "uc-1", "name": "x", "description": ""}).encode()
        self.send_response(201)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_GET(self):
        body = b'{"items": []}'
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


def test_callers_that_hang_up_halfway_through_a_body_never_open_the_circuit(tmp_path):
    """Issue 16 (found behind the strict router): eight POSTs that sent half their body and hung
    up made the gateway answer 503 to everyone for about 50 s: the short body counted as the
    service failing. A caller that goes away is about that caller, never counted."""
    from werkzeug.serving import make_server

    service = ThreadingHTTPServer(("127.0.0.1", 0), ReadsWholeBody)
    threading.Thread(target=service.serve_forever, daemon=True).start()
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "CATALOG_URL": f"http://127.0.0.1:{service.server_address[1]}",
           "CATALOG_READ_TIMEOUT": "2"}
    app = create_app(Config.from_env("gateway", env))
    gateway = make_server("127.0.0.1", 0, app, threaded=True)
    threading.Thread(target=gateway.serve_forever, daemon=True).start()
    port = gateway.server_port
    try:
        for _ in range(8):
            with socket.create_connection(("127.0.0.1", port)) as half:
                half.sendall(b"POST /api/v1/partners/p-1/use-cases HTTP/1.1\r\nHost: x\r\n"
                             b"Content-Type: application/json\r\nContent-Length: 4000\r\n\r\n" + b"{" * 100)
                time.sleep(0.05)
        time.sleep(0.5)  # the gateway has seen every hang-up
        started = time.monotonic()
        answer = requests.post(f"http://127.0.0.1:{port}/api/v1/partners/p-2/use-cases",
                               json={"name": "Design"}, timeout=10)
        assert answer.status_code == 201, answer.text
        assert time.monotonic() - started < 2
        assert app.extensions["clients"]["catalog"].breaker.current_state == "closed"
    finally:
        gateway.shutdown()
        service.shutdown()
        app.config["RUNTIME"].close()
