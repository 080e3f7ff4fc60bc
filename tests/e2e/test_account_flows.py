"""The account flows of the second round through the gateway, on both configurations, as a
browser (tests.support.portal.Browser) and a script would: forgot password and the mailed
reset link, change password, two-factor sign-in, and admins promoting and demoting. Each
with the sign-in form's safety: CSRF on every form, no-store, and the same answer for an
address with no account."""
from __future__ import annotations

import re
import time
import uuid

import pyotp
import pytest

from tests.support.mail import Mailbox
from tests.support.portal import Browser
from tests.support.procs import wait_until

from .helpers import eventually_ok, new_partner, sign_up

pytestmark = pytest.mark.e2e
NEW_PASSWORD = "a fresh passphrase for ada"


def signed_in_browser(stack, account) -> Browser:
    tab = Browser(stack)
    assert tab.sign_in(account).status_code == 303
    return tab


def test_a_forgotten_password_is_reset_from_the_mailed_link_and_every_session_ends(stack):
    ada = sign_up(stack, "Ada")
    pid = new_partner(stack, ada)["id"]
    laptop = signed_in_browser(stack, ada)
    assert laptop.get(f"/portal/p/{pid}").status_code == 200
    tab = Browser(stack)
    assert 'href="/portal/forgot-password"' in tab.get("/portal/signin").text
    form = tab.get("/portal/forgot-password")
    assert form.status_code == 200 and form.headers["Cache-Control"] == "no-store"
    assert tab.post("/portal/forgot-password", {"email": ada["email"]}, csrf=False).status_code == 400
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    known, unknown = (tab.post("/portal/forgot-password", {"email": e}) for e in (ada["email"], nobody))
    assert known.status_code == unknown.status_code == 200
    assert known.text.replace(ada["email"], "X") == unknown.text.replace(nobody, "X")  # no enumeration
    assert "we sent it a link" in known.text
    api = [stack.call("POST", "/api/v1/password-resets", json={"email": e}) for e in (ada["email"], nobody)]
    assert [a.status_code for a in api] == [202, 202] and api[0].content == api[1].content
    assert all(a.headers["Cache-Control"] == "no-store" for a in api)

    token = Mailbox.of_stack(stack).link(ada["email"], "password-reset")
    for _ in range(2):  # what a mail scanner does: the link shows a form and changes nothing
        page = tab.get(f"/password-reset/{token}")
        assert page.status_code == 200 and "Choose a new password" in page.text
        assert page.headers["Cache-Control"] == "no-store"
    assert tab.post(f"/password-reset/{token}", {"password": NEW_PASSWORD}, csrf=False).status_code == 400
    weak = tab.post(f"/password-reset/{token}", {"password": "password1"})
    assert weak.status_code == 422 and "at least 10 characters" in weak.text.lower()
    time.sleep(1.1)  # tokens carry whole seconds: the laptop's is from an earlier one
    done = tab.post(f"/password-reset/{token}", {"password": NEW_PASSWORD})
    assert done.status_code == 200 and "Your password is changed" in done.text
    assert laptop.get(f"/portal/p/{pid}").status_code == 302  # signed out everywhere
    assert stack.call("GET", "/api/v1/me", ada["token"]).status_code == 401
    used = tab.post(f"/password-reset/{token}", {"password": "yet another passphrase"})
    assert used.status_code == 410 and "used already" in used.text
    assert signed_in_browser(stack, {**ada, "password": NEW_PASSWORD}).get(f"/portal/p/{pid}").status_code == 200
    guessed = tab.post("/password-reset/not-a-real-token-aaaaaaaaaaaa", {"password": NEW_PASSWORD})
    assert guessed.status_code == 404 and "not valid" in guessed.text


def test_reset_requests_are_limited_per_email_alike_for_known_and_unknown_addresses(stack):
    ada = sign_up(stack, "Ada")
    nobody = f"nobody-{uuid.uuid4().hex[:8]}@example.com"
    for email in (ada["email"], nobody):
        answers = [stack.call("POST", "/api/v1/password-resets", json={"email": email}) for _ in range(6)]
        assert [a.status_code for a in answers] == [202] * 5 + [429], email
        assert answers[-1].json()["code"] == "rate_limited" and "Retry-After" in answers[-1].headers


def test_changing_the_password_keeps_this_browser_signed_in_and_signs_out_the_others(stack):
    ada = sign_up(stack, "Ada")
    pid = new_partner(stack, ada)["id"]
    phone, laptop = signed_in_browser(stack, ada), signed_in_browser(stack, ada)
    page = laptop.get("/portal/account")
    assert page.status_code == 200 and page.headers["Cache-Control"] == "no-store" and ada["email"] in page.text
    body = {"current_password": ada["password"], "new_password": NEW_PASSWORD}
    assert laptop.post("/portal/account/password", body, csrf=False).status_code == 400
    wrong = laptop.post("/portal/account/password", {**body, "current_password": "not it at all"})
    assert wrong.status_code == 403 and "not your current password" in wrong.text
    weak = laptop.post("/portal/account/password", {**body, "new_password": "aaaaaaaaaaaa"})
    assert weak.status_code == 422 and "repeated character" in weak.text
    time.sleep(1.1)
    changed = laptop.post("/portal/account/password", body)
    assert changed.status_code == 303
    assert "Your password is changed" in laptop.get("/portal/account").text
    assert laptop.get(f"/portal/p/{pid}").status_code == 200
    assert phone.get(f"/portal/p/{pid}").status_code == 302
    assert stack.call("POST", "/api/v1/sessions", json={"email": ada["email"], "password": NEW_PASSWORD}).ok


