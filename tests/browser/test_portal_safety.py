"""The portal's pages as an attacker or a clumsy script would call them: cookies, CSRF,
CSP, redirects, another partner's ids, mangled forms, a service that is down."""
from __future__ import annotations

import re
import sqlite3
import time
from datetime import datetime, timedelta, timezone

import pytest
import requests

from tests.e2e.helpers import eventually_ok, new_partner, sign_up
from tests.support.portal import Browser
from tests.support.procs import wait_until

@pytest.fixture
def member(portal):
    admin = sign_up(portal)
    partner = new_partner(portal, admin)
    tab = Browser(portal)
    assert tab.sign_in(admin).status_code == 303
    wait_until(lambda: tab.get(f"/portal/p/{partner['id']}/use-cases").status_code == 200, 10, 0.1,
               "catalog to know the partner")
    return {"tab": tab, "admin": admin, "partner": partner, "pid": partner["id"]}


def test_the_session_cookie_is_httponly_and_samesite_lax_and_not_readable_by_script(portal):
    admin = sign_up(portal)
    signed_in = Browser(portal).sign_in(admin)
    cookie = signed_in.headers["Set-Cookie"]
    assert "portal_session=" in cookie and "HttpOnly" in cookie and "SameSite=Lax" in cookie
    assert "Secure" not in cookie  # served over plain http here; Secure once PORTAL_PUBLIC_URL is https


def test_a_form_without_its_csrf_token_changes_nothing(portal, member):
    tab, pid = member["tab"], member["pid"]
    for token in (None, "forged"):
        data = {"name": "Sneaky"} | ({"csrf_token": token} if token else {})
        refused = tab.post(f"/portal/p/{pid}/use-cases", data, csrf=False)
        assert refused.status_code == 400 and "expired" in refused.text
    names = [u["name"] for u in portal.call("GET", f"/api/v1/partners/{pid}/use-cases", member["admin"]["token"]).json()["items"]]
    assert "Sneaky" not in names


def test_another_sessions_csrf_token_is_refused(portal, member):
    stranger = Browser(portal)
    stranger.get("/portal/signin")
    refused = member["tab"].post(f"/portal/p/{member['pid']}/use-cases", {"name": "Sneaky", "csrf_token": stranger.csrf},
                                 csrf=False)
    assert refused.status_code == 400


def test_portal_pages_carry_a_strict_csp_and_no_inline_script(member):
    tab, pid = member["tab"], member["pid"]
    for path in ("/portal/signin", "/portal/signup", f"/portal/p/{pid}", f"/portal/p/{pid}/use-cases",
                 f"/portal/p/{pid}/team", f"/portal/p/{pid}/assets", f"/portal/p/{pid}/activity",
                 "/invitations/not-a-real-token", "/verify-email/not-a-real-token"):
        page = tab.get(path)
        # an unknown invitation is a page in plain words answered 404
        assert page.status_code == (404 if path.startswith("/invitations/") else 200), (path, page.status_code)
        csp = page.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "unsafe-inline" not in csp and "unsafe-eval" not in csp
        assert "frame-ancestors 'none'" in csp
        assert not re.search(r"<script(?![^>]*\bsrc=)[^>]*>", page.text), f"inline script on {path}"
        assert not re.search(r"\son[a-z]+=", page.text), f"inline handler on {path}"
        assert page.headers["Cache-Control"] == "no-store"


def test_sign_in_never_redirects_off_the_site(portal):
    admin = sign_up(portal)
    for target in ("//evil.example/", "https://evil.example/", "/\\evil.example", "javascript:alert(1)"):
        answer = Browser(portal).sign_in(admin, target)
        assert answer.status_code == 303 and answer.headers["Location"] == "/portal", target


def test_another_partners_pages_and_ids_are_not_found(portal, member):
    other_admin = sign_up(portal, "Eve")
    other = new_partner(portal, other_admin)
    eventually_ok(portal, f"/api/v1/partners/{other['id']}/page", other_admin["token"])
    created = portal.call("POST", f"/api/v1/partners/{other['id']}/use-cases", other_admin["token"], json={"name": "Theirs"})
    assert created.status_code == 201, created.text
    other_uid = created.json()["id"]
    tab, pid = member["tab"], member["pid"]
    for path in (f"/portal/p/{other['id']}", f"/portal/p/{other['id']}/team", f"/portal/p/{pid}/use-cases/{other_uid}"):
        assert tab.get(path).status_code == 404, path
    tab.get(f"/portal/p/{pid}")
    for path in (f"/portal/p/{other['id']}/use-cases", f"/portal/p/{pid}/use-cases/{other_uid}/delete",
                 f"/portal/p/{pid}/use-cases/{other_uid}/rename"):
        answer = tab.post(path, {"name": "Mine now"})
        assert answer.status_code in (303, 404), (path, answer.status_code)
    names = [u["name"] for u in portal.call("GET", f"/api/v1/partners/{other['id']}/use-cases", other_admin["token"]).json()["items"]]
    assert names == ["Theirs"]


