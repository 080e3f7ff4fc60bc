"""What nginx answers by itself in front of the gateway (deploy/nginx/gateway.conf on Debian's
nginx): a request it cannot read, one too big, or no gateway behind it gets the contract's
problem+json with a stable code, never nginx's HTML page."""
from __future__ import annotations

import json
import socket

import pytest

from tests.support.infra import free_port
from tests.support.nginx import Nginx


@pytest.fixture(scope="module")
def nginx_without_gateway(tmp_path_factory):
    proxy = Nginx(tmp_path_factory.mktemp("nginx"), f"127.0.0.1:{free_port()}").start()  # nothing listens there
    yield proxy
    proxy.stop()


def answer(proxy: Nginx, request: bytes) -> tuple[int, str, dict]:
    with socket.create_connection(("127.0.0.1", proxy.port), timeout=10) as s:
        s.sendall(request)
        data = b""
        while chunk := s.recv(65536):
            data += chunk
            if b"\r\n\r\n" in data and data.rstrip().endswith(b"}"):
                break
    head, _, body = data.partition(b"\r\n\r\n")
    lines = head.decode().split("\r\n")
    headers = dict(line.split(": ", 1) for line in lines[1:])
    return int(lines[0].split()[1]), headers["Content-Type"], json.loads(body)


@pytest.mark.parametrize("request_bytes, status, code", [
    (b"GET /../x HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request"),  # above the root
    (b"GET /a%00b HTTP/1.1\r\nHost: a\r\n\r\n", 400, "bad_request"),
    (b"GET /x HTTP/1.1\r\nHost: a\r\nX-Big: " + b"b" * 9000 + b"\r\n\r\n", 400, "bad_request"),
    (b"GET /" + b"a" * 9000 + b" HTTP/1.1\r\nHost: a\r\n\r\n", 414, "uri_too_long"),
    (b"PUT /api/v1/partners/p/assets/logo-light HTTP/1.1\r\nHost: a\r\nContent-Length: 11534337\r\n\r\n",
     413, "file_too_large"),  # one byte over 11 MiB, refused before a byte of body is read
    (b"POST /internal/v1/talent:bulk HTTP/1.1\r\nHost: a\r\nContent-Length: 536870913\r\n\r\n",
     413, "file_too_large"),
    (b"GET /experts/x HTTP/1.1\r\nHost: a\r\n\r\n", 502, "bad_gateway"),  # no gateway listening
    (b"GET /__nginx_error/400 HTTP/1.1\r\nHost: a\r\n\r\n", 404, "not_found"),  # internal only
])
def test_nginx_answers_problem_json_with_the_contracts_code(nginx_without_gateway, request_bytes, status, code):
    got_status, content_type, body = answer(nginx_without_gateway, request_bytes)
    assert (got_status, content_type, body["code"], body["status"]) == (status, "application/problem+json", code, status)
