"""The smaller chores, in the browser: re-send, revoke, remove a member, rename and delete
a use case, switch between two partners."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import eventually_ok, new_partner, sign_up
from tests.e2e.test_membership_invitations import link_in_mail

from .pages import checked, watch_console


def _signed_in(open_browser, account: dict):
    page = open_browser()
    page.on("dialog", lambda dialog: dialog.accept())  # the "are you sure?" of destructive buttons
    errors = watch_console(page)
    page.goto("/portal/signin")
    page.get_by_label("Email").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    return page, errors


def test_an_admin_resends_revokes_and_removes_and_a_member_switches_partners(portal, open_browser):
    admin, coworker = sign_up(portal, "Grace"), sign_up(portal, "Linus")
    first, second = new_partner(portal, admin), new_partner(portal, coworker)
    for partner, account in ((first, admin), (second, coworker)):
        eventually_ok(portal, f"/api/v1/partners/{partner['id']}/page", account["token"])
    page, errors = _signed_in(open_browser, admin)
    page.get_by_role("link", name="Team").click()
    page.get_by_label("Email addresses").fill(f"{coworker['email']}, someone-else@example.com")
    page.get_by_role("button", name="Send invitations").click()
    page.get_by_role("button", name="Re-send the invitation to someone-else@example.com").click()
    expect(page.get_by_text("Invitation sent again.")).to_be_visible()
    page.get_by_role("button", name="Revoke the invitation of someone-else@example.com").click()
    expect(page.get_by_text("Invitation revoked.")).to_be_visible()
    expect(page.get_by_role("cell", name="someone-else@example.com", exact=True)).to_have_count(0)
    checked(page, "the team page after a revoke", errors)

    invitation = next(i for i in portal.call("GET", f"/api/v1/partners/{first['id']}/invitations",
                                             admin["token"]).json()["items"] if i["email"] == coworker["email"])
    assert invitation["status"] == "pending"
    _accept_by_api(portal, coworker, first)
    member_page, member_errors = _signed_in(open_browser, coworker)
    switcher = member_page.get_by_label("Partner")
    assert sorted(switcher.locator("option").all_inner_texts()) == sorted([first["name"], second["name"]])
    switcher.select_option(label=first["name"])
    member_page.wait_for_url(f"**/portal/p/{first['id']}")
    switcher.select_option(label=second["name"])
    member_page.wait_for_url(f"**/portal/p/{second['id']}")
    checked(member_page, "the dashboard after switching partners", member_errors)

    page.reload()
    page.get_by_role("button", name=f"Remove {coworker['name']}").click()
    expect(page.get_by_text("Member removed.")).to_be_visible()
    expect(page.get_by_role("cell", name=coworker["email"], exact=True)).to_have_count(0)

    page.get_by_role("link", name="Use cases").click()
    page.get_by_label("Name", exact=True).fill("Onboarding")
    page.get_by_role("button", name="Create use case").click()
    page.get_by_role("link", name="Use cases", exact=True).first.click()
    page.get_by_text("Rename Onboarding").click()
    page.get_by_label("New name for Onboarding").fill("Customer onboarding")
    page.get_by_role("button", name="Save name").click()
    expect(page.get_by_text("Renamed to “Customer onboarding”.")).to_be_visible()
    page.get_by_role("button", name="Delete Customer onboarding").click()
    expect(page.get_by_text("Use case deleted.")).to_be_visible()
    expect(page.get_by_text("No use cases yet")).to_be_visible()
    checked(page, "the use cases page after a delete", errors)


def _accept_by_api(portal, account: dict, partner: dict) -> None:
    """The coworker follows the link of their email (the journey test does this in the browser)."""
    accepted = portal.call("POST", "/api/v1/invitations/accept", account["token"],
                           json={"token": link_in_mail(portal, account["email"])})
    assert accepted.status_code == 200 and accepted.json()["partner_id"] == partner["id"], accepted.text
