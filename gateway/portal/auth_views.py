"""Sign up, sign in, sign out, and accepting an invitation from the email's link."""
from __future__ import annotations

from flask import after_this_request, current_app, flash, g, redirect, render_template, request, session, url_for

from werkzeug.exceptions import NotFound

from ..frontdoor.security import REFUSED
from . import backend, forms
from .blueprint import portal, safe_next, sign_in, sign_out, signed_in


@portal.route("/portal/signup", methods=["GET", "POST"])
def signup():
    """Create an account, then go where the visitor was heading (an invitation, say)."""
    target = safe_next(request.values.get("next"), url_for("portal.home"))
    values, errors, refusal = _prefilled(), {}, None
    if request.method == "POST":
        values, errors = forms.read(forms.SignUpForm, request.form)
        if not errors:
            created = backend.call("POST", "/api/v1/accounts", json=values, token="")
            if created.ok:
                refusal = _start_session(values["email"], values["password"])
                if refusal is None:
                    flash(f"We sent a link to {values['email']}: open it to confirm your email address.")
                    return redirect(target, 303)
            elif created.code == "weak_password":
                errors = {"password": [created.data.get("detail") or "Choose a stronger password."]}
            else:
                refusal = SIGNUP_REFUSALS.get(created.code or "", created.message)
    values.pop("password", None)
    return render_template("portal/signup.html", values=values, errors=errors, refusal=refusal,
                           next=target), 422 if errors or refusal else 200


def _prefilled() -> dict:
    """The address an invitation's link passes on (``?email=``), shown in the email field."""
    email = request.args.get("email", "").strip()
    return {"email": email} if 0 < len(email) <= 254 else {}


SIGNUP_REFUSALS = {
    "email_taken": "That email already has an account: sign in instead.",
    "rate_limited": "Too many sign-ups just now; wait a few minutes and try again.",
}


@portal.get("/verify-email/<token>")
def verify_email(token):
    """The link of the verification mail: a page with a button, so that a mail scanner
    following the link verifies nothing (API.md, Details of the second round)."""
    return render_template("portal/verify_email.html", token=token, done=False)


@portal.post("/verify-email/<token>")
def confirm_email(token):
    """The button of the verification page: the address is confirmed (the link works once)."""
    answer = backend.call("POST", "/api/v1/accounts/verify", json={"token": token}, token="")
    if not answer.ok:
        refusal = "This link is not valid, or it was used already." \
            if answer.code in ("verification_not_found", "validation_error") else answer.message
        return render_template("portal/verify_email.html", token=token, done=False, refusal=refusal), \
            404 if answer.status == 422 else answer.status
    if g.portal_session is not None:
        flash("Your email address is confirmed.")
        return redirect(url_for("portal.home"), 303)
    return render_template("portal/verify_email.html", token=token, done=True)


@portal.route("/portal/signin", methods=["GET", "POST"])
def signin():
    target = safe_next(request.values.get("next"), url_for("portal.home"))
    values, errors, refusal = _prefilled(), {}, None
    if request.method == "POST":
        values, errors = forms.read(forms.SignInForm, request.form)
        if not errors:
            refusal = _start_session(values["email"], values["password"], values.get("totp_code"))
            if refusal is None:
                return redirect(target, 303)
    # the second step keeps the password in the form (a no-store page) until the code is right
    asking_code = refusal in (CODE_NEEDED, CODE_WRONG)
    if not asking_code:
        values.pop("password", None)
    status = (429 if refusal == THROTTLED else 401) if refusal else 422 if errors else 200
    return render_template("portal/signin.html", values=values, errors=errors, refusal=refusal,
                           asking_code=asking_code, next=target), status


THROTTLED = "Too many failed sign-ins for this account; try again in a few minutes."
CODE_NEEDED = "Two-factor sign-in is on: enter the code your authenticator app shows, or a recovery code."
CODE_WRONG = "That code is not valid: enter the code your app shows now, or an unused recovery code."


def _start_session(email: str, password: str, totp_code: str | None = None) -> str | None:
    """Sign in through membership; None on success, else what to tell the person."""
    body = {"email": email, "password": password} | ({"totp_code": totp_code} if totp_code else {})
    answer = backend.call("POST", "/api/v1/sessions", json=body, token="")
    if answer.set_cookie:  # known_device: this browser's right password is never throttled
        after_this_request(lambda response: _with_cookie(response, answer.set_cookie))
    if not answer.ok:
        if answer.code == "rate_limited":
            return THROTTLED
        if answer.code == "totp_required":
            return CODE_WRONG if totp_code else CODE_NEEDED
        return "That email and password do not match an account."
    token = answer.data["access_token"]
    me = backend.call("GET", "/api/v1/me", token=token)
    if not me.ok:
        return "Signing in did not work just now; please try again."
    sign_in(token, answer.data["expires_in"], me.data["id"])
    return None


