"""The account calls of the second round (API.md, Accounts: new calls; Details: Two-factor,
Admins, Sign-in throttling) on both databases, with mail really sent: password reset by a
mailed link, password change, two-factor sign-in with TOTP and recovery codes, and roles."""
from __future__ import annotations

import json
import threading
import time
from datetime import timedelta

import pyotp
import pytest
from sqlalchemy import text

from services.common.db import utcnow
from services.membership.account_models import PasswordReset
from tests.integration.membership.conftest import OPERATOR
from tests.integration.membership.test_accounts_and_team import PASSWORD, account, invite, partner, send_mail
from tests.support.mail import Mailbox

pytestmark = pytest.mark.integration
NEW_PASSWORD = "a brand new passphrase"


def sign_in(client, email, password=PASSWORD, **extra):
    return client.post("/api/v1/sessions", json={"email": email, "password": password, **extra})


def bearer(answer) -> dict:
    return {"Authorization": f"Bearer {answer.get_json()['access_token']}"}


def test_a_reset_is_asked_for_with_the_same_answer_whether_or_not_the_account_exists(app):
    client = app.test_client()
    ada = account(client)
    known = client.post("/api/v1/password-resets", json={"email": ada["email"].upper()})
    unknown = client.post("/api/v1/password-resets", json={"email": "nobody-here@example.com"})
    for answer in (known, unknown):
        assert answer.status_code == 202
        assert answer.headers["Cache-Control"] == "no-store"
    assert known.data == unknown.data and sorted(known.headers.keys()) == sorted(unknown.headers.keys())
    mailbox = Mailbox.of_app(app)
    [mail] = mailbox.to(ada["email"], "/password-reset/")
    assert "https://portal.example.com/password-reset/" in mail.get_content()  # PORTAL_PUBLIC_URL
    assert not mailbox.to("nobody-here@example.com")
    for bad in ({"email": "not-an-email"}, {"email": 5}, {}, {"email": "a@example.com\r\nBcc: x@example.com"}):
        answer = client.post("/api/v1/password-resets", json=bad)
        assert (answer.status_code, answer.get_json()["code"]) == (422, "validation_error"), bad


def test_a_reset_link_sets_a_password_once_ends_every_session_and_clears_the_throttle(app, monkeypatch):
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "3 per 15 minutes")
    client = app.test_client()
    ada = account(client)
    stranger = app.test_client()  # no known_device cookie
    for _ in range(3):
        assert sign_in(stranger, ada["email"], "wrong password!").status_code == 401
    assert sign_in(stranger, ada["email"]).status_code == 429
    client.post("/api/v1/password-resets", json={"email": ada["email"]})
    token = Mailbox.of_app(app).link(ada["email"], "password-reset")
    with app.config["RUNTIME"].db.engine.connect() as conn:
        stored = conn.execute(text("SELECT token_hash FROM password_resets")).scalars().all()
    assert token not in stored and all(len(h) == 64 for h in stored)
    weak = client.post("/api/v1/password-resets/confirm", json={"token": token, "password": "password123"})
    assert (weak.status_code, weak.get_json()["code"]) == (422, "weak_password")
    time.sleep(1.1)  # tokens carry whole seconds: the old one is from an earlier second
    done = client.post("/api/v1/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert done.status_code == 204 and done.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me", headers=ada["headers"]).status_code == 401  # the old session ended
    assert sign_in(client, ada["email"]).status_code == 401  # the old password is gone
    fresh = sign_in(stranger, ada["email"], NEW_PASSWORD)  # and the throttle was cleared
    assert fresh.status_code == 200
    assert client.get("/api/v1/me", headers=bearer(fresh)).get_json()["email_verified"] is True
    again = client.post("/api/v1/password-resets/confirm", json={"token": token, "password": "yet another passphrase"})
    assert (again.status_code, again.get_json()["code"]) == (410, "reset_used")


