"""Curating as a curator would (issue 18, points 2, 3, 4 and 9): what a result is, a selection
that stays across searches and pages, many decided at once, a decline that asks first and can
be undone, and a use case page that fits a phone."""
from __future__ import annotations

import uuid

from playwright.sync_api import expect

from tests.e2e.helpers import eligible_talent, eventually_ok, new_partner, put_talent, sign_up
from tests.support.procs import wait_until

from .pages import checked, screenshot, watch_console


def _signed_in(open_browser, account: dict, width: int = 1280):
    page = open_browser(width=width, height=900)
    errors = watch_console(page)
    page.goto("/portal/signin")
    page.get_by_label("Email").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    return page, errors


def _setup(portal, eligible: int, ineligible: int = 0):
    marker = f"Zq{uuid.uuid4().hex[:6]}"
    admin = sign_up(portal, "Curator")
    partner = new_partner(portal, admin)
    eventually_ok(portal, f"/api/v1/partners/{partner['id']}/page", admin["token"])
    docs = [{**d, "title": f"{marker} specialist", "name": f"{marker} Person {n:02d}"}
            for n, d in enumerate(eligible_talent(eligible + ineligible, seed=11))]
    for d in docs[:ineligible]:  # first in name order: on the first page of results
        d.update(jss=60)
    for d in docs:
        put_talent(portal, d)
    uid = portal.call("POST", f"/api/v1/partners/{partner['id']}/use-cases", admin["token"],
                      json={"name": "Onboarding", "description": "First version"}).json()["id"]
    wait_until(lambda: len(portal.call("GET", f"/api/v1/partners/{partner['id']}/talent", admin["token"],
                                       params={"q": marker}).json()["items"]) == len(docs), 15, 0.1, "talent indexed")
    return admin, partner, uid, marker, docs


def test_a_selection_survives_searches_and_pages_and_many_are_approved_at_once(portal, open_browser):
    admin, partner, uid, marker, docs = _setup(portal, 22, ineligible=1)
    page, errors = _signed_in(open_browser, admin)
    page.goto(f"/portal/p/{partner['id']}/use-cases/{uid}")
    page.get_by_label("Search the talent directory").fill(marker)
    page.get_by_role("button", name="Search").click()
    names = sorted(d["name"] for d in docs)
    low = next(d for d in docs if d["jss"] == 60)["name"]
    # the ineligible one cannot be ticked and says why
    expect(page.get_by_label(low)).to_be_disabled()
    expect(page.locator("tr.blocked")).to_contain_text("Job Success Score below 80%")
    first_page = [n for n in names[:20] if n != low][:3]
    for name in first_page:
        page.get_by_label(name).check()
    page.get_by_role("button", name="Next results").click()
    expect(page.get_by_role("heading", name="Selected (3)")).to_be_visible()
    later = [n for n in names[20:] if n != low][:1]
    for name in later:
        page.get_by_label(name).check()
    page.get_by_label("Eligible only").check()
    page.get_by_role("button", name="Search").click()   # a new search keeps the selection
    expect(page.get_by_role("heading", name="Selected (4)")).to_be_visible()
    for name in first_page:
        expect(page.get_by_label(name)).to_be_checked()
    checked(page, "search results with a kept selection", errors)
    page.get_by_role("button", name="Save the selection and ticks").click()
    expect(page.get_by_text("Saved: 4 added for review")).to_be_visible()
    expect(page.get_by_label("Eligible only")).to_be_checked()          # the filters stay after Save
    expect(page.get_by_label("Search the talent directory")).to_have_value(marker)
    expect(page.locator("tr", has_text=first_page[0])).to_contain_text("Pending here")
    expect(page.get_by_label(first_page[0]).first).to_be_disabled()
    # the Pending list shows what a curator decides on, and all are ticked: one click approves them
    expect(page.locator(".experts li", has_text=first_page[0])).to_contain_text("JSS")
    page.get_by_role("button", name="Approve ticked").click()
    expect(page.get_by_text("4 approved:")).to_be_visible()
    expect(page.get_by_role("link", name="Approved (4)")).to_be_visible()
    screenshot(page, "use-case-bulk-approved")
    checked(page, "the use case after a bulk approval", errors)


