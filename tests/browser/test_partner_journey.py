"""The whole journey of a new partner, in the browser, as they would click through it."""
from __future__ import annotations

from playwright.sync_api import expect

import re
import uuid

import requests

from tests.e2e.helpers import CORPUS, eligible_talent, later, put_talent
from tests.support.mail import Mailbox, text_of
from tests.support.procs import wait_until

from .pages import checked, screenshot, visit, watch_console

MARKER = "Quixotic"  # a word only this journey's talent has in their title
HOSTILE = '<script>alert("x")</script><img src=x onerror=alert(1)>'


def test_a_new_partner_builds_publishes_and_keeps_their_experts_page(portal, open_browser):
    talent = _talent(portal, 12)
    admin = open_browser()
    errors = watch_console(admin)
    email_address = f"ada-{uuid.uuid4().hex[:8]}@example.com"

    _sign_up(admin, "Ada Admin", email_address, errors)
    _confirm_email_from_the_mail(portal, admin, email_address, errors)
    partner = _operator_grants_access(portal, email_address)
    _count_clicks(admin)
    admin.get_by_role("link", name="Check again").click()
    expect(admin.get_by_role("heading", name="Your Experts page")).to_be_visible()
    checked(admin, "the dashboard of a new partner", errors)

    coworker_email = f"bob-{uuid.uuid4().hex[:8]}@example.com"
    _invite(admin, coworker_email, errors)
    _coworker_accepts_from_the_email(portal, open_browser, coworker_email, partner)

    first_use_case = _create_use_cases(admin, errors)
    _curate(admin, talent, errors)
    _feature_offerings(admin, errors)
    _upload_brand_assets(admin, errors)
    public_url = _publish(admin, errors)
    clicks = admin.evaluate("() => Number(sessionStorage.getItem('clicks') || 0)")
    print(f"clicks from sign-in to a published page: {clicks}")
    # about 53 before issue 18 (28 of them approving 11 experts one by one): now one click approves the ten
    assert clicks <= 32, f"{clicks} clicks from sign-in to a published page"

    visitor = open_browser()
    visitor.goto(public_url)
    approved_names = [doc["name"] for doc in talent[:10]]
    for name in approved_names:
        assert visitor.get_by_text(name, exact=True).count() >= 1, f"{name} is not on the public page"
    assert visitor.get_by_text(first_use_case).count() >= 1
    screenshot(visitor, "public-page")

    suspended = talent[0]
    put_talent(portal, {**suspended, "account_status": "suspended", "updated_at": later(suspended["updated_at"])})
    wait_until(lambda: visitor.reload() and visitor.get_by_text(suspended["name"], exact=True).count() == 0,
               10, 0.3, "the suspended expert to leave the public page")
    _activity_shows_the_removal(admin, suspended, errors)

    admin.get_by_role("link", name="Dashboard").click()
    removal = admin.locator(".removals li", has_text=suspended["name"])   # who, why, when, where
    expect(removal).to_contain_text("Account suspended")
    expect(removal).to_contain_text(first_use_case)
    admin.get_by_role("switch", name="Unpublish").click()
    # it asks first, and says republishing needs the expert the suspension took (9 of 10 left)
    expect(admin.locator(".confirm")).to_contain_text("experts approved (9 of 10)")
    checked(admin, "the confirmation before unpublishing", errors)
    screenshot(admin, "confirm-unpublish")
    assert requests.get(public_url, timeout=10).status_code == 200   # nothing happened yet
    admin.get_by_role("button", name="Yes, unpublish").click()
    expect(admin.get_by_text("Your page is no longer public.")).to_be_visible()
    assert requests.get(public_url, timeout=10).status_code == 404
    checked(admin, "the dashboard after unpublishing", errors)


def _count_clicks(page) -> None:
    """Every click of the person on any page of this tab, kept across navigations (the
    DevTools protocol injects the listener: the portal's CSP does not apply to it)."""
    page.context.add_init_script(
        "document.addEventListener('click', (e) => { if (e.isTrusted) sessionStorage.setItem('clicks',"
        " String(Number(sessionStorage.getItem('clicks') || 0) + 1)); }, true);")


def _talent(portal, count: int) -> list[dict]:
    docs = []
    for n, doc in enumerate(eligible_talent(count, seed=7)):
        doc = {**doc, "title": f"{MARKER} automation specialist", "name": f"{doc['name']} {n}",
               "projects": [{"id": f"p{n}", "title": f"Zap audit {n}", "price": 400 + n, "delivery_days": 5}],
               "consultations": [{"id": f"c{n}", "title": f"Automation clinic {n}", "duration_minutes": 45,
                                  "price": 120}]}
        put_talent(portal, doc)
        docs.append(doc)
    return sorted(docs, key=lambda d: d["name"])


