"""How the gateway forwards a request to a service: the environment's proxy settings read
once, bodies streamed on whole, answers passed back as the service gave them, and nothing of
one caller's answer carried into another caller's request."""
import io
import socket
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest
from flask import Flask, request
from werkzeug.test import EnvironBuilder

from gateway.frontdoor.clients import ServiceClient
from services.common.errors import Problem

PROXY_VARIABLES = ("NO_PROXY", "no_proxy", "HTTP_PROXY", "http_proxy", "ALL_PROXY", "all_proxy")


class Service(BaseHTTPRequestHandler):
    """Answers every request, records what it got, and sets a cookie."""

    protocol_version = "HTTP/1.1"
    seen: list = []

    def do_GET(self):
        self.seen.append((self.command, dict(self.headers), b""))
        self._answer(b"%PDF-1.7 not json" if self.path.endswith(".pdf") else b'{"ok": true}')

    def do_PUT(self):
        if self.headers.get("Transfer-Encoding") == "chunked":
            body = b""
            while (size := int(self.rfile.readline(), 16)):
                body += self.rfile.read(size)
                self.rfile.readline()
            self.rfile.readline()
        else:
            body = self.rfile.read(int(self.headers["Content-Length"]))
        self.seen.append((self.command, dict(self.headers), body))
        self._answer(b'{"ok": true}')

    def _answer(self, body: bytes):
        self.send_response(200)
        self.send_header("Content-Type", "application/pdf" if body.startswith(b"%PDF") else "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header("Set-Cookie", "session=of-the-first-caller")
        self.send_header("Vary", "Accept")
        self.send_header("Vary", "Authorization")
        self.end_headers()
        self.wfile.write(body)

    def log_message(self, *args):
        pass


@pytest.fixture
def service():
    Service.seen = []
    server = ThreadingHTTPServer(("127.0.0.1", 0), Service)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield f"http://127.0.0.1:{server.server_address[1]}"
    server.shutdown()


def forward(client: ServiceClient, path="/internal/v1/talent/fl-1", method="GET", chunked=False, **kwargs):
    environ = EnvironBuilder(path=path, method=method, **kwargs).get_environ()
    if chunked:  # a body of unknown length, as a chunked upload arrives
        del environ["CONTENT_LENGTH"]
        environ["wsgi.input_terminated"] = True
    with Flask("t").request_context(environ):
        answer = client.forward(request, request.path)
        return answer.status_code, dict(answer.headers), b"".join(answer.response)


def test_a_proxy_set_in_the_environment_after_start_is_not_looked_up_per_request(service, monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    client = ServiceClient("eligibility", service)
    monkeypatch.setenv("HTTP_PROXY", "http://127.0.0.1:9")  # nothing listens there
    assert forward(client)[0] == 200


def test_a_proxy_in_the_environment_at_start_is_used(monkeypatch):
    for name in PROXY_VARIABLES:
        monkeypatch.delenv(name, raising=False)
    monkeypatch.setenv("HTTP_PROXY", "http://proxy.example:3128")
    client = ServiceClient("eligibility", "http://eligibility:8000")
    assert client.proxies["http"] == "http://proxy.example:3128"
    assert (client.pool.host, client.pool.port, client.whole_url) == ("proxy.example", 3128, True)


def test_a_cookie_a_service_sets_is_never_sent_on_a_later_callers_request(service):
    client = ServiceClient("eligibility", service)
    forward(client, headers={"Authorization": "Bearer first"})
    forward(client, headers={"Authorization": "Bearer second"})
    first, second = (headers for _, headers, _ in Service.seen)
    assert "Cookie" not in second and second["Authorization"] == "Bearer second"


def test_a_cookie_a_service_sets_on_a_portal_call_is_not_kept_either(service):
    client = ServiceClient("membership", service)
    client.call("GET", "/api/v1/me", "first")
    client.call("GET", "/api/v1/me", "second")
    assert "Cookie" not in Service.seen[1][1]


def test_bodies_reach_the_service_whole_with_or_without_a_length(service):
    client = ServiceClient("eligibility", service)
    sized = forward(client, method="PUT", data=b'{"name": "Ada"}', content_type="application/json")
    chunked = forward(client, method="PUT", data=b"line 1\nline 2\n", content_type="application/x-ndjson",
                      chunked=True)
    assert sized[0] == chunked[0] == 200
    assert [body for _, _, body in Service.seen] == [b'{"name": "Ada"}', b"line 1\nline 2\n"]
    assert Service.seen[1][1]["Transfer-Encoding"] == "chunked"


def test_an_answer_comes_back_as_the_service_gave_it(service):
    client = ServiceClient("assets", service)
    status, headers, body = forward(client, path="/assets/report.pdf")
    assert (status, body) == (200, b"%PDF-1.7 not json")
    assert headers["Content-Type"] == "application/pdf" and headers["Vary"] == "Accept, Authorization"
    assert "Keep-Alive" not in headers and "Connection" not in headers


def test_a_portal_call_reads_the_whole_answer_through_the_same_pool(service):
    client = ServiceClient("membership", service)
    answer = client.call("GET", "/api/v1/me", "token")
    assert (answer.status_code, answer.json(), answer.content) == (200, {"ok": True}, b'{"ok": true}')
    assert answer.headers.get("content-type") == answer.headers["Content-Type"] == "application/json"
    assert answer.headers.get("vary") == "Accept, Authorization"  # a repeated header, joined
    assert answer.headers.get("Set-Cookie") == "session=of-the-first-caller"
    assert client.pool.num_connections == 1 and client.pool.pool.qsize() == client.pool.pool.maxsize  # given back


def test_a_portal_upload_from_a_file_is_sent_with_its_length_not_chunked(service):
    client = ServiceClient("assets", service)
    client.call("PUT", "/api/v1/partners/p-1/assets/logo", "token", body=io.BytesIO(b"\x89PNG rest"),
                content_type="application/octet-stream")
    _, headers, body = Service.seen[0]
    assert (body, headers["Content-Length"], "Transfer-Encoding" in headers) == (b"\x89PNG rest", "9", False)


def broken_off(answer_with: bytes):
    """A service that sends ``answer_with`` and then hangs up, whatever it promised."""
    listener = socket.create_server(("127.0.0.1", 0))

    def serve():
        with listener:
            while True:
                try:
                    conn, _ = listener.accept()
                except OSError:
                    return
                with conn:
                    conn.recv(65536)
                    conn.sendall(answer_with)
    threading.Thread(target=serve, daemon=True).start()
    return listener, f"http://127.0.0.1:{listener.getsockname()[1]}"


@pytest.mark.parametrize("read_timeout, answer_with, status, code", [
    (10.0, b"", 503, "service_unavailable"),  # connection closed without an answer
    (10.0, b"HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 100\r\n\r\n{\"it", 503,
     "service_unavailable"),  # a body broken off halfway
    (0.3, None, 504, "gateway_timeout"),  # no answer within the read timeout
])
def test_a_portal_call_fails_the_way_a_forwarded_one_does(read_timeout, answer_with, status, code):
    if answer_with is None:  # accepts and never answers
        listener = socket.create_server(("127.0.0.1", 0))
        url = f"http://127.0.0.1:{listener.getsockname()[1]}"
    else:
        listener, url = broken_off(answer_with)
    client = ServiceClient("membership", url, read_timeout=read_timeout)
    try:
        with pytest.raises(Problem) as refused:
            client.call("GET", "/api/v1/me", "token")
        assert (refused.value.status, refused.value.code) == (status, code)
        assert client.breaker.fail_counter == 1  # counted like any failure of the service
    finally:
        listener.close()
