"""Visitors read published pages from the gateway's read model alone."""
from __future__ import annotations

import json
import re
import threading

import pytest

from gateway.public import readmodel
from gateway.consumer import make_consumer
from services.common.bus import Envelope, EventType
from services.common.db import utcnow
from services.common.outbox import Relay, outbox_table
from tests.integration.gateway.pages import page_content
from tests.support.procs import wait_until

pytestmark = pytest.mark.integration


def publish(app, version=1, published=True, **content):
    with app.config["RUNTIME"].db.transaction() as session:
        return readmodel.save_page(session, "p-1", content.get("slug", "acme"), version, published,
                                   page_content(**content))


def add_asset(app, kind, sha, width=96, height=24, at=None):
    with app.config["RUNTIME"].db.transaction() as session:
        ext = "svg" if kind.startswith("logo") else "png"
        return readmodel.save_asset(session, "p-1", kind, f"https://experts.example.com/assets/p-1/{sha}.{ext}",
                                    width, height, sha, at or utcnow())


def test_a_published_page_shows_partner_use_cases_experts_and_offerings(gateway):
    publish(gateway)
    add_asset(gateway, "logo-light", "a" * 64)
    add_asset(gateway, "logo-dark", "b" * 64)
    add_asset(gateway, "branded-image", "c" * 64, 800, 600)
    html = gateway.test_client().get("/experts/acme").get_data(as_text=True)
    assert "<h1>Acme Analytics Experts</h1>" in html
    assert re.search(r'<source srcset="[^"]+/b{64}\.svg" media="\(prefers-color-scheme: dark\)">', html)
    assert re.search(r'<img src="[^"]+/a{64}\.svg" alt="Acme Analytics"', html)
    assert 'class="hero" src="https://experts.example.com/assets/p-1/' + "c" * 64 + '.png"' in html
    for text in ("Email Automation", "Grace Hopper", "Automation engineer", "97%", "Top Rated Plus",
                 "Expert-Vetted", "$120/hr", "HubSpot", "US", "Welcome series setup", "$900",
                 "Delivered in 5 days", "Deliverability review", "60 minutes", "$150"):
        assert text in html, text
    assert '<meta property="og:title" content="Acme Analytics Experts">' in html
    ld = json.loads(re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1))
    assert ld["mainEntity"]["itemListElement"][0]["item"]["name"] == "Grace Hopper"


def test_the_json_page_has_the_same_content_and_allows_cross_origin_reads(gateway):
    publish(gateway)
    answer = gateway.test_client().get("/api/v1/public/pages/acme")
    assert answer.status_code == 200
    assert answer.headers["Access-Control-Allow-Origin"] == "*"
    body = answer.get_json()
    assert body["partner"]["name"] == "Acme Analytics"
    assert body["use_cases"][0]["experts"][0]["name"] == "Grace Hopper"
    assert body["public_url"] == "https://experts.example.com/experts/acme"


def test_user_text_with_html_and_script_is_rendered_inert(gateway):
    publish(gateway, name='<script>alert(1)</script><img src=x onerror=alert(2)>')
    html = gateway.test_client().get("/experts/acme").get_data(as_text=True)
    assert "<script>alert(1)</script>" not in html
    assert "<img src=x" not in html
    assert "&lt;script&gt;alert(1)&lt;/script&gt;" in html
    ld_block = re.search(r'<script type="application/ld\+json">(.*?)</script>', html, re.S).group(1)
    assert "<" not in ld_block


@pytest.mark.parametrize("slug", ["unknown", "..%2F..%2Fetc%2Fpasswd", "ACME", "acme%00", "a" * 300,
                                  "%3Cscript%3E", "acme;drop"])
def test_unknown_and_odd_slugs_answer_the_same_404(gateway, slug):
    publish(gateway)
    client = gateway.test_client()
    assert client.get(f"/experts/{slug}").status_code == 404
    answer = client.get(f"/api/v1/public/pages/{slug}")
    assert answer.status_code == 404 and answer.get_json()["code"] == "not_found"


def test_an_unpublished_page_answers_exactly_like_an_unknown_one(gateway):
    publish(gateway, version=1)
    publish(gateway, version=2, published=False)
    client = gateway.test_client()
    unpublished, unknown = client.get("/experts/acme"), client.get("/experts/never-existed")
    assert unpublished.status_code == unknown.status_code == 404
    assert unpublished.get_data() == unknown.get_data()


def test_only_get_and_head_are_allowed_on_public_routes(gateway):
    publish(gateway)
    client = gateway.test_client()
    assert client.head("/experts/acme").status_code == 200
    for method in ("post", "put", "delete", "patch"):
        answer = getattr(client, method)("/experts/acme")
        assert answer.status_code == 405
        assert answer.get_json()["code"] == "method_not_allowed"


