"""Reach: embed views framable by the partner's origins, oEmbed with discovery, and preview
links (create, list, revoke; the page as it would be published, never cached or indexed),
through the gateway on both configurations (API.md second round)."""
import html
import re
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.e2e.helpers import new_partner, publishable_page, sign_up, verified

pytestmark = pytest.mark.e2e


@pytest.fixture(scope="module")
def ready(stack):
    return publishable_page(stack, experts=10)


def publish(stack, ready, on=True):
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    assert stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": on}).status_code == 200


def public_url(stack):
    return stack.env.get("PORTAL_PUBLIC_URL", stack.url).rstrip("/")


def oembed(stack, url, **query):
    return stack.call("GET", "/oembed", params={"url": url, "format": "json", **query})


def test_a_preview_link_shows_the_unpublished_page_uncached_and_unindexed_until_revoked(stack, ready):
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    publish(stack, ready, on=False)
    created = stack.call("POST", f"/api/v1/partners/{pid}/page/preview-links", token, json={})
    assert created.status_code == 201, created.text
    link = created.json()
    assert link["url"].startswith(f"{public_url(stack)}/preview/")
    path = link["url"][len(public_url(stack)):]
    shown = stack.call("GET", path)
    assert shown.status_code == 200 and ready["talent"][0]["name"] in shown.text
    assert shown.headers["Cache-Control"] == "private, no-store"
    assert "noindex" in shown.headers["X-Robots-Tag"] and '<meta name="robots" content="noindex' in shown.text
    listed = stack.call("GET", f"/api/v1/partners/{pid}/page/preview-links", token).json()["items"]
    assert [item["id"] for item in listed] == [link["id"]] and "url" not in listed[0]
    assert stack.call("DELETE", f"/api/v1/partners/{pid}/page/preview-links/{link['id']}", token).status_code == 204
    gone = stack.call("GET", path)
    assert gone.status_code == 404 and gone.headers["Cache-Control"] == "private, no-store"
    assert stack.call("GET", "/preview/not-a-token-at-all-but-long-enough").status_code == 404


@pytest.mark.parametrize("body", [{"expires_in_days": 0}, {"expires_in_days": 31}, {"expires_in_days": "x"}])
def test_a_preview_link_lives_1_to_30_days(stack, ready, body):
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    answer = stack.call("POST", f"/api/v1/partners/{pid}/page/preview-links", token, json=body)
    assert answer.status_code == 422, answer.text


def test_another_partners_member_cannot_see_or_revoke_preview_links(stack, ready):
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    link = stack.call("POST", f"/api/v1/partners/{pid}/page/preview-links", token,
                      json={"expires_in_days": 1}).json()
    other = verified(stack, sign_up(stack, "Eve"))
    new_partner(stack, other)
    base = f"/api/v1/partners/{pid}/page/preview-links"
    assert stack.call("GET", base, other["token"]).status_code == 404
    assert stack.call("DELETE", f"{base}/{link['id']}", other["token"]).status_code == 404
    assert stack.call("DELETE", f"{base}/{link['id']}", token).status_code == 204


def test_the_embed_view_is_framable_by_the_partners_origins_and_opens_links_in_a_new_tab(stack, ready):
    publish(stack, ready)
    slug = ready["partner"]["slug"]
    embed = stack.call("GET", f"/embed/{slug}")
    assert embed.status_code == 200
    assert "frame-ancestors *" in embed.headers["Content-Security-Policy"]
    assert "X-Frame-Options" not in embed.headers
    assert '<base target="_blank">' in embed.text and ready["talent"][0]["name"] in embed.text
    pid, token = ready["partner"]["id"], ready["admin"]["token"]
    patched = stack.call("PATCH", f"/api/v1/partners/{pid}/page", token,
                         json={"embed_origins": ["https://shop.example.com", "https://help.example.org:8443"]})
    if patched.status_code == 200:  # PATCH .../page comes with the visitor page's part of issue 17
        csp = stack.call("GET", f"/embed/{slug}").headers["Content-Security-Policy"]
        assert "frame-ancestors https://shop.example.com https://help.example.org:8443" in csp
    page = stack.call("GET", f"/experts/{slug}")
    assert page.headers["X-Frame-Options"] == "DENY" and "frame-ancestors 'none'" in page.headers["Content-Security-Policy"]
    assert stack.call("GET", "/embed/no-such-page").status_code == 404


def test_oembed_answers_a_rich_iframe_of_the_embed_view_and_every_page_links_it(stack, ready):
    publish(stack, ready)
    slug = ready["partner"]["slug"]
    url = f"{public_url(stack)}/experts/{slug}"
    page = stack.call("GET", f"/experts/{slug}").text
    link = re.search(r'<link rel="alternate" type="application/json\+oembed"[^>]*href="([^"]+)"', page, re.S)
    assert link, "no oEmbed discovery link"
    discovered = urlsplit(html.unescape(link.group(1)))
    assert f"{discovered.scheme}://{discovered.netloc}" == public_url(stack) and discovered.path == "/oembed"
    assert parse_qs(discovered.query) == {"format": ["json"], "url": [url]}
    answer = oembed(stack, url, maxwidth=480)
    assert answer.status_code == 200, answer.text
    body = answer.json()
    assert {k: body[k] for k in ("version", "type", "width", "height")} == {
        "version": "1.0", "type": "rich", "width": 480, "height": 800}
    assert f'src="{public_url(stack)}/embed/{slug}"' in body["html"] and body["html"].startswith("<iframe")
    assert body["title"] == f"{ready['partner']['name']} Experts" and body["provider_url"] == public_url(stack)


@pytest.mark.parametrize("case", ["other-origin", "unknown", "not-a-page", "xml", "bad-size"])
def test_oembed_refuses_what_is_not_a_published_page_of_ours(stack, ready, case):
    publish(stack, ready)
    url = f"{public_url(stack)}/experts/{ready['partner']['slug']}"
    answer = {"other-origin": lambda: oembed(stack, url.replace(public_url(stack), "https://evil.example")),
              "unknown": lambda: oembed(stack, f"{public_url(stack)}/experts/no-such-page"),
              "not-a-page": lambda: oembed(stack, f"{public_url(stack)}/portal/sign-in"),
              "xml": lambda: oembed(stack, url, format="xml"),
              "bad-size": lambda: oembed(stack, url, maxwidth="-5")}[case]()
    assert answer.status_code == {"xml": 501, "bad-size": 400}.get(case, 404), answer.text
    assert answer.headers["Content-Type"].startswith("application/problem+json")


def test_an_unpublished_page_has_no_oembed_and_no_embed(stack, ready):
    publish(stack, ready, on=False)
    slug = ready["partner"]["slug"]
    assert oembed(stack, f"{public_url(stack)}/experts/{slug}").status_code == 404
    assert stack.call("GET", f"/embed/{slug}").status_code == 404
    publish(stack, ready)