def test_declining_an_approved_expert_asks_first_and_can_be_undone(portal, open_browser):
    admin, partner, uid, marker, docs = _setup(portal, 2)
    pid, token = partner["id"], admin["token"]
    ids = [d["freelancer_id"] for d in docs]
    portal.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token, json={"freelancer_ids": ids})
    assert portal.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts:decide", token,
                       json={"approve": ids}).status_code == 200
    featured = portal.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings", token,
                           json={"kind": "project", "freelancer_id": ids[0], "offering_id": docs[0]["projects"][0]["id"]})
    assert featured.status_code == 201, featured.text
    page, errors = _signed_in(open_browser, admin)
    page.goto(f"/portal/p/{pid}/use-cases/{uid}?tab=approved")
    expect(page.locator("#at-risk-help")).to_contain_text("80%")
    page.get_by_role("button", name=f"Decline {docs[0]['name']}").click()
    expect(page.get_by_role("heading", name="Decline 1 approved expert?")).to_be_visible()
    expect(page.locator(".confirm")).to_contain_text(docs[0]["projects"][0]["title"])  # what will follow
    checked(page, "the confirmation before declining an approved expert", errors)
    screenshot(page, "confirm-decline")
    page.get_by_role("link", name="Cancel").click()
    expect(page.get_by_role("link", name="Approved (2)")).to_be_visible()   # nothing happened
    page.get_by_role("button", name=f"Decline {docs[0]['name']}").click()
    page.get_by_role("button", name="Yes, decline").click()
    expect(page.get_by_text(f"{docs[0]['name']} declined.")).to_be_visible()
    expect(page.get_by_role("link", name="Approved (1)")).to_be_visible()
    page.get_by_role("button", name="Undo: approve them again").click()
    expect(page.get_by_text(f"{docs[0]['name']} approved.")).to_be_visible()
    expect(page.get_by_role("link", name="Approved (2)")).to_be_visible()
    # removing a featured offering asks too, and Undo features it again
    page.get_by_role("button", name=f"Remove {docs[0]['projects'][0]['title']}").click()
    page.get_by_role("button", name="Yes, remove").click()
    expect(page.get_by_text("is no longer featured.")).to_be_visible()
    page.get_by_role("button", name="Undo: feature it again").click()
    expect(page.get_by_text("again.")).to_be_visible()
    expect(page.locator("#offerings-section li")).to_have_count(1)
    checked(page, "the approved tab after undo", errors)


def test_on_a_phone_the_use_case_fits_and_its_description_can_be_edited(portal, open_browser):
    admin, partner, uid, marker, docs = _setup(portal, 3)
    page, errors = _signed_in(open_browser, admin, width=360)
    page.goto(f"/portal/p/{partner['id']}/use-cases/{uid}")
    page.get_by_label("Search the talent directory").fill(marker)
    page.get_by_role("button", name="Search").click()
    expect(page.get_by_label(docs[0]["name"])).to_be_visible()
    assert page.evaluate("() => document.documentElement.scrollWidth") <= 360
    tabs = page.locator(".tabs li").evaluate_all("els => new Set(els.map(e => e.getBoundingClientRect().top)).size")
    assert tabs <= 2, f"the tabs wrap onto {tabs} rows"
    screenshot(page, "use-case-phone")
    checked(page, "search results at 360 px", errors)
    page.get_by_text("Edit use case details").click()
    page.get_by_label("Description (optional)").fill("Second version, edited")
    page.get_by_role("button", name="Save details").click()
    expect(page.get_by_text("Details saved.")).to_be_visible()
    expect(page.get_by_role("paragraph").filter(has_text="Second version, edited")).to_be_visible()
    checked(page, "the use case after editing its details", errors)
