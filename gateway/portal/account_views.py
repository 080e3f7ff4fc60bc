"""The account's own pages: forgotten password and the mailed reset link, the Account page
(change password, two-factor sign-in with a QR code and recovery codes), API.md "Accounts:
new calls". Every form carries the CSRF token; every page is no-store (blueprint.py)."""
from __future__ import annotations

import re

import segno
from flask import current_app, flash, g, redirect, render_template, request, url_for
from markupsafe import Markup
from marshmallow import fields, validate

from . import backend, forms
from .blueprint import portal, sign_in, sign_out, signed_in

BASE32 = re.compile(r"^[A-Z2-7]{16,64}$")
RESET_REFUSALS = {
    "reset_not_found": "This link is not valid. Ask for a new one below.",
    "reset_used": "This link was used already. If you need to, ask for a new one.",
    "reset_expired": "This link has expired (links work for one hour). Ask for a new one.",
}


class ForgotForm(forms._Form):  # noqa: SLF001 - the forms' shared base
    email = fields.Email(required=True, validate=validate.Length(max=254))


class NewPasswordForm(forms._Form):  # noqa: SLF001
    password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class ChangePasswordForm(forms._Form):  # noqa: SLF001
    current_password = fields.String(required=True, validate=validate.Length(min=1, max=256))
    new_password = fields.String(required=True, validate=validate.Length(min=1, max=256))


class CodeForm(forms._Form):  # noqa: SLF001
    code = fields.String(required=True, validate=validate.Length(min=1, max=64))
    secret = fields.String(load_default="", validate=validate.Regexp(r"^([A-Z2-7]{16,64})?$"))
    uri = fields.String(load_default="", validate=[validate.Length(max=500), validate.Regexp(r"^(otpauth://totp/\S+)?$")])


@portal.route("/portal/forgot-password", methods=["GET", "POST"])
def forgot_password():
    """Ask for a reset link: the same answer whether or not the address has an account."""
    values, errors, sent, refusal = {}, {}, False, None
    if request.method == "POST":
        values, errors = forms.read(ForgotForm, request.form)
        if not errors:
            answer = backend.call("POST", "/api/v1/password-resets", json={"email": values["email"]}, token="")
            if answer.ok:
                sent = True
            elif answer.code == "rate_limited":
                refusal = "Too many requests for a new password just now; wait a while and try again."
            else:
                errors = {"email": [answer.message]}
    status = 429 if refusal else 422 if errors else 200
    return render_template("portal/forgot_password.html", values=values, errors=errors, sent=sent,
                           refusal=refusal), status


@portal.get("/password-reset/<token>")
def password_reset(token):
    """The mailed link: a form, so that a link scanner opening it changes nothing."""
    return render_template("portal/password_reset.html", token=token, errors={}, refusal=None, done=False)


@portal.post("/password-reset/<token>")
def confirm_password_reset(token):
    values, errors = forms.read(NewPasswordForm, request.form)
    refusal, status = None, 200
    if not errors:
        answer = backend.call("POST", "/api/v1/password-resets/confirm",
                              json={"token": token, "password": values["password"]}, token="")
        if answer.ok:
            if g.portal_session is not None:
                sign_out()  # every session of the account ended; this browser's too
            return render_template("portal/password_reset.html", token=token, errors={}, refusal=None, done=True)
        if answer.code == "weak_password":
            errors = {"password": [answer.data.get("detail") or "Choose a stronger password."]}
        else:
            refusal = RESET_REFUSALS.get(answer.code or "", RESET_REFUSALS["reset_not_found"])
            status = 404 if answer.status in (404, 422) else answer.status
    return render_template("portal/password_reset.html", token=token, errors=errors, refusal=refusal,
                           done=False), status if refusal else 422


@portal.get("/portal/account")
@signed_in
def account():
    return _account_page()


def _account_page(errors=None, status=200, setup=None, recovery_codes=None):
    return render_template("portal/account.html", errors=errors or {}, setup=setup,
                           recovery_codes=recovery_codes), status


