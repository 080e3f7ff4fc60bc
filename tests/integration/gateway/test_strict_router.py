"""The gateway is a strict router (API.md "Changed rules", issue 16): every route of its OpenAPI
document, with a dot segment, an encoded separator, a double encoding, a path parameter, a NUL or
an overlong UTF-8 sequence put into its path, answers 404 and reaches no service, and no read
model row changes. The services are small recording HTTP servers that serve the real services'
OpenAPI documents (so the gateway merges its real document) and answer every other request as
if it had succeeded, for the victim partner: anything that leaked would show in what they
received and in the read model."""
from __future__ import annotations

import http.client
import itertools
import json
import re
import tempfile
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from urllib.parse import quote, unquote_to_bytes

import pytest
from sqlalchemy import text
from werkzeug.serving import make_server
from werkzeug.test import EnvironBuilder

from gateway.app import create_app
from gateway.frontdoor.routes import owner_of
from gateway.frontdoor.security import HTML_PREFIXES
from gateway.public import readmodel
from services.common.config import SERVICES, Config
from services.common.partner_header import PARTNER_HEADER
from tests.integration.gateway.pages import page_content
from tests.support.infra import free_port

pytestmark = pytest.mark.integration

VICTIM, OWN = "p-victim", "p-own"
ASSET = {"kind": "logo-light", "url": "https://experts.example.com/assets/p-victim/evil.svg", "width": 10,
         "height": 10, "sha256": "e" * 64, "updated_at": "2026-11-29T12:00:00+00:00"}


class Recorder(BaseHTTPRequestHandler):
    """A stand-in service: serves its real OpenAPI document, records every request target as it
    arrived, and answers anything else 200 with an asset for the victim partner."""

    protocol_version = "HTTP/1.1"

    def _any(self):
        length = int(self.headers.get("Content-Length") or 0)
        self.rfile.read(length)
        self.server.received.append((self.command, self.path))
        if self.path == "/openapi.json":
            body, status = self.server.document, 200
        elif self.path.startswith("/internal/v1/pages/"):  # the gateway's page refresh after a write
            body = json.dumps({"partner_id": VICTIM, "slug": "victim", "version": 99, "published": False,
                               "page": None}).encode()
            status = 200
        else:
            body, status = json.dumps(ASSET).encode(), 200
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(body)))
        self.send_header(PARTNER_HEADER, VICTIM)
        self.end_headers()
        self.wfile.write(body)

    do_GET = do_HEAD = do_POST = do_PUT = do_PATCH = do_DELETE = _any

    def log_message(self, *args):
        pass


def service_documents() -> dict[str, bytes]:
    """Each real service's OpenAPI document, as it serves it."""
    import importlib
    documents = {}
    with tempfile.TemporaryDirectory() as data:
        for name in SERVICES:
            config = Config.from_env(name, {"PORTAL_DATA_DIR": data, "PORTAL_OPERATOR_TOKEN": "op-token"})
            app = importlib.import_module(f"services.{name}.app").create_app(config)
            documents[name] = app.test_client().get("/openapi.json").get_data()
            app.config["RUNTIME"].close()
    return documents


@pytest.fixture(scope="module")
def documents():
    return service_documents()


@pytest.fixture
def front_door(documents, tmp_path, monkeypatch):
    """The gateway (public and admin port) in front of four recording services."""
    servers = {}
    for name in SERVICES:
        server = ThreadingHTTPServer(("127.0.0.1", 0), Recorder)
        server.received, server.document, server.daemon_threads = [], documents[name], True
        threading.Thread(target=server.serve_forever, daemon=True).start()
        servers[name] = server
    admin = free_port()
    monkeypatch.setenv("GATEWAY_ADMIN_PORT", str(admin))
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": "https://experts.example.com",
           **{f"{name.upper()}_URL": f"http://127.0.0.1:{s.server_address[1]}" for name, s in servers.items()}}
    app = create_app(Config.from_env("gateway", env))
    app.config["RUNTIME"].migrate()
    app.config["RUNTIME"].bus.declare("gateway", ["catalog.page.*", "assets.asset.updated"])
    with app.config["RUNTIME"].db.transaction() as session:
        readmodel.save_page(session, VICTIM, "victim", 1, True, page_content(partner_id=VICTIM, slug="victim"))
        readmodel.save_asset(session, VICTIM, "logo-light", "https://experts.example.com/assets/p-victim/a.svg",
                             96, 24, "a" * 64, readmodel_time())
    app.servers, app.admin_port = servers, admin
    yield app
    for server in servers.values():
        server.shutdown()
    app.config["RUNTIME"].close()


def readmodel_time():
    from datetime import datetime, timezone
    return datetime(2026, 11, 1, tzinfo=timezone.utc)


def received(app) -> list:
    return [(name, hit) for name, server in app.servers.items() for hit in server.received]


def forget(app) -> None:
    for server in app.servers.values():
        server.received.clear()


def rows(app) -> list:
    with app.config["RUNTIME"].db.reading() as conn:
        return [sorted(map(repr, conn.execute(text(f"SELECT * FROM {table}")).all()))
                for table in ("public_pages", "public_assets")]


