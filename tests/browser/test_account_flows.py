"""The account flows in Chromium at 360 px and on a desktop, each page checked with axe:
forgot password and the mailed link, change password, two-factor setup with the QR code,
signing in with a code, and making a coworker an admin."""
from __future__ import annotations

import re
import time

import pyotp
import pytest
from playwright.sync_api import expect

from tests.e2e.helpers import eventually_ok, new_partner, sign_up
from tests.support.mail import Mailbox

from .pages import checked, screenshot, watch_console


def _sign_in(page, email: str, password: str) -> None:
    page.goto("/portal/signin")
    page.get_by_label("Email").fill(email)
    page.get_by_label("Password").fill(password)
    page.get_by_role("button", name="Sign in").click()


def _no_sideways_scroll(page, what: str) -> None:
    wide = page.evaluate("() => document.documentElement.scrollWidth > window.innerWidth + 1")
    assert not wide, f"{what} scrolls sideways"


@pytest.mark.parametrize("width", [360, 1280])
def test_reset_change_password_two_factor_and_sign_in_with_a_code(portal, open_browser, width):
    ada = sign_up(portal, "Ada")
    pid = new_partner(portal, ada)["id"]
    eventually_ok(portal, f"/api/v1/partners/{pid}/page", ada["token"])
    page = open_browser(width=width)
    errors = watch_console(page)

    page.goto("/portal/signin")
    page.get_by_role("link", name="Forgot your password?").click()
    checked(page, "the forgot password page", errors)
    page.get_by_label("Email").fill(ada["email"])
    page.get_by_role("button", name="Send me a link").click()
    expect(page.get_by_text("we sent it a link")).to_be_visible()
    token = Mailbox.of_stack(portal).link(ada["email"], "password-reset")
    page.goto(f"/password-reset/{token}")
    checked(page, "the password reset page", errors)
    _no_sideways_scroll(page, "the password reset page")
    page.get_by_label("New password").fill("password1")
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Use at least 10 characters.")).to_be_visible()
    checked(page, "the reset page with a weak password", errors)
    reset_password = "a reset passphrase, long enough"
    page.get_by_label("New password").fill(reset_password)
    page.get_by_role("button", name="Save the new password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()
    page.get_by_role("link", name="Sign in").click()
    _sign_in(page, ada["email"], reset_password)
    page.wait_for_url(f"**/portal/p/{pid}")

    page.get_by_role("link", name="Ada (your account)").click()
    expect(page.get_by_role("heading", name="Your account")).to_be_visible()
    checked(page, "the account page", errors)
    _no_sideways_scroll(page, "the account page")
    page.get_by_label("Current password").fill(reset_password)
    page.get_by_label("New password").fill("a changed passphrase, long too")
    page.get_by_role("button", name="Change password").click()
    expect(page.get_by_text("Your password is changed.")).to_be_visible()

    page.get_by_role("button", name="Set up two-factor sign-in").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    checked(page, "the two-factor setup with its QR code", errors)
    _no_sideways_scroll(page, "the two-factor setup")
    screenshot(page, f"account-two-factor-{width}")
    secret = page.locator("code.secret").inner_text().replace(" ", "")
    totp = pyotp.TOTP(secret)
    page.get_by_label("Code from the app").fill(totp.now())
    page.get_by_role("button", name="Turn on two-factor sign-in").click()
    expect(page.get_by_role("heading", name="Your recovery codes")).to_be_visible()
    assert page.get_by_role("list", name="Recovery codes").locator("li").count() == 10
    checked(page, "the recovery codes", errors)

    page.get_by_role("button", name="Sign out").click()
    _sign_in(page, ada["email"], "a changed passphrase, long too")
    expect(page.get_by_label("Code from your authenticator app")).to_be_visible()
    checked(page, "the sign-in form asking for a code", errors)
    page.get_by_label("Code from your authenticator app").fill(totp.at(time.time() + 30))
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url(f"**/portal/p/{pid}")
    assert not errors, errors


def test_an_admin_makes_a_coworker_an_admin_after_confirming(portal, open_browser):
    admin, bob = sign_up(portal, "Grace"), sign_up(portal, "Bob")
    pid = new_partner(portal, admin)["id"]
    portal.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"], json={"emails": [bob["email"]]})
    token = Mailbox.of_stack(portal).link(bob["email"], "invitations")
    assert portal.call("POST", "/api/v1/invitations/accept", bob["token"], json={"token": token}).ok
    page = open_browser(width=360)
    errors = watch_console(page)
    questions = []
    page.on("dialog", lambda dialog: (questions.append(dialog.message), dialog.accept()))
    _sign_in(page, admin["email"], admin["password"])
    page.wait_for_url(f"**/portal/p/{pid}")
    page.get_by_role("link", name="Team").click()
    page.get_by_role("button", name="Make Grace a member").click()
    expect(page.get_by_text("needs at least one admin")).to_be_visible()
    page.get_by_role("button", name="Make Bob an admin").click()
    expect(page.get_by_text("Bob is now an admin.")).to_be_visible()
    assert any(q.startswith("Make Bob an admin?") for q in questions)
    checked(page, "the team page with two admins", errors)
