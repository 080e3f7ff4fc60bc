"""The browser portal on both configurations (its sessions live in the gateway's SQLite or
PostgreSQL database): sign in, build, sign out, as a browser would over HTTP."""
import uuid

from tests.support.mail import Mailbox
from tests.support.portal import Browser
from tests.support.procs import wait_until

from .helpers import eventually_ok, new_partner, sign_up


def test_a_partner_signs_in_to_the_portal_creates_a_use_case_and_signs_out(stack):
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    pid = partner["id"]
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", admin["token"])
    tab = Browser(stack)
    signed_in = tab.sign_in(admin)
    assert signed_in.status_code == 303 and signed_in.headers["Location"] == "/portal"
    assert tab.get("/portal").headers["Location"] == f"/portal/p/{pid}"
    dashboard = tab.get(f"/portal/p/{pid}")
    assert dashboard.status_code == 200 and "Experts approved: 0 of 10" in dashboard.text
    created = tab.post(f"/portal/p/{pid}/use-cases", {"name": "Data pipelines"})
    assert created.status_code == 303, created.text[:500]
    names = [u["name"] for u in stack.call("GET", f"/api/v1/partners/{pid}/use-cases", admin["token"]).json()["items"]]
    assert names == ["Data pipelines"]
    assert tab.post("/portal/signout").status_code == 303
    wait_until(lambda: tab.get(f"/portal/p/{pid}").status_code == 302, 5, 0.1, "signed out")


def test_a_new_account_confirms_its_email_on_the_portals_page_not_by_opening_the_link(stack):
    email = f"verify-{uuid.uuid4().hex[:8]}@example.com"
    tab = Browser(stack)
    tab.get("/portal/signup")
    weak = tab.post("/portal/signup", {"name": "Vera", "email": email, "password": "aaaaaaaaaa"})
    assert weak.status_code == 422 and "repeated character" in weak.text
    created = tab.post("/portal/signup", {"name": "Vera", "email": email, "password": "correct horse battery"})
    assert created.status_code == 303
    assert f"We sent a link to {email}" in tab.get(created.headers["Location"]).text
    token = Mailbox.of_stack(stack).link(email, "verify-email")
    page = tab.get(f"/verify-email/{token}")  # what a mail scanner does: nothing happens
    assert page.status_code == 200 and "Confirm my email address" in page.text
    assert page.headers["Cache-Control"] == "no-store"
    grant = {"name": "Vera's", "slug": f"v-{uuid.uuid4().hex[:8]}", "admin_email": email}
    assert stack.operator("POST", "/internal/v1/partners", json=grant).json()["code"] == "account_not_verified"
    for forged in (None, "forged"):
        refused = tab.post(f"/verify-email/{token}", {"csrf_token": forged} if forged else {}, csrf=False)
        assert refused.status_code == 400
    assert stack.operator("POST", "/internal/v1/partners", json=grant).json()["code"] == "account_not_verified"
    confirmed = tab.post(f"/verify-email/{token}")
    assert confirmed.status_code == 303 and confirmed.headers["Location"] == "/portal"
    assert stack.operator("POST", "/internal/v1/partners", json=grant).status_code == 201
    used = tab.post(f"/verify-email/{token}")
    assert used.status_code == 404 and "not valid, or it was used already" in used.text