def as_gunicorn_sends(app, method: str, raw: str):
    """Call the app with the environ gunicorn builds for this raw request target: ``RAW_URI`` as
    sent, ``PATH_INFO`` its percent-decoding as latin-1 (no other normalisation)."""
    environ = EnvironBuilder(path="/", method=method, data=b"{}" if method in ("POST", "PUT", "PATCH") else None,
                             content_type="application/json", headers={"Authorization": "Bearer own-token"},
                             base_url="http://gateway.example:8000").get_environ()
    path, _, query = raw.partition("?")
    environ.update(RAW_URI=raw, REQUEST_URI=raw, PATH_INFO=unquote_to_bytes(path).decode("latin-1"),
                   QUERY_STRING=query)
    status = {}
    body = b"".join(app.wsgi_app(environ, lambda s, h, e=None: status.setdefault("line", (s, h))))
    return int(status["line"][0][:3]), dict(status["line"][1]), body


# -- the variants: segments that read as "." or "..", separators that appear on decoding, ...
WHOLE_SEGMENTS = [".", "..", "%2e", "%2E", "%2e%2e", "%2E%2e", ".%2e", "%2e.", "%252e%252e",
                  "%c0%ae%c0%ae", "%e0%80%ae", "%ef%bc%8e%ef%bc%8e", ""]
INSERTED_SEGMENTS = ["..", "%2e%2e", ".", "%2E", "", "%252e"]
INSIDE_A_SEGMENT = ["%2f..", "%2F", "%5c..", "%5C", "\\..", ";x=1", ";", "%3b", "%00", "%ff", "%25",
                    "%2500", "%c0%af", "%0a"]
AFTER_THE_PATH = ["/.", "/..", "/", "/%2e", "/%2E%2E", "//"]


def variants(path: str):
    segments = path[1:].split("/")
    for i, token in itertools.product(range(len(segments)), WHOLE_SEGMENTS):
        yield "/" + "/".join(segments[:i] + [token] + segments[i + 1:])
    for i, token in itertools.product(range(len(segments) + 1), INSERTED_SEGMENTS):
        yield "/" + "/".join(segments[:i] + [token] + segments[i:])
    for i, token in itertools.product(range(len(segments)), INSIDE_A_SEGMENT):
        yield "/" + "/".join(segments[:i] + [segments[i] + token] + segments[i + 1:])
    for tail in AFTER_THE_PATH:
        yield path + tail


def concrete(template: str) -> str:
    return re.sub(r"\{([^}]+)\}", lambda m: {"pid": OWN, "partner_id": OWN, "slug": "victim"}.get(
        m.group(1), f"{m.group(1)}-1"), template)


def routes_of(document: dict) -> list[tuple[str, str]]:
    """(method, path) of each route, a writing method first when the route has one."""
    chosen = []
    for template, item in document["paths"].items():
        methods = [m.upper() for m in item if m in ("get", "put", "post", "patch", "delete", "head")]
        writes = [m for m in methods if m != "GET"]
        chosen.append(((writes or methods)[0], concrete(template)))
    return chosen


def is_not_found(status: int, headers: dict, body: bytes, html_route: bool) -> bool:
    """The gateway's 404: problem+json ``not_found``, or on an HTML route (public pages, the
    portal, the mailed links) the HTML not-found page a visitor can read."""
    if status != 404:
        return False
    if html_route and headers.get("Content-Type", "").startswith("text/html"):
        return b"<html" in body
    return headers.get("Content-Type") == "application/problem+json" and json.loads(body)["code"] == "not_found"


def html_route(path: str) -> bool:
    return path.startswith(tuple(p.rstrip("/") for p in HTML_PREFIXES))


def test_every_route_of_the_document_reaches_no_service_with_an_ambiguous_path(front_door):
    document = json.loads(front_door.test_client().get("/openapi.json").get_data())
    routes = routes_of(document)
    assert len(routes) >= 40 and any(p.startswith("/portal/") for _, p in routes) \
        and any(p.startswith("/internal/") for _, p in routes)
    forget(front_door)
    before = rows(front_door)
    tried, wrong = 0, []
    for method, path in routes:
        for variant in variants(path):
            if variant in (path, "/"):  # an emptied one-segment path is "/", the portal's own route
                continue
            status, headers, body = as_gunicorn_sends(front_door, method, variant)
            tried += 1
            if not is_not_found(status, headers, body, html_route(path)):
                wrong.append((method, variant, status))
    assert wrong == [] and tried > 5000
    assert received(front_door) == []
    assert rows(front_door) == before


def test_every_routed_path_of_the_document_is_forwarded_exactly_as_matched(front_door):
    document = json.loads(front_door.test_client().get("/openapi.json").get_data())
    routed = [(m, p) for m, p in routes_of(document) if owner_of(p) is not None and (
              p.startswith(("/api/v1/partners/", "/internal/", "/assets/"))
              or p in ("/api/v1/accounts", "/api/v1/sessions", "/api/v1/me", "/api/v1/invitations/accept"))]
    assert len(routed) >= 30
    for method, path in routed:
        forget(front_door)
        status, _, _ = as_gunicorn_sends(front_door, "GET", path + "?q=M%C3%BCller&x=1")
        assert status == 200, path
        assert [hit for _, (_, hit) in received(front_door)][:1] == [quote(path, safe="/:@!$&'()*+,=-._~")
                                                                    + "?q=M%C3%BCller&x=1"]


