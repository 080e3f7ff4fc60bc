"""What a visitor sees and presses on a published page (issue 17, "The page"), through the
gateway on both configurations: the partner's words, use case pages with stable slugs,
outbound links only through /go, the filters, and HTML 404 pages in HTML routes."""
from urllib.parse import quote

import pytest
import requests
from markupsafe import escape

from tests.e2e.helpers import later, publishable_page, put_talent
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
PROFILE = "https://www.upwork.com/freelancers/~01visitor"
PROJECT_URL = "https://www.upwork.com/services/product/visitor-project"


def card(expert: dict) -> str:
    """The start of an expert's card as the page writes it (the JSON-LD names every expert)."""
    return f'<article class="card expert" aria-label="{escape(expert["name"])}">'


def page_with_links(stack) -> dict:
    """A published page whose first expert has a profile, a photo, is available now and has a
    featured project with a URL; the second is not available; an empty use case; the partner's
    headline and intro. (The browser tests use it too.)"""
    ready = publishable_page(stack)
    pid, token, uid = ready["partner"]["id"], ready["admin"]["token"], ready["use_case_id"]
    star, other = ready["talent"][0], ready["talent"][1]
    project = {"id": "visitor-project", "title": "Store audit", "price": 197.5, "delivery_days": 3, "url": PROJECT_URL}
    star = {**star, "profile_url": PROFILE, "photo_url": "https://img.example.com/star.jpg",
            "availability": "available_now", "projects": [project], "updated_at": later(star["updated_at"])}
    put_talent(stack, star)
    put_talent(stack, {**other, "availability": "not_available", "updated_at": later(other["updated_at"])})
    wait_until(lambda: stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings", token, json={
        "kind": "project", "offering_id": "visitor-project", "freelancer_id": star["freelancer_id"]}).status_code == 201,
        15, 0.1, "the new talent document to reach catalog")
    empty = stack.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": "Nobody Yet"})
    assert empty.status_code == 201 and empty.json()["slug"] == "nobody-yet"
    words = stack.call("PATCH", f"/api/v1/partners/{pid}/page", token,
                       json={"headline": "Hire Shopify experts", "intro": "Vetted by us.",
                             "embed_origins": ["https://shop.example.com"]})
    assert words.status_code == 200 and words.json()["headline"] == "Hire Shopify experts", words.text
    assert stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token, json={"published": True}).ok
    return {**ready, "star": star, "other": other, "slug": ready["partner"]["slug"]}


def test_a_visitor_reads_the_page_follows_go_links_filters_and_shares_a_use_case(stack):
    ready = page_with_links(stack)
    pid, token, uid = ready["partner"]["id"], ready["admin"]["token"], ready["use_case_id"]
    slug, star, other = ready["slug"], ready["star"], ready["other"]

    html = stack.call("GET", f"/experts/{slug}", headers={"Accept": "text/html"})
    assert html.status_code == 200
    text = html.text
    assert "Hire Shopify experts" in text and "Vetted by us." in text and "Nobody Yet" not in text
    assert f'/go/{slug}/{star["freelancer_id"]}?to=profile' in text and "View profile" in text
    assert f'/go/{slug}/{star["freelancer_id"]}?to=offering&amp;id=visitor-project' in text
    assert "Buy project" in text and "$197.50" in text and PROFILE not in text and PROJECT_URL not in text
    assert "Available now" in text and 'loading="lazy"' in text
    assert "img-src 'self' https:" in html.headers["Content-Security-Policy"]
    assert "'unsafe-inline'" not in html.headers["Content-Security-Policy"]
    public = stack.call("GET", f"/api/v1/public/pages/{slug}").json()
    assert public["headline"] == "Hire Shopify experts" and [uc["slug"] for uc in public["use_cases"]] == [
        "email-automation"]

    go = f"/go/{slug}/{star['freelancer_id']}"
    answer = stack.call("GET", f"{go}?to=profile&url=https://evil.example.com", allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"] == PROFILE
    answer = stack.call("GET", f"{go}?to=offering&id=visitor-project", allow_redirects=False)
    assert answer.status_code == 302 and answer.headers["Location"] == PROJECT_URL
    for refused in (f"{go}?to=elsewhere", f"{go}?to=offering", f"{go}?to=offering&id=nope",
                    f"/go/{slug}/{other['freelancer_id']}?to=profile", f"/go/no-such-page/{star['freelancer_id']}?to=profile",
                    f"/go/{slug}/nobody?to=profile"):
        answer = stack.call("GET", refused, allow_redirects=False)
        assert answer.status_code == 404 and "Location" not in answer.headers, refused

    available = stack.call("GET", f"/experts/{slug}?available=true").text
    assert card(star) in available and card(other) not in available
    searched = stack.call("GET", f"/experts/{slug}?q={quote(other['name'])}").text
    assert card(other) in searched and card(star) not in searched
    assert stack.call("GET", f"/experts/{slug}").text.count("<article class=\"card expert\"") == 10
    nothing = stack.call("GET", f"/experts/{slug}?max_rate=0&badge=expert_vetted&country=ZZ")
    assert nothing.status_code == 200 and "No experts match" in nothing.text
    bad = stack.call("GET", f"/experts/{slug}?max_rate=cheap")
    assert bad.status_code == 200 and "A number of dollars" in bad.text
    json_bad = stack.call("GET", f"/api/v1/public/pages/{slug}?max_rate=cheap")
    assert json_bad.status_code == 400 and json_bad.json()["code"] == "invalid_parameter"
    filtered = stack.call("GET", f"/api/v1/public/pages/{slug}?available=1").json()
    assert [e["freelancer_id"] for e in filtered["use_cases"][0]["experts"]] == [star["freelancer_id"]]

    use_case_page = stack.call("GET", f"/experts/{slug}/email-automation")
    assert use_case_page.status_code == 200 and "<h1>Email Automation</h1>" in use_case_page.text
    renamed = stack.call("PATCH", f"/api/v1/partners/{pid}/use-cases/{uid}", token, json={"name": "Store Flows"})
    assert renamed.json()["slug"] == "store-flows"
    moved = stack.call("GET", f"/experts/{slug}/email-automation", allow_redirects=False)
    assert moved.status_code == 301 and moved.headers["Location"].endswith(f"/experts/{slug}/store-flows")
    assert stack.call("GET", f"/experts/{slug}/store-flows").status_code == 200
    for missing in (f"/experts/{slug}/nobody-yet", f"/experts/{slug}/no-such-use-case", "/experts/no-such-page"):
        answer = stack.call("GET", missing)
        assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html"), missing
        assert "Page not found" in answer.text


@pytest.mark.parametrize("path", ["/experts/..%2Fportal", "/experts/%2e%2e/x", "/portal/..%2Fsignin",
                                  "/go/a/..%2Fb"])
def test_a_path_the_strict_router_refuses_under_html_routes_gets_the_html_404_page(stack, path):
    answer = requests.get(f"{stack.url}{path}", timeout=10)
    assert answer.status_code == 404 and answer.headers["Content-Type"].startswith("text/html"), path
    assert "Page not found" in answer.text


def test_a_refused_api_path_stays_problem_json_unless_the_client_prefers_html(stack):
    answer = requests.get(f"{stack.url}/api/v1/..%2Fme", timeout=10)
    assert answer.status_code == 404 and answer.headers["Content-Type"] == "application/problem+json"
    browser = requests.get(f"{stack.url}/api/v1/..%2Fme", timeout=10,
                           headers={"Accept": "text/html,application/xhtml+xml,*/*;q=0.8"})
    assert browser.status_code == 404 and browser.headers["Content-Type"].startswith("text/html")