def test_reset_links_expire_after_an_hour_and_unknown_ones_are_not_found(app):
    client = app.test_client()
    ada = account(client)
    client.post("/api/v1/password-resets", json={"email": ada["email"]})
    token = Mailbox.of_app(app).link(ada["email"], "password-reset")
    with app.config["RUNTIME"].db.transaction() as session:
        for reset in session.query(PasswordReset).filter_by(account_id=ada["id"]):
            assert timedelta(minutes=59) < reset.expires_at - reset.created_at <= timedelta(hours=1)
            reset.expires_at = utcnow() - timedelta(seconds=1)
    expired = client.post("/api/v1/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD})
    assert (expired.status_code, expired.get_json()["code"]) == (410, "reset_expired")
    for body, status, code in (({"token": "guessed-aaaaaaaaaaaaaaaaaaaaaaaa", "password": NEW_PASSWORD}, 404, "reset_not_found"),
                               ({"token": "", "password": NEW_PASSWORD}, 422, "validation_error"),
                               ({"token": "x" * 201, "password": NEW_PASSWORD}, 422, "validation_error"),
                               ({"token": token}, 422, "validation_error"),
                               ({"token": token, "password": 5}, 422, "validation_error")):
        answer = client.post("/api/v1/password-resets/confirm", json=body)
        assert (answer.status_code, answer.get_json()["code"]) == (status, code), body
    assert sign_in(client, ada["email"]).status_code == 200


def test_a_portal_session_begun_before_a_password_change_gets_no_new_token(app):
    client = app.test_client()
    ada = account(client)
    before = utcnow()
    time.sleep(0.01)
    client.post("/api/v1/password-resets", json={"email": ada["email"]})
    token = Mailbox.of_app(app).link(ada["email"], "password-reset")
    assert client.post("/api/v1/password-resets/confirm", json={"token": token, "password": NEW_PASSWORD}).status_code == 204
    path = f"/internal/v1/accounts/{ada['id']}/tokens"
    ended = client.post(path, query_string={"session_started_at": before.isoformat()}, headers=OPERATOR)
    assert (ended.status_code, ended.get_json()["code"]) == (401, "session_ended")
    later = client.post(path, query_string={"session_started_at": utcnow().isoformat()}, headers=OPERATOR)
    assert later.status_code == 200 and client.get("/api/v1/me", headers=bearer(later)).status_code == 200
    bad = client.post(path, query_string={"session_started_at": "yesterday"}, headers=OPERATOR)
    assert bad.status_code in (400, 422)


def test_changing_the_password_needs_the_current_one_and_ends_the_other_sessions(app):
    client = app.test_client()
    ada = account(client)
    other = bearer(sign_in(client, ada["email"]))
    wrong = client.put("/api/v1/me/password", headers=ada["headers"],
                       json={"current_password": "not my password", "new_password": NEW_PASSWORD})
    assert (wrong.status_code, wrong.get_json()["code"]) == (403, "invalid_credentials")
    weak = client.put("/api/v1/me/password", headers=ada["headers"],
                      json={"current_password": PASSWORD, "new_password": ada["email"].split("@")[0]})
    assert (weak.status_code, weak.get_json()["code"]) == (422, "weak_password")
    for bad in ({"current_password": PASSWORD}, {"new_password": NEW_PASSWORD}, {"current_password": 1, "new_password": 2}):
        assert client.put("/api/v1/me/password", headers=ada["headers"], json=bad).status_code == 422
    assert client.put("/api/v1/me/password", json={"current_password": PASSWORD,
                                                   "new_password": NEW_PASSWORD}).status_code == 401
    time.sleep(1.1)
    done = client.put("/api/v1/me/password", headers=ada["headers"],
                      json={"current_password": PASSWORD, "new_password": NEW_PASSWORD})
    assert done.status_code == 204 and done.headers["Cache-Control"] == "no-store"
    assert client.get("/api/v1/me", headers=other).status_code == 401
    assert sign_in(client, ada["email"]).status_code == 401
    assert sign_in(client, ada["email"], NEW_PASSWORD).status_code == 200


def test_wrong_current_passwords_are_throttled_like_failed_sign_ins(app, monkeypatch):
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "3 per 15 minutes")
    client = app.test_client()
    ada = account(client)
    body = {"current_password": "a guess at it", "new_password": NEW_PASSWORD}
    assert [client.put("/api/v1/me/password", headers=ada["headers"], json=body).status_code
            for _ in range(4)] == [403, 403, 403, 429]