def _with_cookie(response, set_cookie: str):
    response.headers.add("Set-Cookie", set_cookie)
    return response


@portal.post("/portal/signout")
def signout():
    sign_out()
    flash("You are signed out.")
    return redirect(url_for("portal.signin"), 303)


@portal.get("/")
def start():
    """The address the runner prints: the portal (a person opening it gets a page, not JSON).
    A request the front door refused is rewritten to ``/`` to match no route: it stays a 404."""
    if REFUSED in request.environ:
        raise NotFound()
    return redirect(url_for("portal.home"))


@portal.get("/portal")
@signed_in
def home():
    """The last partner worked on, the first one otherwise, or a page saying access is pending."""
    partners = g.me["partners"]
    if not partners:
        return render_template("portal/no_access.html")
    wanted = session.get("partner")
    pid = wanted if any(p["id"] == wanted for p in partners) else partners[0]["id"]
    return redirect(url_for("portal.dashboard", pid=pid))


@portal.get("/portal/switch")
@signed_in
def switch_partner():
    """The partner switcher's form: another partner this account belongs to."""
    pid = request.args.get("partner", "")
    if not any(p["id"] == pid for p in g.me["partners"]):
        return redirect(url_for("portal.home"))
    return redirect(url_for("portal.dashboard", pid=pid))


@portal.get("/invitations/<token>")
def invitation(token):
    """The link of the invitation email: names the company and who invited, prefills the
    invited address on sign-in and sign-up, offers "use another account" when the signed-in
    account is not the invited one, and sends a member of that partner to its dashboard."""
    facts = _invitation_facts(token)
    if g.portal_session is None:
        return _invitation_page(token, facts, signed_in=False)
    g.me = backend.get("/api/v1/me")
    if facts and any(p["id"] == facts["partner_id"] for p in g.me["partners"]):
        flash(f"You are already a member of {facts['partner_name']}.")
        return redirect(url_for("portal.dashboard", pid=facts["partner_id"]), 303)
    return _invitation_page(token, facts, signed_in=True)


def _invitation_facts(token: str) -> dict | None:
    """Membership's facts of the invitation (partner and inviter names, invited email,
    status) asked with the token itself and without using it; None for an unknown token."""
    answer = backend.call("POST", "/internal/v1/invitations:lookup", json={"token": token},
                          token=current_app.config["PORTAL"].operator_token, service="membership")
    return answer.data if answer.ok else None


def _invitation_page(token, facts, signed_in, refusal=None, status=200):
    here = url_for("portal.invitation", token=token)
    if facts is None:
        refusal, status = refusal or INVITATION_REFUSALS["invitation_not_found"], 404
    elif facts["status"] != "pending" and refusal is None:
        refusal, status = INVITATION_REFUSALS[f"invitation_{_STATUS_CODES[facts['status']]}"], 410
    email = facts["email"] if facts else None
    mismatch = signed_in and facts is not None and g.me["email"] != email
    return render_template("portal/invitation.html", token=token, facts=facts, signed_in=signed_in,
                           mismatch=mismatch, refusal=refusal, next=here,
                           signin_url=url_for("portal.signin", next=here, email=email),
                           signup_url=url_for("portal.signup", next=here, email=email)), status


_STATUS_CODES = {"accepted": "used", "revoked": "revoked", "expired": "expired"}


@portal.post("/invitations/<token>")
@signed_in
def accept_invitation(token):
    answer = backend.call("POST", "/api/v1/invitations/accept", json={"token": token})
    if not answer.ok:
        g.me = backend.get("/api/v1/me")
        return _invitation_page(token, _invitation_facts(token), True,
                                INVITATION_REFUSALS.get(answer.code or "", answer.message), answer.status)
    flash("Welcome to the team.")
    return redirect(url_for("portal.dashboard", pid=answer.data["partner_id"]), 303)


@portal.post("/invitations/<token>/switch-account")
def switch_account(token):
    """"Use another account": sign out, then sign in (the invited address prefilled) and come
    back to the invitation."""
    facts = _invitation_facts(token)
    sign_out()
    here = url_for("portal.invitation", token=token)
    return redirect(url_for("portal.signin", next=here, email=facts["email"] if facts else None), 303)


INVITATION_REFUSALS = {
    "invitation_not_found": "This invitation link is not valid.",
    "invitation_used": "This invitation has already been used.",
    "invitation_revoked": "This invitation was withdrawn by the team's admin.",
    "invitation_expired": "This invitation has expired: ask the team's admin to send it again.",
    "email_mismatch": "This invitation was sent to another email address: use that account.",
}