def _sign_up(page, name: str, address: str, errors: list[str]) -> None:
    visit(page, "/portal/signup", "sign-up", errors)
    page.get_by_label("Your name").fill(name)
    page.get_by_label("Work email").fill(address)
    page.get_by_label("Password").fill("correct horse battery")
    page.get_by_role("button", name="Create account").click()
    expect(page.get_by_role("heading", name=f"Welcome, {name}")).to_be_visible()
    expect(page.get_by_text(f"We sent a link to {address}")).to_be_visible()
    checked(page, "the page of an account waiting for access", errors)


def _confirm_email_from_the_mail(portal, page, address: str, errors: list[str]) -> None:
    """The link in the mail opens a page whose button confirms: merely opening it does not."""
    [message] = wait_until(lambda: Mailbox.of_stack(portal).to(address, "/verify-email/"), 15, 0.2,
                           f"the verification email to {address}")
    link = re.search(r"https?://\S+/verify-email/[A-Za-z0-9_\-]+", text_of(message)).group(0)
    visit(page, link, "the email verification page", errors)
    refused = portal.operator("POST", "/internal/v1/partners",
                              json={"name": "Too early", "slug": f"early-{uuid.uuid4().hex[:8]}", "admin_email": address})
    assert refused.json()["code"] == "account_not_verified"  # opening the link alone verified nothing
    page.get_by_role("button", name="Confirm my email address").click()
    expect(page.get_by_text("Your email address is confirmed.")).to_be_visible()
    checked(page, "the portal after confirming the email address", errors)


def _operator_grants_access(portal, address: str) -> dict:
    slug = f"acme-{uuid.uuid4().hex[:8]}"
    granted = portal.operator("POST", "/internal/v1/partners",
                              json={"name": "Acme Automation", "slug": slug, "admin_email": address})
    assert granted.status_code == 201, granted.text
    return granted.json()


def _invite(page, address: str, errors: list[str]) -> None:
    page.get_by_role("link", name="Team").click()
    checked(page, "the team page", errors)
    page.get_by_label("Email addresses").fill(address)
    page.get_by_label("Message (optional)").fill(f"Join us {HOSTILE}")
    page.get_by_role("button", name="Send invitations").click()
    expect(page.get_by_text(f"Invitation sent to {address}.")).to_be_visible()
    expect(page.get_by_role("cell", name=address, exact=True)).to_be_visible()
    screenshot(page, "team")
    checked(page, "the team page with a pending invitation", errors)


def _coworker_accepts_from_the_email(portal, open_browser, address: str, partner: dict) -> None:
    [message] = wait_until(lambda: Mailbox.of_stack(portal).to(address, "/invitations/"), 15, 0.2,
                           f"the invitation email to {address}")
    body = text_of(message)
    assert HOSTILE in body  # the message travels as plain text, never as markup
    link = re.search(r"https?://\S+/invitations/[A-Za-z0-9_\-]+", body).group(0)
    coworker = open_browser(width=360, height=740)
    errors = watch_console(coworker)
    visit(coworker, link, "the invitation page, signed out", errors)
    coworker.get_by_role("link", name="Create an account").click()
    coworker.get_by_label("Your name").fill("Bob Coworker")
    coworker.get_by_label("Work email").fill(address)
    coworker.get_by_label("Password").fill("another good passphrase")
    coworker.get_by_role("button", name="Create account").click()
    expect(coworker.get_by_text(f"You are signed in as {address}")).to_be_visible()
    checked(coworker, "the invitation page, signed in", errors)
    coworker.get_by_role("button", name="Join the team").click()
    expect(coworker.get_by_text("Welcome to the team.")).to_be_visible()
    coworker.get_by_role("link", name="Team").click()
    expect(coworker.get_by_text("Only the team's admins can invite")).to_be_visible()
    expect(coworker.get_by_role("button", name="Send invitations")).to_have_count(0)
    assert coworker.evaluate("() => document.documentElement.scrollWidth") <= 360
    checked(coworker, "the team page of a member at 360px", errors)


def _create_use_cases(page, errors: list[str]) -> str:
    page.get_by_role("link", name="Use cases").click()
    checked(page, "the use cases page, empty", errors)
    for name in (f"CRM {HOSTILE}"[:60], "Email automation"):
        page.get_by_label("Name", exact=True).fill(name)
        page.get_by_role("button", name="Create use case").click()
        expect(page.get_by_role("heading", name=name, exact=True)).to_be_visible()
        page.get_by_role("link", name="Use cases", exact=True).first.click()
    expect(page.get_by_text("0 approved · 0 pending · 0 declined · 0 removed")).to_have_count(2)
    assert page.evaluate("() => window.__xss === undefined && !document.querySelector('main script')")
    checked(page, "the use cases page with two use cases", errors)
    page.get_by_role("link", name="Email automation").click()
    return "Email automation"