def turn_on_totp(client, who) -> tuple[pyotp.TOTP, list[str], int]:
    started = client.post("/api/v1/me/totp", headers=who["headers"])
    assert started.status_code == 201 and started.headers["Cache-Control"] == "no-store"
    setup = started.get_json()
    assert setup["otpauth_uri"].startswith("otpauth://totp/") and setup["secret"] in setup["otpauth_uri"]
    totp = pyotp.TOTP(setup["secret"])
    assert sign_in(client, who["email"]).status_code == 200  # not asked until confirmed
    wrong = client.post("/api/v1/me/totp/confirm", headers=who["headers"], json={"code": "000000"
                        if totp.now() != "000000" else "111111"})
    assert (wrong.status_code, wrong.get_json()["code"]) == (422, "invalid_totp_code")
    step = totp.timecode(utcnow())
    confirmed = client.post("/api/v1/me/totp/confirm", headers=who["headers"], json={"code": totp.generate_otp(step)})
    assert confirmed.status_code == 200, confirmed.get_json()
    return totp, confirmed.get_json()["recovery_codes"], step


def test_two_factor_sign_in_asks_for_a_code_and_takes_each_code_once(app):
    client = app.test_client()
    ada = account(client)
    totp, codes, step = turn_on_totp(client, ada)
    assert len(codes) == 10 and len(set(codes)) == 10
    with app.config["RUNTIME"].db.engine.connect() as conn:
        stored = " ".join(conn.execute(text("SELECT code_hash FROM recovery_codes")).scalars())
    assert not any(code.replace("-", "") in stored or code in stored for code in codes)
    missing = sign_in(client, ada["email"])
    assert (missing.status_code, missing.get_json()["code"]) == (401, "totp_required")
    assert "access_token" not in missing.get_json() and "known_device" not in missing.headers.get("Set-Cookie", "")
    replayed = sign_in(client, ada["email"], totp_code=totp.generate_otp(step))  # used to confirm
    assert (replayed.status_code, replayed.get_json()["code"]) == (401, "totp_required")
    next_code = totp.generate_otp(step + 1)  # the next time step is still accepted (clock drift)
    assert sign_in(client, ada["email"], totp_code=f" {next_code[:3]} {next_code[3:]} ").status_code == 200
    assert sign_in(client, ada["email"], totp_code=next_code).status_code == 401  # once
    wrong_password = sign_in(client, ada["email"], "wrong password!", totp_code=totp.generate_otp(step + 2))
    assert wrong_password.get_json()["code"] == "invalid_credentials"
    assert sign_in(client, ada["email"], totp_code=codes[0].upper()).status_code == 200
    assert sign_in(client, ada["email"], totp_code=codes[0]).status_code == 401  # each recovery code once
    assert client.post("/api/v1/me/totp", headers=ada["headers"]).get_json()["code"] == "totp_enabled"
    wrong = client.delete("/api/v1/me/totp", headers=ada["headers"], json={"code": codes[0]})
    assert (wrong.status_code, wrong.get_json()["code"]) == (422, "invalid_totp_code")
    assert client.delete("/api/v1/me/totp", headers=ada["headers"], json={"code": codes[1]}).status_code == 204
    assert sign_in(client, ada["email"]).status_code == 200
    off = client.delete("/api/v1/me/totp", headers=ada["headers"], json={"code": codes[2]})
    assert (off.status_code, off.get_json()["code"]) == (409, "totp_not_enabled")
    assert client.post("/api/v1/me/totp/confirm", headers=ada["headers"],
                       json={"code": "123456"}).get_json()["code"] == "totp_not_started"


