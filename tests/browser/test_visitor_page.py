"""A visitor on a 360 px phone and on a desktop, in light and dark mode (issue 17, Done when):
from the page to a profile and a booking through /go, sharing a use case's address,
filtering, and the dark logo in dark mode. Every view passes axe with no blocked resource.
The marketplace and the photo host are answered inside the browser (no network)."""
from __future__ import annotations

import pytest
from playwright.sync_api import expect

from tests.browser.pages import checked, screenshot, watch_console
from tests.e2e.helpers import CORPUS
from tests.e2e.test_visitor_page import PROFILE, PROJECT_URL, page_with_links


PHOTO = (CORPUS / "ratio-4x3.png").read_bytes()
MARKETPLACE = "<!doctype html><html lang=en><title>Marketplace</title><h1>Marketplace</h1></html>"


@pytest.fixture(scope="module")
def visitor_page(portal):
    return page_with_links(portal)


def visitor(browser, portal, width: int, scheme: str):
    context = browser.new_context(base_url=portal.url, viewport={"width": width, "height": 900},
                                  color_scheme=scheme)
    context.set_default_timeout(15_000)
    context.route("https://img.example.com/**", lambda route: route.fulfill(body=PHOTO, content_type="image/png"))
    context.route("https://www.upwork.com/**", lambda route: route.fulfill(body=MARKETPLACE, content_type="text/html"))
    return context, context.new_page()


@pytest.mark.parametrize("width, device", [(360, "phone"), (1280, "desktop")])
def test_a_visitor_goes_from_the_page_to_a_profile_and_a_booking_shares_and_filters(browser, portal, visitor_page,
                                                                                    width, device):
    context, page = visitor(browser, portal, width, "light")
    try:
        errors = watch_console(page)
        slug, star = visitor_page["slug"], visitor_page["star"]
        page.goto(f"/experts/{slug}")
        expect(page.get_by_role("heading", level=1)).to_have_text("Hire Shopify experts")
        checked(page, f"the public page on a {device}", errors)
        assert page.evaluate("document.documentElement.scrollWidth") <= width, "the page scrolls sideways"
        screenshot(page, f"public-page-{device}")

        share = page.locator("section#email-automation a[data-copy]")
        shared_url = share.get_attribute("href")
        assert shared_url.endswith(f"/experts/{slug}/email-automation")

        card = page.get_by_role("article", name=star["name"])
        card.get_by_role("link", name="View profile").click()
        page.wait_for_url(PROFILE)
        page.go_back()
        page.get_by_role("link", name="Buy project").first.click()
        page.wait_for_url(PROJECT_URL)

        page.goto(shared_url.replace(portal.env.get("PORTAL_PUBLIC_URL", portal.url), portal.url))
        expect(page.get_by_role("heading", level=1)).to_have_text("Email Automation")
        checked(page, f"a use case's own page on a {device}", errors)

        page.goto(f"/experts/{slug}")
        page.get_by_label("Available now").check()
        page.get_by_role("button", name="Show experts").click()
        page.wait_for_url("**available=true**")
        expect(page.locator("article.card.expert")).to_have_count(1)
        expect(page.get_by_role("article", name=star["name"])).to_be_visible()
        checked(page, f"the filtered page on a {device}", errors)
    finally:
        context.close()


@pytest.mark.parametrize("width, device", [(360, "phone"), (1280, "desktop")])
def test_dark_mode_shows_the_dark_logo_and_a_dark_theme(browser, portal, visitor_page, width, device):
    context, page = visitor(browser, portal, width, "dark")
    try:
        errors = watch_console(page)
        page.goto(f"/experts/{visitor_page['slug']}")
        logo = page.locator(".logo img")
        expect(logo).to_be_visible()
        dark = page.locator('.logo source[media="(prefers-color-scheme: dark)"]').get_attribute("srcset")
        assert logo.evaluate("img => img.currentSrc") == dark, "the light logo shows in dark mode"
        background = page.evaluate("getComputedStyle(document.body).backgroundColor")
        assert background == "rgb(20, 20, 22)", background
        checked(page, f"the public page in dark mode on a {device}", errors)
        screenshot(page, f"public-page-{device}-dark")
    finally:
        context.close()