def test_a_partner_id_for_the_page_comes_from_the_service_answer_not_the_path(front_door):
    forget(front_door)
    status, _, _ = as_gunicorn_sends(front_door, "PUT", f"/api/v1/partners/{OWN}/assets/logo-light")
    assert status == 200
    with front_door.config["RUNTIME"].db.reading() as conn:
        stored = {row.partner_id: row.sha256 for row in conn.execute(text("SELECT * FROM public_assets"))}
    # the stand-in service says it stored the file for the victim: that is whose page shows it
    assert stored[VICTIM] == ASSET["sha256"] and OWN not in stored


def send_raw(port: int, method: str, raw: str, body: bytes = b"") -> tuple[int, dict, bytes]:
    """One request with the request target exactly as given (http.client does not normalise)."""
    conn = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        conn.putrequest(method, raw, skip_accept_encoding=True)
        conn.putheader("Authorization", "Bearer own-token")
        conn.putheader("Content-Type", "application/json")
        conn.putheader("Content-Length", str(len(body)))
        conn.endheaders(body)
        answer = conn.getresponse()
        return answer.status, dict(answer.getheaders()), answer.read()
    finally:
        conn.close()


@pytest.fixture
def served(front_door):
    """The gateway on real sockets, its public and its admin port (werkzeug's server)."""
    public_port = free_port()
    servers = [make_server("127.0.0.1", port, front_door, threaded=True)
               for port in (public_port, front_door.admin_port)]
    for server in servers:
        threading.Thread(target=server.serve_forever, daemon=True).start()
    yield public_port, front_door.admin_port
    for server in servers:
        server.shutdown()


ATTACKS = [f"/api/v1/partners/{VICTIM}/assets/%2e%2e/%2e%2e/{OWN}/assets/logo-light",
           f"/api/v1/partners/{VICTIM}/assets/../../{OWN}/assets/logo-light",
           f"/api/v1/partners/{VICTIM}/assets/%2E%2E/%2E%2E/{OWN}/assets/logo-light",
           f"/api/v1/partners/{VICTIM}/assets/%252e%252e/%252e%252e/{OWN}/assets/logo-light",
           f"/api/v1/partners/{VICTIM}/assets/..%2f..%2f{OWN}%2fassets/logo-light",
           f"/api/v1/partners/{VICTIM}/assets/%c0%ae%c0%ae/%c0%ae%c0%ae/{OWN}/assets/logo-light",
           f"/api/v1/partners/{VICTIM}/assets;x=/../{OWN}/assets/logo-light",
           f"/api/v1/partners/{OWN}//assets/logo-light", f"/api/v1/partners/{OWN}/./assets/logo-light",
           f"/api/v1/partners/{OWN}/assets/logo-light/.", f"/api/v1/partners/{OWN}/assets/logo%00-light",
           "/api/v1/me/../../../metrics", "/api/v1/me/%2e%2e/%2e%2e/%2e%2e/openapi.json",
           "/internal/v1/partners/%2e%2e/accounts/a-1/tokens", "/internal/v1/partners/..%5caccounts/a-1/tokens",
           "/experts/%2e%2e/portal", "/portal/p/%2e%2e/team", f"http://gateway.example/api/v1/partners/{OWN}/../x"]


def test_raw_attacks_over_http_answer_404_and_reach_no_service(front_door, served):
    public_port, _ = served
    before = rows(front_door)
    forget(front_door)
    for raw in ATTACKS:
        status, headers, body = send_raw(public_port, "PUT", raw, b"<svg/>")
        assert is_not_found(status, headers, body, html_route(raw)), raw
    assert received(front_door) == []
    assert rows(front_door) == before
    assert send_raw(public_port, "GET", f"/api/v1/partners/{OWN}/assets")[0] == 200  # the plain path works


def test_metrics_and_readiness_answer_on_the_admin_port_only(front_door, served):
    public_port, admin_port = served
    for path in ("/metrics", "/readyz"):
        assert send_raw(public_port, "GET", path)[0] == 404
        assert send_raw(admin_port, "GET", path)[0] == 200
    assert send_raw(public_port, "GET", "/healthz")[0] == 200
    assert send_raw(admin_port, "GET", "/healthz")[0] == 200
    assert send_raw(admin_port, "GET", "/experts/victim")[0] == 404  # the admin port serves nothing else
    assert send_raw(admin_port, "GET", f"/api/v1/partners/{OWN}/assets")[0] == 404
    forged = http.client.HTTPConnection("127.0.0.1", public_port, timeout=10)
    forged.request("GET", "/metrics", headers={"Host": f"127.0.0.1:{admin_port}"})  # a Host header is no port
    assert forged.getresponse().status == 404
    forged.close()
