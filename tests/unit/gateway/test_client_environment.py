"""The gateway's service clients read the environment's proxy settings once, when built, not
on every forwarded request (requests would scan the whole environment each time)."""
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask, request

from gateway.clients import ServiceClient


class Answer(BaseHTTPRequestHandler):
    def do_GET(self):
        self.send_response(200)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


@pytest.fixture
def service():
    server = ThreadingHTTPServer(("127.0.0.1", 0), Answer)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def forward(client: ServiceClient):
    with Flask("t").test_request_context("/internal/v1/talent/fl-1", method="GET"):
        return client.forward(request, request.path)


def test_a_proxy_set_in_the_environment_after_start_is_not_looked_up_per_request(service, monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy"):
        monkeypatch.delenv(name, raising=False)
    client = ServiceClient("eligibility", service)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    assert forward(client).status_code == 200


def test_a_proxy_in_the_environment_at_start_is_used(monkeypatch):
    for name in ("NO_PROXY", "no_proxy", "ALL_PROXY", "all_proxy", "http_proxy"):
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    client = ServiceClient("eligibility", "http://eligibility:8000")
    assert client.session.proxies["http"] == "http://proxy.example:3128"
