"""The public page's fast path answers a repeated visit exactly as Flask would, and never a page
the read model no longer holds (SQLite and PostgreSQL)."""
from __future__ import annotations

import os
import subprocess
import sys

import psycopg
import pytest
from werkzeug.test import Client

from gateway.public.fastpath import LISTENER, PublicPageFastPath
from tests.integration.gateway.conftest import ADMIN_URL
from tests.integration.gateway.pages import page_content
from tests.integration.gateway.test_public_pages import publish
from tests.support.procs import ROOT, wait_until

pytestmark = pytest.mark.integration
PAGES = ["/experts/acme", "/api/v1/public/pages/acme"]
WRITE_ELSEWHERE = """
import sys
from gateway.public import readmodel
from gateway.runtime import make_runtime
from tests.integration.gateway.pages import page_content
runtime = make_runtime()
with runtime.db.transaction() as session:
    readmodel.save_page(session, "p-1", "acme", int(sys.argv[1]), sys.argv[2] == "published",
                        page_content(name=sys.argv[3]))
"""


class CountingFlask:
    """The Flask app behind the fast path, counting the requests that reach it."""

    def __init__(self, app):
        self.app, self.calls = app, 0

    def __call__(self, environ, start_response):
        self.calls += 1
        return self.app(environ, start_response)


@pytest.fixture
def fast(gateway):
    path = gateway.wsgi_app.app  # behind the front door (gateway/frontdoor/security.py FrontDoor)
    assert isinstance(path, PublicPageFastPath)
    path.app = CountingFlask(path.app)
    return path


def visit(gateway, url, **headers):
    return gateway.test_client().get(url, headers=headers)


def cached(gateway, fast, url):
    """Visit until the fast path holds ``url`` (the first visits go to Flask)."""
    wait_until(lambda: visit(gateway, url) and any(key[0] == "acme" for key in fast.answers)
               and _hit(gateway, fast, url), timeout=10, what="the page answered from the fast path")


def _hit(gateway, fast, url) -> bool:
    before = fast.app.calls
    visit(gateway, url)
    return fast.app.calls == before


def comparable(answer) -> dict:
    headers = {k: v for k, v in answer.headers.items() if k != "X-Request-Id"}
    return {"status": answer.status, "headers": headers, "body": answer.get_data()}


@pytest.mark.parametrize("url", PAGES)
@pytest.mark.parametrize("conditional", [{}, "etag", "date", {"If-None-Match": '"other"'}])
@pytest.mark.parametrize("method", ["GET", "HEAD"])
def test_a_repeated_visit_is_answered_without_flask_exactly_as_flask_answers_it(gateway, fast, url,
                                                                               conditional, method):
    publish(gateway)
    first = visit(gateway, url)
    headers = ({"If-None-Match": first.headers["ETag"]} if conditional == "etag"
               else {"If-Modified-Since": first.headers["Last-Modified"]} if conditional == "date"
               else conditional)
    cached(gateway, fast, url)
    calls = fast.app.calls
    quick = gateway.test_client().open(url, method=method, headers=headers)
    assert fast.app.calls == calls, "the repeated visit reached Flask"
    slow = Client(fast.app.app).open(url, method=method, headers=headers)
    assert quick.status_code == slow.status_code == (304 if conditional in ("etag", "date") else 200)
    expected = comparable(slow)
    if quick.status_code == 304:  # no body: Flask's 304 names a type it does not send
        expected["headers"].pop("Content-Security-Policy")
        comparable_quick = comparable(quick)
        comparable_quick["headers"].pop("Content-Security-Policy")
        assert comparable_quick == expected
    else:
        assert comparable(quick) == expected
    assert quick.headers["X-Request-Id"] != slow.headers["X-Request-Id"]


def test_the_request_id_is_echoed_when_sane_and_made_otherwise(gateway, fast):
    publish(gateway)
    cached(gateway, fast, "/experts/acme")
    assert visit(gateway, "/experts/acme", **{"X-Request-Id": "abc-123"}).headers["X-Request-Id"] == "abc-123"
    made = visit(gateway, "/experts/acme", **{"X-Request-Id": "bad id <script>"}).headers["X-Request-Id"]
    assert len(made) == 32 and made.isalnum()


