"""The browser portal on both configurations (its sessions live in the gateway's SQLite or
PostgreSQL database): sign in, build, sign out, as a browser would over HTTP."""
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