def test_two_factor_sign_in_is_set_up_on_the_account_page_and_asked_at_each_sign_in(stack):
    ada = sign_up(stack, "Ada")
    pid = new_partner(stack, ada)["id"]
    tab = signed_in_browser(stack, ada)
    tab.get("/portal/account")
    assert tab.post("/portal/account/two-factor", csrf=False).status_code == 400
    setup = tab.post("/portal/account/two-factor")
    assert setup.status_code == 201 and "<svg" in setup.text and setup.headers["Cache-Control"] == "no-store"
    secret = re.search(r'name="secret" value="([A-Z2-7]+)"', setup.text).group(1)
    assert " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)) in setup.text  # the key as text
    totp = pyotp.TOTP(secret)
    wrong = tab.post("/portal/account/two-factor/confirm", {"code": "12345x", "secret": secret,
                                                            "uri": totp.provisioning_uri(ada["email"])})
    assert wrong.status_code == 422 and "<svg" in wrong.text  # the QR code stays on the page
    confirmed = tab.post("/portal/account/two-factor/confirm", {"code": totp.now()})
    assert confirmed.status_code == 200
    codes = re.findall(r"<code>([a-z2-7]{5}-[a-z2-7]{5})</code>", confirmed.text)
    assert len(codes) == 10
    assert "shown only this once" in confirmed.text and "Two-factor sign-in is <strong>on" in tab.get("/portal/account").text

    api = stack.call("POST", "/api/v1/sessions", json={"email": ada["email"], "password": ada["password"]})
    assert api.status_code == 401 and api.json()["code"] == "totp_required"
    other = Browser(stack)
    asked = other.sign_in(ada)
    assert asked.status_code == 401 and "Code from your authenticator app" in asked.text
    assert asked.headers["Cache-Control"] == "no-store"
    code = totp.at(time.time() + 30)  # the next step's code (the first one was used to confirm)
    form = {"email": ada["email"], "password": ada["password"]}
    assert other.post("/portal/signin", {**form, "totp_code": code}, csrf=False).status_code == 400
    bad = other.post("/portal/signin", {**form, "totp_code": "000000" if code != "000000" else "111111"})
    assert bad.status_code == 401 and "That code is not valid" in bad.text
    assert other.post("/portal/signin", {**form, "totp_code": code}).status_code == 303
    assert other.get(f"/portal/p/{pid}").status_code == 200
    third = Browser(stack)
    third.get("/portal/signin")
    assert third.post("/portal/signin", {**form, "totp_code": code}).status_code == 401  # each code once
    assert third.post("/portal/signin", {**form, "totp_code": codes[0]}).status_code == 303  # a recovery code

    off = tab.post("/portal/account/two-factor/off", {"code": codes[0]})
    assert off.status_code == 422 and "not valid" in off.text  # used already
    assert tab.post("/portal/account/two-factor/off", {"code": codes[1]}).status_code == 303
    assert stack.call("POST", "/api/v1/sessions", json={"email": ada["email"], "password": ada["password"]}).ok


def test_admins_promote_and_demote_on_the_team_page_and_the_team_keeps_an_admin(stack):
    admin, bob = sign_up(stack, "Admin"), sign_up(stack, "Bob")
    pid = new_partner(stack, admin)["id"]
    stack.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"], json={"emails": [bob["email"]]})
    invitation = Mailbox.of_stack(stack).link(bob["email"], "invitations")
    assert stack.call("POST", "/api/v1/invitations/accept", bob["token"], json={"token": invitation}).ok
    tab = signed_in_browser(stack, admin)
    team = tab.get(f"/portal/p/{pid}/team")
    assert "Make admin" in team.text and "data-confirm=\"Make Bob an admin?" in team.text
    path = f"/portal/p/{pid}/team/members"
    assert tab.post(f"{path}/{bob['id']}/role", {"role": "admin"}, csrf=False).status_code == 400
    alone = tab.post(f"{path}/{admin['id']}/role", {"role": "member"})
    assert alone.status_code == 303 and "needs at least one admin" in tab.get(f"/portal/p/{pid}/team").text
    assert tab.post(f"{path}/{bob['id']}/role", {"role": "admin"}).status_code == 303
    assert "Bob is now an admin." in tab.get(f"/portal/p/{pid}/team").text
    roles = {m["account_id"]: m["role"] for m in
             stack.call("GET", f"/api/v1/partners/{pid}/members", bob["token"]).json()["items"]}
    assert roles == {admin["id"]: "admin", bob["id"]: "admin"}
    # the role change reached catalog over the bus: its activity names it, with the admin as actor
    wait_until(lambda: any(e["action"] == "member.promoted" and e["actor"] == admin["id"] for e in
                           eventually_ok(stack, f"/api/v1/partners/{pid}/activity", bob["token"]).json()["items"]),
               15, 0.2, "member.promoted in catalog's activity")
    assert stack.call("PATCH", f"/api/v1/partners/{pid}/members/{admin['id']}", bob["token"],
                      json={"role": "member"}).status_code == 200
    last = stack.call("PATCH", f"/api/v1/partners/{pid}/members/{bob['id']}", bob["token"], json={"role": "member"})
    assert last.status_code == 409 and last.json()["code"] == "last_admin"
    refused = stack.call("PATCH", f"/api/v1/partners/{pid}/members/{bob['id']}", admin["token"], json={"role": "member"})
    assert refused.status_code == 403 and refused.json()["code"] == "admin_only"
    assert refused.headers["Cache-Control"] == "no-store"