def test_a_change_in_this_process_is_seen_by_the_next_visit(gateway, fast):
    publish(gateway, version=1)
    for url in PAGES:
        cached(gateway, fast, url)
    publish(gateway, version=2, name="Acme Renamed")
    assert "Acme Renamed" in visit(gateway, "/experts/acme").get_data(as_text=True)
    assert visit(gateway, "/api/v1/public/pages/acme").get_json()["partner"]["name"] == "Acme Renamed"
    publish(gateway, version=3, published=False)
    assert [visit(gateway, url).status_code for url in PAGES] == [404, 404]


def test_a_change_made_by_another_process_is_seen_within_moments(gateway, fast):
    publish(gateway, version=1)
    cached(gateway, fast, "/experts/acme")
    write_elsewhere(gateway, 2, "published", "Acme From Elsewhere")
    wait_until(lambda: "Acme From Elsewhere" in visit(gateway, "/experts/acme").get_data(as_text=True),
               timeout=5, what="the other process's change on the page")
    cached(gateway, fast, "/experts/acme")
    write_elsewhere(gateway, 3, "unpublished", "Acme From Elsewhere")
    wait_until(lambda: visit(gateway, "/experts/acme").status_code == 404, timeout=5,
               what="the page gone once another process unpublished it")


def write_elsewhere(gateway, version: int, state: str, name: str) -> None:
    config = gateway.config["RUNTIME"].config
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(config.data_dir),
           "GATEWAY_DATABASE_URL": config.database_url}
    subprocess.run([sys.executable, "-c", WRITE_ELSEWHERE, str(version), state, name], env=env, cwd=ROOT,
                   check=True, timeout=60)


def test_hits_are_counted_in_the_metrics_under_their_route(gateway, fast):
    publish(gateway)
    cached(gateway, fast, "/experts/acme")
    before = requests_counted(gateway)
    for _ in range(5):
        visit(gateway, "/experts/acme")
    assert requests_counted(gateway) == before + 5


def requests_counted(gateway) -> float:
    text = gateway.test_client().get("/metrics", base_url=ADMIN_URL).get_data(as_text=True)
    line = next(line for line in text.splitlines() if line.startswith("portal_http_requests_total{")
                and 'route="/experts/<slug>"' in line and 'status="200"' in line and 'method="GET"' in line)
    return float(line.rsplit(" ", 1)[1])


@pytest.mark.parametrize("request_", [
    {"path": "/experts/acme", "query_string": "q=" + "x" * 2100},  # Flask's 414
    {"path": "/experts/acme", "data": b"x" * 10},  # a body: Flask's rules
    {"path": "/experts/ACME"},  # not a slug: Flask's 404
    {"path": "/experts/acme", "method": "POST"},  # Flask's 405
])
def test_what_the_fast_path_does_not_know_goes_to_flask(gateway, fast, request_):
    publish(gateway)
    cached(gateway, fast, "/experts/acme")
    calls = fast.app.calls
    answer = gateway.test_client().open(**{"method": "GET", **request_})
    assert fast.app.calls == calls + 1
    assert answer.status_code == Client(fast.app.app).open(**{"method": "GET", **request_}).status_code


def test_without_its_listening_connection_the_fast_path_steps_aside_then_listens_again(gateway, fast):
    if gateway.config["RUNTIME"].db.is_sqlite:
        pytest.skip("SQLite is asked on every visit; there is no connection to lose")
    publish(gateway)
    cached(gateway, fast, "/experts/acme")
    generation = fast.changes.generation()
    with psycopg.connect(gateway.config["RUNTIME"].config.database_url.replace("+psycopg", ""),
                         autocommit=True) as admin:
        killed = admin.execute("SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                               "WHERE application_name = %s AND datname = current_database()",
                               (LISTENER,)).fetchall()
    assert killed, "no listening connection found"
    wait_until(lambda: fast.changes.generation() is None, timeout=10, what="the lost connection noticed")
    calls = fast.app.calls
    assert visit(gateway, "/experts/acme").status_code == 200
    assert fast.app.calls == calls + 1, "answered from the fast path while not listening"
    wait_until(lambda: (fast.changes.generation() or 0) > generation, timeout=10, what="listening again")
    cached(gateway, fast, "/experts/acme")
    assert page_content()["partner"]["name"] in visit(gateway, "/experts/acme").get_data(as_text=True)
