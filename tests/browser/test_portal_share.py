"""The portal's Share page (issue 17, Reach): the public address, each use case's, the
embed code, and a preview link created, opened by a colleague and revoked. axe on each view."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import publishable_page

from .pages import checked, screenshot
from .test_portal_housekeeping import _signed_in


def test_a_partner_shares_the_page_embeds_it_and_lets_a_colleague_preview_it_until_revoked(portal, open_browser):
    ready = publishable_page(portal)
    slug = ready["partner"]["slug"]
    page, errors = _signed_in(open_browser, ready["admin"])
    page.get_by_role("link", name="Share", exact=True).click()
    expect(page.get_by_role("heading", level=1)).to_have_text("Share your Experts page")
    checked(page, "the Share page", errors)
    page_url = page.get_by_label("Your page").input_value()
    assert page_url.endswith(f"/experts/{slug}")
    assert page.get_by_label("Use case “Email Automation”").first.input_value() == f"{page_url}/email-automation"
    code = page.get_by_label("The whole page").input_value()
    assert code.startswith(f'<iframe src="{page_url.replace("/experts/", "/embed/")}" ')
    embed = page.locator("#embed-use-case-1").input_value()
    assert f'/embed/{slug}/email-automation"' in embed

    page.get_by_label("Valid for (days, 1 to 30)").fill("31")
    page.get_by_role("button", name="Create preview link").click()
    expect(page.get_by_text("Give a number of days from 1 to 30.")).to_be_visible()
    page.get_by_label("Valid for (days, 1 to 30)").fill("2")
    page.get_by_role("button", name="Create preview link").click()
    link = page.get_by_role("textbox", name="Preview link", exact=True).input_value()
    assert "/preview/" in link
    checked(page, "the Share page showing a new preview link", errors)
    screenshot(page, "portal-share")
    path = "/preview/" + link.split("/preview/", 1)[1]

    colleague = open_browser()
    assert colleague.goto(path).status == 200  # unpublished, and still shown through the link
    expect(colleague.get_by_role("heading", level=1)).to_be_visible()

    page.goto(f"/portal/p/{ready['partner']['id']}/share")
    expect(page.get_by_role("textbox", name="Preview link", exact=True)).to_have_count(0)  # shown once
    page.get_by_role("button", name="Revoke the link created").click()
    expect(page.get_by_text("The preview link no longer opens the page.")).to_be_visible()
    expect(page.get_by_text("No live preview links.")).to_be_visible()
    assert colleague.goto(path).status == 404