@portal.post("/portal/account/password")
@signed_in
def change_password():
    """A new password; every other session ends and this browser gets a fresh one."""
    values, errors = forms.read(ChangePasswordForm, request.form)
    if errors:
        return _account_page(errors, 422)
    answer = backend.call("PUT", "/api/v1/me/password", json=values)
    if answer.code == "invalid_credentials":
        return _account_page({"current_password": ["This is not your current password."]}, 403)
    if answer.code == "weak_password":
        return _account_page({"new_password": [answer.data.get("detail") or "Choose a stronger password."]}, 422)
    if answer.code == "rate_limited":
        return _account_page({"current_password": ["Too many wrong passwords; try again in a few minutes."]}, 429)
    if not answer.ok:
        return _account_page({"new_password": [answer.message]}, answer.status)
    _restart_session()
    flash("Your password is changed. Every other browser signed in to your account is signed out.")
    return redirect(url_for("portal.account"), 303)


def _restart_session() -> None:
    """A new session for this browser after the account's sessions ended."""
    account_id = g.portal_session.account_id
    fresh = backend.call("POST", f"/internal/v1/accounts/{account_id}/tokens",
                         token=current_app.config["PORTAL"].operator_token, service="membership")
    sign_out()
    if fresh.ok:
        sign_in(fresh.data["access_token"], fresh.data["expires_in"], account_id)


@portal.post("/portal/account/two-factor")
@signed_in
def start_two_factor():
    """A new secret, shown as a QR code (an SVG made here) and as text."""
    answer = backend.call("POST", "/api/v1/me/totp")
    if not answer.ok:
        flash("Two-factor sign-in is on already." if answer.code == "totp_enabled" else answer.message, "error")
        return redirect(url_for("portal.account"), 303)
    return _account_page(setup=_setup(answer.data["secret"], answer.data["otpauth_uri"]), status=201)


def _setup(secret: str, uri: str) -> dict:
    svg = segno.make(uri, error="m").svg_inline(scale=5, border=2, dark="#000", light="#fff")
    svg = svg.replace("<svg ", '<svg role="img" aria-label="QR code to add this account to your authenticator app" ', 1)
    return {"secret": secret, "uri": uri, "grouped": " ".join(secret[i:i + 4] for i in range(0, len(secret), 4)),
            "qr": Markup(svg)}


@portal.post("/portal/account/two-factor/confirm")
@signed_in
def confirm_two_factor():
    """The first code from the app turns two-factor sign-in on; the recovery codes show once."""
    values, errors = forms.read(CodeForm, request.form)
    secret, uri = values.get("secret") or "", values.get("uri") or ""
    setup = _setup(secret, uri) if BASE32.match(secret) and uri.startswith("otpauth://totp/") else None
    if errors:
        return _account_page({"code": errors.get("code", ["Enter the six digits your app shows."])}, 422, setup)
    answer = backend.call("POST", "/api/v1/me/totp/confirm", json={"code": values["code"]})
    if answer.code == "invalid_totp_code":
        return _account_page({"code": ["That is not the code your app shows now; try the next one."]}, 422, setup)
    if not answer.ok:
        flash("Start two-factor setup again." if answer.code == "totp_not_started" else answer.message, "error")
        return redirect(url_for("portal.account"), 303)
    return _account_page(recovery_codes=answer.data["recovery_codes"])


@portal.post("/portal/account/two-factor/off")
@signed_in
def turn_off_two_factor():
    values, errors = forms.read(CodeForm, request.form)
    if errors:
        return _account_page({"off_code": ["Enter a code from your app or a recovery code."]}, 422)
    answer = backend.call("DELETE", "/api/v1/me/totp", json={"code": values["code"]})
    if answer.code == "invalid_totp_code":
        return _account_page({"off_code": ["That code is not valid: enter the code your app shows now, "
                                           "or an unused recovery code."]}, 422)
    if not answer.ok and answer.code != "totp_not_enabled":
        return _account_page({"off_code": [answer.message]}, answer.status)
    flash("Two-factor sign-in is off.")
    return redirect(url_for("portal.account"), 303)
