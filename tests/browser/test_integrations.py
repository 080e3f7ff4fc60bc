"""An admin plugs the team's systems in, in the browser: an API key shown once with a copy
button, used by a script, revoked after a confirmation; a webhook added with its events, its
secret shown once, a test event delivered, redelivered and the secret rotated. axe-core on
every page."""
from __future__ import annotations

import time

from playwright.sync_api import expect

from tests.e2e.helpers import eventually_ok, new_partner, sign_up
from tests.support.receiver import Receiver

from .pages import checked, watch_console
from .test_portal_housekeeping import _signed_in


def test_an_admin_creates_uses_and_revokes_a_key_and_runs_a_webhook(portal, open_browser):
    admin = sign_up(portal, "Ines")
    pid = new_partner(portal, admin)["id"]
    eventually_ok(portal, f"/api/v1/partners/{pid}/use-cases", admin["token"])
    page, errors = _signed_in(open_browser, admin)

    page.get_by_role("link", name="API keys").click()
    checked(page, "the API keys page", errors)
    page.get_by_label("Name").fill("Nightly sync")
    page.get_by_role("button", name="Create key").click()
    key = page.get_by_role("textbox", name="API key", exact=True).input_value()
    assert key.startswith("pek_")
    expect(page.get_by_role("button", name="Copy key")).to_be_visible()
    checked(page, "the API keys page showing a new key", errors)
    assert portal.call("GET", f"/api/v1/partners/{pid}/use-cases", key).status_code == 200
    page.goto(f"/portal/p/{pid}/api-keys")
    expect(page.get_by_role("textbox", name="API key", exact=True)).to_have_count(0)  # shown once
    expect(page.get_by_role("cell", name="Nightly sync", exact=True)).to_be_visible()
    expect(page.get_by_role("cell", name="Never", exact=True)).to_have_count(0)  # its use is on record
    page.get_by_role("button", name="Revoke the key Nightly sync").click()
    expect(page.get_by_text("API key revoked")).to_be_visible()
    deadline = time.monotonic() + 5
    while portal.call("GET", f"/api/v1/partners/{pid}/use-cases", key).status_code != 401:
        assert time.monotonic() < deadline
        time.sleep(0.2)

    receiver = Receiver()
    try:
        page.get_by_role("link", name="Webhooks").click()
        checked(page, "the webhooks page", errors)
        page.get_by_role("button", name="Add webhook").click()
        expect(page.get_by_text("Choose at least one event.")).to_be_visible()
        page.get_by_label("Address (https)").fill(receiver.url())
        page.get_by_label("Page published").check()
        page.get_by_role("button", name="Add webhook").click()
        secret = page.get_by_role("textbox", name=f"Signing secret for {receiver.url()}").input_value()
        assert secret.startswith("whsec_")
        checked(page, "the webhooks page showing a new secret", errors)

        page.get_by_role("link", name=receiver.url()).click()
        page.get_by_role("button", name="Send a test event").click()
        expect(page.get_by_text("Test event queued")).to_be_visible()
        for _ in range(60):
            if page.get_by_role("cell", name="Delivered", exact=True).count():
                break
            time.sleep(0.5)
            page.reload()
        expect(page.get_by_role("cell", name="Delivered", exact=True)).to_be_visible()
        expect(page.get_by_role("cell", name="200", exact=True)).to_be_visible()
        assert receiver.received[0].verified_by(secret)["type"] == "webhook.test"
        checked(page, "a webhook's deliveries", errors)
        page.get_by_role("button", name="Redeliver webhook.test").first.click()
        expect(page.get_by_text("Delivery queued again")).to_be_visible()
        page.get_by_role("button", name="Rotate secret").click()
        rotated = page.get_by_role("textbox", name="Signing secret", exact=True).input_value()
        assert rotated.startswith("whsec_") and rotated != secret
        checked(page, "a webhook after rotating its secret", errors)
    finally:
        receiver.stop()