def test_the_same_code_sent_by_two_sign_ins_at_once_is_accepted_once(app):
    client = app.test_client()
    ada = account(client)
    totp, _, step = turn_on_totp(client, ada)
    code, answers = totp.generate_otp(step + 1), []
    barrier = threading.Barrier(4)

    def attempt():
        barrier.wait()
        answers.append(sign_in(app.test_client(), ada["email"], totp_code=code).status_code)
    threads = [threading.Thread(target=attempt) for _ in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(answers) == [200, 401, 401, 401]


def test_failed_codes_count_toward_the_sign_in_throttle(app, monkeypatch):
    monkeypatch.setenv("MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "3 per 15 minutes")
    client = app.test_client()
    ada = account(client)
    totp, _, step = turn_on_totp(client, ada)
    for _ in range(5):  # the right password and no code yet: not a guess
        assert sign_in(client, ada["email"]).get_json()["code"] == "totp_required"
    wrong = "000000" if totp.generate_otp(step + 1) != "000000" else "111111"
    stranger = app.test_client()
    assert [sign_in(stranger, ada["email"], totp_code=wrong).status_code for _ in range(4)] == [401, 401, 401, 429]


def test_admins_promote_and_demote_and_the_team_always_keeps_an_admin(app):
    client = app.test_client()
    ada, bob, cy = account(client, "Ada"), account(client, "Bob"), account(client, "Cy")
    pid = partner(client, ada)
    invite(client, pid, ada, bob["email"], cy["email"])
    for token in send_mail(app):  # the mail folder's order is not the invitations' order
        answers = [client.post("/api/v1/invitations/accept", json={"token": token}, headers=who["headers"]).status_code
                   for who in (bob, cy)]
        assert 200 in answers, answers
    members = f"/api/v1/partners/{pid}/members"
    refused = client.patch(f"{members}/{cy['id']}", json={"role": "admin"}, headers=bob["headers"])
    assert (refused.status_code, refused.get_json()["code"]) == (403, "admin_only")
    alone = client.patch(f"{members}/{ada['id']}", json={"role": "member"}, headers=ada["headers"])
    assert (alone.status_code, alone.get_json()["code"]) == (409, "last_admin")
    leaving = client.delete(f"{members}/{ada['id']}", headers=ada["headers"])
    assert (leaving.status_code, leaving.get_json()["code"]) == (409, "last_admin")
    promoted = client.patch(f"{members}/{bob['id']}", json={"role": "admin"}, headers=ada["headers"])
    assert promoted.status_code == 200
    assert promoted.get_json() == {"account_id": bob["id"], "email": bob["email"].lower(), "name": "Bob", "role": "admin"}
    assert client.patch(f"{members}/{bob['id']}", json={"role": "admin"}, headers=ada["headers"]).status_code == 200
    assert client.patch(f"{members}/{cy['id']}", json={"role": "admin"}, headers=bob["headers"]).status_code == 200
    assert client.patch(f"{members}/{cy['id']}", json={"role": "member"}, headers=bob["headers"]).status_code == 200
    assert client.delete(f"{members}/{ada['id']}", headers=bob["headers"]).status_code == 204  # another admin
    last = client.patch(f"{members}/{bob['id']}", json={"role": "member"}, headers=bob["headers"])
    assert (last.status_code, last.get_json()["code"]) == (409, "last_admin")
    assert client.patch(f"{members}/{cy['id']}", json={"role": "admin"}, headers=bob["headers"]).status_code == 200
    assert client.delete(f"{members}/{bob['id']}", headers=bob["headers"]).status_code == 204  # leaves the team
    roles = {m["account_id"]: m["role"] for m in client.get(members, headers=cy["headers"]).get_json()["items"]}
    assert roles == {cy["id"]: "admin"}
    for body in ({"role": "owner"}, {"role": None}, {}, {"role": ["admin"]}):
        answer = client.patch(f"{members}/{cy['id']}", json=body, headers=cy["headers"])
        assert (answer.status_code, answer.get_json()["code"]) == (422, "validation_error"), body
    assert client.patch(f"{members}/{ada['id']}", json={"role": "admin"}, headers=cy["headers"]).status_code == 404
    outsider_pid = partner(client, ada)
    assert client.patch(f"/api/v1/partners/{outsider_pid}/members/{ada['id']}", json={"role": "member"},
                        headers=cy["headers"]).status_code == 404


def test_a_role_change_goes_out_as_an_event_for_the_other_services(app):
    client = app.test_client()
    ada, bob = account(client, "Ada"), account(client, "Bob")
    pid = partner(client, ada)
    invite(client, pid, ada, bob["email"])
    [token] = send_mail(app)
    client.post("/api/v1/invitations/accept", json={"token": token}, headers=bob["headers"])
    client.patch(f"/api/v1/partners/{pid}/members/{bob['id']}", json={"role": "admin"}, headers=ada["headers"])
    runtime = app.config["RUNTIME"]
    runtime.relay().relay_once()
    seen, stop = [], threading.Event()
    threading.Timer(1.0, stop.set).start()
    runtime.bus.consume("observer", lambda d: (seen.append(json.loads(d.message.body)), d.ack()), stop)
    changed = [e["payload"] for e in seen if e["event_type"] == "membership.member.role_changed"]
    assert changed == [{"partner_id": pid, "account_id": bob["id"], "role": "admin", "changed_by": ada["id"]}]
