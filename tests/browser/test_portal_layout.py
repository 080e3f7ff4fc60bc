"""Every page at 360px wide without sideways scrolling, and a keyboard user sees where they are."""
from __future__ import annotations

from playwright.sync_api import expect

from tests.e2e.helpers import eligible_talent, eventually_ok, new_partner, put_talent, sign_up
from tests.support.procs import wait_until

from .pages import checked, watch_console


def _partner_with_a_use_case(portal) -> tuple[dict, dict, str]:
    admin = sign_up(portal, "Margaret")
    partner = new_partner(portal, admin)
    eventually_ok(portal, f"/api/v1/partners/{partner['id']}/page", admin["token"])
    for doc in eligible_talent(3, seed=11):
        put_talent(portal, {**doc, "name": f"{doc['name']} with a rather long double-barrelled surname"})
    created = portal.call("POST", f"/api/v1/partners/{partner['id']}/use-cases", admin["token"],
                          json={"name": "A use case with quite a long name to wrap"})
    assert created.status_code == 201, created.text
    return admin, partner, created.json()["id"]


WIDEST = """() => [...document.querySelectorAll('body *')].filter(e => !e.closest('.table-wrap')
    && e.getBoundingClientRect().right > 361).slice(0, 5).map(e => `${e.tagName}.${e.className}`)"""


def _sign_in(page, account: dict) -> None:
    page.goto("/portal/signin")
    page.get_by_label("Email").fill(account["email"])
    page.get_by_label("Password").fill(account["password"])
    page.get_by_role("button", name="Sign in").click()
    page.wait_for_url("**/portal/p/*")


def test_every_page_fits_a_360px_screen(portal, open_browser):
    admin, partner, uid = _partner_with_a_use_case(portal)
    page = open_browser(width=360, height=740)
    errors = watch_console(page)
    _sign_in(page, admin)
    pid = partner["id"]
    wait_until(lambda: portal.call("GET", f"/api/v1/partners/{pid}/talent?q=surname", admin["token"]).json()["items"],
               10, 0.2, "the talent in catalog")
    for path in (f"/portal/p/{pid}", f"/portal/p/{pid}/use-cases",
                 f"/portal/p/{pid}/use-cases/{uid}?search=1&q=surname", f"/portal/p/{pid}/team",
                 f"/portal/p/{pid}/assets", f"/portal/p/{pid}/activity", "/portal/signout-missing"):
        page.goto(path)
        width = page.evaluate("() => document.documentElement.scrollWidth")
        assert width <= 360, f"{path} is {width}px wide at 360px: {page.evaluate(WIDEST)}"
        checked(page, f"{path} at 360px", errors)


def test_a_keyboard_user_can_skip_to_the_content_and_always_sees_the_focus(portal, open_browser):
    admin, partner, _ = _partner_with_a_use_case(portal)
    page = open_browser()
    _sign_in(page, admin)
    page.keyboard.press("Tab")
    assert page.evaluate("() => document.activeElement.textContent") == "Skip to content"
    _assert_focus_visible(page)
    page.keyboard.press("Enter")
    assert page.evaluate("() => document.activeElement.id") == "main"
    for _ in range(4):  # on through the page (4 links and the publish switch): each shows a focus ring
        page.keyboard.press("Tab")
        _assert_focus_visible(page)
    page.goto(f"/portal/p/{partner['id']}/use-cases")
    page.get_by_label("Name", exact=True).focus()
    page.keyboard.type("Typed with the keyboard")
    page.keyboard.press("Enter")
    expect(page.get_by_role("heading", name="Typed with the keyboard")).to_be_visible()


def _assert_focus_visible(page) -> None:
    style = page.evaluate("""() => { const s = getComputedStyle(document.activeElement);
        return {tag: document.activeElement.tagName, style: s.outlineStyle, width: parseFloat(s.outlineWidth)}; }""")
    assert style["style"] != "none" and style["width"] >= 2, f"no visible focus on {style}"
