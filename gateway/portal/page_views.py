"""The dashboard (publish checklist and toggle) and the activity log."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services.common.pagination import MAX_CURSOR_CHARS

from . import backend, forms, words
from .blueprint import partner_page, portal

FIX_LINKS = {"experts": "portal.use_cases", "logo_light": "portal.brand", "logo_dark": "portal.brand",
             "branded_image": "portal.brand"}


@portal.get("/portal/p/<pid>")
@partner_page
def dashboard(pid):
    """What the page needs before it can be published, the toggle, and the warnings after."""
    page = backend.get(f"/api/v1/partners/{pid}/page")
    return render_template("portal/dashboard.html", page=page, fix_links=FIX_LINKS)


@portal.post("/portal/p/<pid>/publish")
@partner_page
def publish(pid):
    values, errors = forms.read(forms.PublishForm, request.form)
    if errors:
        flash("Choose to publish or to unpublish.", "error")
        return redirect(url_for("portal.dashboard", pid=pid), 303)
    answer = backend.call("PUT", f"/api/v1/partners/{pid}/page/published", json=values)
    if answer.ok:
        flash("Your page is published." if values["published"] else "Your page is no longer public.")
    elif answer.code == "publish_requirements_unmet":
        missing = ", ".join(words.REQUIREMENTS.get(m, m) for m in answer.data.get("missing", []))
        flash(f"Not yet: still missing {missing}.", "error")
    else:
        flash(answer.message, "error")
    return redirect(url_for("portal.dashboard", pid=pid), 303)


@portal.get("/portal/p/<pid>/activity")
@partner_page
def activity(pid):
    """Every change to the page, newest first, filterable by kind."""
    kind = request.args.get("kind", "")
    kind = kind if kind in words.ACTIVITY_KINDS else ""
    cursor = request.args.get("cursor", "")[:MAX_CURSOR_CHARS]
    answer = backend.call("GET", f"/api/v1/partners/{pid}/activity",
                          query={"kind": kind, "cursor": cursor, "limit": 50})
    if not answer.ok:  # a stale or mangled cursor: start from the newest
        return redirect(url_for("portal.activity", pid=pid, kind=kind or None))
    names = _member_names(pid)
    return render_template("portal/activity.html", entries=answer.data["items"], kind=kind,
                           next_cursor=answer.data.get("next_cursor"), names=names)


def _member_names(pid: str) -> dict:
    answer = backend.call("GET", f"/api/v1/partners/{pid}/members")
    return {m["account_id"]: m["name"] for m in answer.data.get("items", [])} if answer.ok else {}