def _curate(page, talent: list[dict], errors: list[str]) -> None:
    """Select the page of results at once, save, then approve the ticked ten in one click
    (experts:decide) and decline one."""
    page.get_by_label("Search the talent directory").fill(MARKER)
    page.get_by_label("Eligible only").check()
    page.get_by_role("button", name="Search").click()
    page.get_by_role("button", name="Select all eligible on this page").click()
    expect(page.get_by_role("heading", name=f"Selected ({len(talent)})")).to_be_visible()
    screenshot(page, "use-case-search")
    checked(page, "a use case with search results", errors)
    page.get_by_role("button", name="Save the selection and ticks").click()
    expect(page.get_by_text(f"Saved: {len(talent)} added for review")).to_be_visible()
    for doc in talent[10:]:
        page.locator(".experts").get_by_label(doc["name"], exact=True).uncheck()
    page.get_by_role("button", name="Approve ticked").click()
    expect(page.get_by_text("10 approved:")).to_be_visible()
    page.get_by_role("button", name=f"Decline {talent[10]['name']}").click()
    expect(page.get_by_role("link", name="Approved (10)")).to_be_visible()
    expect(page.get_by_role("link", name="Declined (1)")).to_be_visible()
    checked(page, "the pending tab after decisions", errors)


def _feature_offerings(page, errors: list[str]) -> None:
    page.get_by_role("link", name="Approved (10)").click()
    for kind in ("Project", "Consultation"):
        select = page.get_by_label("Feature an approved expert's offering")
        label = next(o for o in select.locator("option").all_inner_texts() if o.startswith(kind))
        select.select_option(label=label)
        page.get_by_role("button", name="Add").click()
        expect(page.get_by_text("Featured “")).to_be_visible()
    expect(page.locator("#offerings-section li")).to_have_count(2)
    screenshot(page, "use-case-approved")
    checked(page, "the approved tab with featured offerings", errors)


def _upload_brand_assets(page, errors: list[str]) -> None:
    page.get_by_role("link", name="Brand assets").click()
    checked(page, "the brand assets page, empty", errors)
    page.get_by_label("Upload logo for light backgrounds").set_input_files(str(CORPUS / "logo-25.svg"))
    page.locator("form[action$='/assets/logo-light'] button").click()
    refusal = page.locator("#a-logo-light-error")
    assert "24" in refusal.inner_text() and "high" in refusal.inner_text(), refusal.inner_text()
    checked(page, "the brand assets page with a refused logo", errors)
    for kind, label, filename in (("logo-light", "Upload logo for light backgrounds", "logo-24.svg"),
                                  ("logo-dark", "Upload logo for dark backgrounds", "logo-24px.svg"),
                                  ("branded-image", "Upload branded image", "ratio-4x3.png")):
        page.get_by_label(label).set_input_files(str(CORPUS / filename))
        page.locator(f"form[action$='/assets/{kind}'] button").click()
        expect(page.get_by_text("updated.")).to_be_visible()
    expect(page.get_by_role("img", name="Logo for dark backgrounds on a dark background")).to_be_visible()
    expect(page.get_by_role("img", name="Current branded image")).to_be_visible()
    screenshot(page, "brand-assets")
    checked(page, "the brand assets page with every asset", errors)


def _publish(page, errors: list[str]) -> str:
    page.get_by_role("link", name="Dashboard").click()
    expect(page.locator(".requirements .unmet")).to_have_count(0)
    page.get_by_role("switch", name="Publish").click()
    expect(page.get_by_text("Your page is published.")).to_be_visible()
    screenshot(page, "dashboard")
    checked(page, "the dashboard of a published page", errors)
    return page.locator(".publish a").get_attribute("href")


def _activity_shows_the_removal(page, doc: dict, errors: list[str]) -> None:
    page.get_by_role("link", name="Activity").click()
    page.get_by_label("Show").select_option(label="Experts")  # the page's script submits the filter
    page.wait_for_url("**/activity?kind=expert")
    removal = page.locator("tr.action-expert-removed")
    wait_until(lambda: removal.count() >= 1 or (page.reload() and False), 10, 0.3, "the removal in the activity log")
    assert "Account suspended" in removal.first.inner_text() and doc["name"] in removal.first.inner_text()
    expect(page.locator("tr.action-page-published")).to_have_count(0)  # the filter holds
    screenshot(page, "activity")
    checked(page, "the activity log filtered to experts", errors)