@pytest.mark.parametrize("path, data", [
    ("/portal/p/{pid}/use-cases", {}),
    ("/portal/p/{pid}/use-cases", {"name": "x" * 5000}),
    ("/portal/p/{pid}/use-cases", {"name": "\x00\u202e<b>"}),
    ("/portal/p/{pid}/use-cases/../rename", {"name": "a"}),
    ("/portal/p/{pid}/use-cases/..%2F..%2Fpage/rename", {"name": "a"}),
    ("/portal/p/{pid}/use-cases/nope/experts", {"freelancer_ids": ["x" * 300, "../../x"]}),
    ("/portal/p/{pid}/use-cases/nope/experts/a:b/approve", {}),
    ("/portal/p/{pid}/use-cases/nope/offerings", {"offering": "project|a|b|c"}),
    ("/portal/p/{pid}/publish", {"published": "maybe"}),
    ("/portal/p/{pid}/team/invitations", {"emails": "not-an-email", "message": "hi"}),
    ("/portal/p/{pid}/team/members/..%2F/remove", {}),
    ("/portal/p/{pid}/assets/logo-light", {}),
    ("/portal/p/{pid}/assets/favicon", {}),
    ("/portal/signup", {"email": "a@b", "password": "short", "name": ""}),
    ("/portal/signin", {"email": ["a", "b"], "password": "x" * 2000}),
    ("/invitations/abc", {}),
    ("/verify-email/abc", {}),
    ("/verify-email/" + "x" * 300, {"token": "other"}),
])
def test_mangled_forms_get_a_page_never_a_server_error(member, path, data):
    answer = member["tab"].post(path.format(pid=member["pid"]), data)
    assert answer.status_code < 500, (path, answer.status_code, answer.text[:300])
    assert answer.headers["Content-Type"].startswith("text/html") or answer.status_code in (303, 302)


def test_signing_out_ends_the_session_for_a_copied_cookie(portal):
    admin = sign_up(portal)
    tab = Browser(portal)
    tab.sign_in(admin)
    copied = dict(tab.http.cookies)
    tab.get("/portal")
    assert tab.post("/portal/signout").status_code == 303
    replay = requests.get(f"{portal.url}/portal", cookies=copied, allow_redirects=False, timeout=10)
    assert replay.status_code == 302 and "/portal/signin" in replay.headers["Location"]


def test_a_session_outlives_its_access_token(portal, member):
    """The gateway renews the access token through membership; the page still answers."""
    database = portal.work_dir / "data" / "gateway.sqlite3"
    past = (datetime.now(timezone.utc) - timedelta(minutes=5)).strftime("%Y-%m-%d %H:%M:%S.%f")
    with sqlite3.connect(database) as conn:
        before = dict(conn.execute("SELECT id_hash, access_token FROM portal_sessions").fetchall())
        conn.execute("UPDATE portal_sessions SET token_expires_at = ?", (past,))
    assert member["tab"].get(f"/portal/p/{member['pid']}").status_code == 200
    with sqlite3.connect(database) as conn:
        after = dict(conn.execute("SELECT id_hash, access_token FROM portal_sessions").fetchall())
    assert any(after[k] != before[k] for k in after if k in before)


def test_a_service_that_is_down_gives_a_503_page_quickly_not_a_hang(portal, member):
    tab, pid = member["tab"], member["pid"]
    portal.pause("catalog.web")
    try:
        started = time.monotonic()
        answer = tab.get(f"/portal/p/{pid}/use-cases")
        assert answer.status_code in (503, 504) and "text/html" in answer.headers["Content-Type"]
        assert time.monotonic() - started < 10
    finally:
        portal.resume("catalog.web")
    wait_until(lambda: tab.get(f"/portal/p/{pid}/use-cases").status_code == 200, 30, 0.5, "catalog back")


HOSTILE = ['<script>alert("uc")</script>', '"><img src=x onerror=alert(2)>', "javascript:alert(3)"]


def test_user_text_with_markup_is_inert_on_every_portal_page(portal, member):
    """Use case names, invitation messages and talent names, each with HTML and script in it."""
    from tests.e2e.helpers import eligible_talent, put_talent
    from tests.support.inert import inert_problems

    tab, pid, token = member["tab"], member["pid"], member["admin"]["token"]
    created = portal.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": HOSTILE[0][:60]})
    uid = created.json()["id"]
    doc = {**eligible_talent(1, seed=5)[0], "name": HOSTILE[1], "title": HOSTILE[0]}
    put_talent(portal, doc)
    wait_until(lambda: portal.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token,
                                   json={"freelancer_ids": [doc["freelancer_id"]]}).status_code == 201, 10, 0.2,
               "the talent in catalog")
    invited = portal.call("POST", f"/api/v1/partners/{pid}/invitations", token,
                          json={"emails": ["inert@example.com"], "message": HOSTILE[0]})
    assert invited.status_code == 201, invited.text
    for path in (f"/portal/p/{pid}", f"/portal/p/{pid}/use-cases", f"/portal/p/{pid}/use-cases/{uid}",
                 f"/portal/p/{pid}/use-cases/{uid}?search=1&q={doc['freelancer_id']}", f"/portal/p/{pid}/team",
                 f"/portal/p/{pid}/activity", f"/portal/p/{pid}/assets"):
        page = tab.get(path)
        assert page.status_code == 200, path
        shown = [text for text in HOSTILE[:2] if text in page.text or _escaped(text) in page.text]
        assert inert_problems(page.text, shown, page.headers) == [], path


def _escaped(text: str) -> str:
    from markupsafe import escape
    return str(escape(text))


def test_a_session_past_its_lifetime_signs_the_browser_out(portal, member):
    database = portal.work_dir / "data" / "gateway.sqlite3"
    past = (datetime.now(timezone.utc) - timedelta(seconds=1)).strftime("%Y-%m-%d %H:%M:%S.%f")
    tab, pid = member["tab"], member["pid"]
    assert tab.get(f"/portal/p/{pid}").status_code == 200
    with sqlite3.connect(database) as conn:
        conn.execute("UPDATE portal_sessions SET expires_at = ?", (past,))
    answer = tab.get(f"/portal/p/{pid}")
    assert answer.status_code == 302 and answer.headers["Location"].startswith("/portal/signin")
