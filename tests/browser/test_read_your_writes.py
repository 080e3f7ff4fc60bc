"""Read-your-writes in the portal (issue 18, point 1): with every consumer frozen (the bus as
slow as it gets), the page after an action shows its effect: a coworker's first screen after
"Join the team" is a working dashboard (repeated: it failed in two joins of two), a new use
case and its experts show with their counts, and the curator's decisions are counted at once."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import eligible_talent, eventually_ok, new_partner, put_talent, sign_up, verified
from tests.e2e.test_membership_invitations import link_in_mail
from tests.support.procs import wait_until

from .pages import checked, visit, watch_console

CONSUMERS = ("catalog.consumer", "assets.consumer", "eligibility.consumer", "gateway.consumer", "webhooks.consumer")
JOINS = 3


def _sign_in(page, account: dict) -> None:
    page.goto("/portal/signin")
    page.get_by_label("Email").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()


def test_every_join_lands_on_a_working_dashboard_with_the_bus_frozen(portal, open_browser):
    admin = sign_up(portal, "Admin")
    partner = new_partner(portal, admin)
    pid = partner["id"]
    eventually_ok(portal, f"/api/v1/partners/{pid}/page", admin["token"])
    coworkers = [verified(portal, sign_up(portal, f"Coworker{n}")) for n in range(JOINS)]
    sent = portal.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"],
                       json={"emails": [c["email"] for c in coworkers]})
    assert sent.status_code == 201, sent.text
    links = [f"/invitations/{link_in_mail(portal, c['email'])}" for c in coworkers]
    portal.pause(*CONSUMERS)
    try:
        for coworker, link in zip(coworkers, links):
            page = open_browser(width=360, height=740)
            errors = watch_console(page)
            _sign_in(page, coworker)
            visit(page, link, "the invitation page", errors)
            page.get_by_role("button", name="Join the team").click()
            expect(page.get_by_text("Welcome to the team.")).to_be_visible()
            expect(page.get_by_role("heading", name="Your Experts page")).to_be_visible()
            expect(page.get_by_text("Not found")).to_have_count(0)
            checked(page, f"the first dashboard of {coworker['name']}", errors)
            page.get_by_role("link", name="Use cases").click()   # and the pages after it work too
            expect(page.get_by_role("heading", name="Use cases")).to_be_visible()
    finally:
        portal.resume(*CONSUMERS)


def test_a_new_use_case_and_its_decisions_show_at_once_with_the_bus_frozen(portal, open_browser):
    admin = sign_up(portal, "Curator")
    partner = new_partner(portal, admin)
    pid = partner["id"]
    eventually_ok(portal, f"/api/v1/partners/{pid}/page", admin["token"])
    docs = eligible_talent(3, seed=5)
    for doc in docs:
        put_talent(portal, doc)
    wait_until(lambda: all(portal.call("GET", f"/api/v1/partners/{pid}/talent", admin["token"],
                                       params={"q": d["name"]}).json()["items"] for d in docs), 15, 0.1, "talent indexed")
    page = open_browser()
    errors = watch_console(page)
    _sign_in(page, admin)
    portal.pause(*CONSUMERS)
    try:
        page.get_by_role("link", name="Use cases").click()
        page.get_by_label("Name", exact=True).fill("Frozen bus")
        page.get_by_role("button", name="Create use case").click()
        expect(page.get_by_role("heading", name="Frozen bus", exact=True)).to_be_visible()
        page.get_by_label("Search the talent directory").fill(docs[0]["name"])
        page.get_by_role("button", name="Search").click()
        page.get_by_label(docs[0]["name"], exact=True).check()
        page.get_by_role("button", name="Save the selection and ticks").click()
        expect(page.get_by_role("link", name="Pending (1)")).to_be_visible()
        page.get_by_role("button", name="Approve ticked").click()
        expect(page.get_by_role("link", name="Approved (1)")).to_be_visible()
        page.get_by_role("link", name="Use cases", exact=True).first.click()
        expect(page.get_by_text("1 approved · 0 pending · 0 declined · 0 removed")).to_be_visible()
        page.get_by_role("link", name="Dashboard").click()
        expect(page.locator(".requirements")).to_contain_text("1 of 10")
        checked(page, "the dashboard after approving, bus frozen", errors)
    finally:
        portal.resume(*CONSUMERS)
