"""A 360 px phone downloads a small variant of the branded image, never the 2000x1500
original (issue 17: "a 360 px phone downloads the full 2000x1500 hero image")."""
from __future__ import annotations

from tests.browser.pages import checked, watch_console
from tests.e2e.helpers import publishable_page
from tests.e2e.test_gateway_public_pages import publish
from tests.e2e.test_responsive_image import upload_photo

CHROME_ON_ANDROID = ("Mozilla/5.0 (Linux; Android 14; Pixel 8) AppleWebKit/537.36 (KHTML, like Gecko) "
                     "Chrome/124.0.0.0 Mobile Safari/537.36")


def test_a_360px_phone_downloads_a_variant_of_at_most_100_kb_not_the_original(browser, portal):
    ready = publishable_page(portal)
    path = publish(portal, ready)
    image = upload_photo(portal, ready)
    context = browser.new_context(base_url=portal.url, viewport={"width": 360, "height": 740},
                                  user_agent=CHROME_ON_ANDROID)
    try:
        # The public page names no icon, so Chromium asks for /favicon.ico (404): not this test's matter.
        context.route("**/favicon.ico", lambda route: route.fulfill(status=204))
        page = context.new_page()
        errors = watch_console(page)
        fetched = []
        page.on("requestfinished", lambda request: fetched.append(request))
        page.goto(path)
        hero = page.locator("img.hero")
        hero.scroll_into_view_if_needed()
        page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=hero.element_handle())
        checked(page, "the public page with its branded image on a phone", errors)
        chosen = hero.evaluate("img => img.currentSrc")
        variant = next(v for v in image["variants"] if v["url"].endswith(chosen.rsplit("/", 1)[1]))
        assert variant["width"] == 480 and variant["content_type"] == "image/webp"
        downloads = {r.url.rsplit("/", 1)[1]: r.response().body() for r in fetched if "/assets/" in r.url}
        assert image["url"].rsplit("/", 1)[1] not in downloads, "the phone fetched the 2000x1500 original"
        assert len(downloads[chosen.rsplit("/", 1)[1]]) <= 100_000
    finally:
        context.close()
