"""The invitation page in Chromium (issue 18, point 6): it names the company and who invited,
a visitor on a phone finds the invited address already typed, someone signed in with another
account uses "Use another account" and joins as the invited one, and opening the link again
after joining goes straight to the partner's dashboard. Every view through axe."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import new_partner, sign_up
from tests.e2e.test_membership_invitations import link_in_mail

from .pages import checked, visit, watch_console


def test_an_invitee_is_greeted_by_name_switches_account_and_lands_on_the_dashboard(portal, open_browser):
    admin = sign_up(portal, "Irene")
    partner = new_partner(portal, admin)
    pid, company = partner["id"], partner["name"]
    invitee, stranger = sign_up(portal, "Ivo"), sign_up(portal, "Sam")
    sent = portal.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"],
                       json={"emails": [invitee["email"]]})
    assert sent.status_code == 201, sent.text
    link = f"/invitations/{link_in_mail(portal, invitee['email'])}"

    phone = open_browser(width=360, height=740)
    errors = watch_console(phone)
    visit(phone, link, "the invitation page, signed out, at 360 px", errors)
    expect(phone.get_by_role("heading", name=f"Join {company}")).to_be_visible()
    expect(phone.get_by_text(f"Irene invited {invitee['email']}")).to_be_visible()
    phone.get_by_role("link", name="Create an account").click()
    expect(phone.get_by_label("Work email")).to_have_value(invitee["email"])
    checked(phone, "sign-up from an invitation, prefilled", errors)
    assert phone.evaluate("() => document.documentElement.scrollWidth") <= 360

    desk = open_browser()
    errors = watch_console(desk)
    desk.goto("/portal/signin")
    desk.get_by_label("Email").fill(stranger["email"])
    desk.get_by_label("Password").fill(stranger["password"])
    desk.get_by_role("button", name="Sign in").click()
    visit(desk, link, "the invitation page, signed in as someone else", errors)
    expect(desk.get_by_text(f"but this invitation was sent to {invitee['email']}")).to_be_visible()
    expect(desk.get_by_role("button", name="Join the team")).to_have_count(0)
    desk.get_by_role("button", name="Use another account").click()
    expect(desk.get_by_label("Email")).to_have_value(invitee["email"])
    checked(desk, "sign-in after Use another account, prefilled", errors)
    desk.get_by_label("Password").fill(invitee["password"])
    desk.get_by_role("button", name="Sign in").click()
    expect(desk.get_by_text(f"You are signed in as {invitee['email']}")).to_be_visible()
    desk.get_by_role("button", name="Join the team").click()
    expect(desk.get_by_text("Welcome to the team.")).to_be_visible()
    desk.goto(link)                                       # the mail's link again, after joining
    expect(desk.get_by_text(f"You are already a member of {company}.")).to_be_visible()
    assert desk.url.endswith(f"/portal/p/{pid}")
    checked(desk, "the dashboard reached from a used invitation", errors)
