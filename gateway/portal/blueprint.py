"""The portal blueprint: who is signed in, which partner a page is about, CSRF on every
form, and errors shown as pages rather than JSON."""
from __future__ import annotations

import re
from functools import wraps
from urllib.parse import urlsplit

from flask import (Blueprint, current_app, g, redirect, render_template, request, session,
                   url_for)
from flask_wtf.csrf import CSRFError, CSRFProtect

from services.common.errors import Problem

from . import backend, sessions, words

portal = Blueprint("portal", __name__)
IDENTIFIER = re.compile(r"^(?!\.+$)[A-Za-z0-9_.:-]{1,64}$")
csrf = CSRFProtect()


def _db():
    return current_app.config["RUNTIME"].db


@portal.before_request
def _load_session():
    if request.method not in ("GET", "HEAD"):
        csrf.protect()
    g.portal_session = sessions.load(_db(), session.get("sid"))
    if g.portal_session is not None and sessions.needs_new_token(g.portal_session):
        _renew_token(g.portal_session)


def _renew_token(row) -> None:
    """A fresh access token from membership; the session ends if the account is gone or its
    password changed since the session began (401 ``session_ended``)."""
    answer = backend.call("POST", f"/internal/v1/accounts/{row.account_id}/tokens",
                          query={"session_started_at": row.created_at.isoformat()},
                          token=current_app.config["PORTAL"].operator_token, service="membership")
    if answer.ok:
        sessions.store_token(_db(), row, answer.data["access_token"], answer.data["expires_in"])
    else:
        sessions.end(_db(), session.get("sid"))
        session.clear()
        g.portal_session = None


def sign_in(token: str, expires_in: int, account_id: str) -> None:
    """Start a session: a new cookie (never the one the browser came with) and a new CSRF token."""
    session.clear()
    session["sid"] = sessions.start(_db(), account_id, token, expires_in)
    session.permanent = True


def sign_out() -> None:
    sessions.end(_db(), session.get("sid"))
    session.clear()


def safe_next(target: str | None, default: str) -> str:
    """Only a path of this site: never an open redirect."""
    if not target:
        return default
    parts = urlsplit(target)
    if parts.scheme or parts.netloc or not target.startswith("/") or target.startswith("//") or "\\" in target:
        return default
    return target


def signed_in(view):
    """The page needs a signed-in account: otherwise, to sign-in and back."""
    @wraps(view)
    def wrapper(*args, **kwargs):
        if g.portal_session is None:
            return redirect(url_for("portal.signin", next=request.full_path.rstrip("?")))
        g.me = backend.get("/api/v1/me")
        return view(*args, **kwargs)
    return wrapper


def partner_page(view):
    """A page of one partner the account belongs to; any other id is 404, as in the API."""
    @signed_in
    @wraps(view)
    def wrapper(pid, *args, **kwargs):
        if not all(IDENTIFIER.match(value) for value in (pid, *kwargs.values())):
            raise Problem(404, "not_found", "There is no such page.")
        partner = next((p for p in g.me["partners"] if p["id"] == pid), None)
        if partner is None:
            raise Problem(404, "not_found", "There is no such partner, or you are not one of its members.")
        g.partner = partner
        session["partner"] = pid
        return view(pid, *args, **kwargs)
    return wrapper


@portal.app_template_global()
def is_admin() -> bool:
    return getattr(g, "partner", None) is not None and g.partner["role"] == "admin"


@portal.errorhandler(Problem)
def _problem_page(problem: Problem):
    if problem.status == 401 and request.method == "GET":
        sign_out()
        return redirect(url_for("portal.signin", next=request.full_path.rstrip("?")))
    return _error_page(problem.status, problem.detail), problem.status, problem.headers or {}


@portal.errorhandler(CSRFError)
def _csrf_page(error: CSRFError):
    return _error_page(400, "This form has expired or did not come from this site. "
                            "Go back, reload the page and try again."), 400


def _error_page(status: int, detail: str) -> str:
    return render_template("portal/error.html", status=status, detail=detail,
                           title=words.STATUS_TITLES.get(status, "Something went wrong"))


@portal.after_request
def _no_store(response):
    response.headers.setdefault("Cache-Control", "no-store")
    return response


@portal.route("/portal/<path:rest>", methods=["GET", "POST"])
def unknown_page(rest):
    """Any other portal address: the portal's own not-found page, not the API's JSON."""
    raise Problem(404, "not_found", "There is no such page.")