def test_revalidation_answers_304_until_the_page_changes(gateway):
    publish(gateway, version=1)
    client = gateway.test_client()
    first = client.get("/experts/acme")
    assert first.headers["Cache-Control"] == "public, no-cache"
    assert first.headers["Last-Modified"]
    etag = first.headers["ETag"]
    assert client.get("/experts/acme", headers={"If-None-Match": etag}).status_code == 304
    since = {"If-Modified-Since": first.headers["Last-Modified"]}
    assert client.get("/experts/acme", headers=since).status_code == 304
    publish(gateway, version=2, name="Acme Renamed")
    changed = client.get("/experts/acme", headers={"If-None-Match": etag})
    assert changed.status_code == 200 and "Acme Renamed" in changed.get_data(as_text=True)
    add_asset(gateway, "logo-light", "d" * 64)
    assert client.get("/experts/acme", headers={"If-None-Match": changed.headers["ETag"]}).status_code == 200


def test_an_older_page_version_never_overwrites_a_newer_one(gateway):
    assert publish(gateway, version=5, name="Newest")
    assert not publish(gateway, version=4, name="Older")
    assert not publish(gateway, version=5, name="Same version again")
    assert "Newest" in gateway.test_client().get("/experts/acme").get_data(as_text=True)


def test_an_older_asset_event_never_replaces_a_newer_asset(gateway):
    publish(gateway)
    newer = utcnow()
    add_asset(gateway, "logo-light", "e" * 64, at=newer)
    from datetime import timedelta
    assert not add_asset(gateway, "logo-light", "f" * 64, at=newer - timedelta(seconds=5))
    assert "e" * 64 in gateway.test_client().get("/experts/acme").get_data(as_text=True)


def test_the_sitemap_lists_published_pages_only(gateway):
    publish(gateway)
    with gateway.config["RUNTIME"].db.transaction() as session:
        readmodel.save_page(session, "p-2", "hidden", 1, False, page_content(slug="hidden", partner_id="p-2"))
    body = gateway.test_client().get("/sitemap.xml").get_data(as_text=True)
    assert "<loc>https://experts.example.com/experts/acme</loc>" in body
    assert "hidden" not in body


def test_page_events_on_the_bus_build_the_read_model(gateway, tmp_path):
    runtime = gateway.config["RUNTIME"]
    consumer = make_consumer(runtime)
    from sqlalchemy import MetaData
    from services.common.db import Database
    catalog_meta = MetaData()
    catalog_outbox = outbox_table(catalog_meta)
    catalog_db = Database(f"sqlite:///{tmp_path / 'catalog.sqlite3'}")
    catalog_meta.create_all(catalog_db.engine)
    page_type = EventType("catalog.page.published", 1, _AnyPayload)
    with catalog_db.transaction() as session:
        session.execute(catalog_outbox.insert().values(
            **_row(Envelope.new(page_type, {"partner_id": "p-1", "slug": "acme", "version": 1,
                                            "page": page_content()}))))
    Relay(catalog_db, runtime.bus, catalog_outbox).relay_once()
    stop = threading.Event()
    worker = threading.Thread(target=consumer.run, args=(stop,))
    worker.start()
    try:
        wait_until(lambda: gateway.test_client().get("/experts/acme").status_code == 200, 10, 0.05,
                   "the page to appear")
    finally:
        stop.set()
        worker.join(10)


from marshmallow import Schema, INCLUDE  # noqa: E402


class _AnyPayload(Schema):
    class Meta:
        unknown = INCLUDE


def _row(envelope):
    message = envelope.to_message()
    return {"event_id": envelope.event_id, "event_type": envelope.event_type,
            "body": message.body.decode(), "created_at": envelope.occurred_at, "attempts": 0}


def test_a_logo_without_a_width_is_shown_too(gateway):
    from gateway.consumer import on_asset
    publish(gateway)
    envelope = Envelope.new(EventType("assets.asset.updated", 1, _AnyPayload), {
        "partner_id": "p-1", "kind": "logo-light", "url": "https://experts.example.com/assets/p-1/" + "9" * 64 + ".svg",
        "content_type": "image/svg+xml", "width": None, "height": 24, "bytes": 10, "sha256": "9" * 64,
        "updated_at": "2026-11-28T10:00:00Z"})
    with gateway.config["RUNTIME"].db.transaction() as session:
        on_asset(session, envelope)
    html = gateway.test_client().get("/experts/acme").get_data(as_text=True)
    assert "9" * 64 + ".svg" in html
