"""The dashboard (publish checklist and toggle) and the activity log."""
from __future__ import annotations

from datetime import datetime, timedelta, timezone

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
    return render_template("portal/dashboard.html", page=page, fix_links=FIX_LINKS, removals=_recent_removals(pid))


REMOVALS_SHOWN = 10
REMOVALS_DAYS = 14


def _recent_removals(pid: str) -> list[dict]:
    """Experts removed automatically in the last two weeks, newest first: who, why, when and
    from which use case (issue 18, point 8), so a removal shows even while ten experts remain."""
    since = (datetime.now(timezone.utc) - timedelta(days=REMOVALS_DAYS)).isoformat()
    found = []
    for use_case in backend.get(f"/api/v1/partners/{pid}/use-cases")["items"]:
        if not use_case["counts"].get("removed"):
            continue
        for expert in backend.get(f"/api/v1/partners/{pid}/use-cases/{use_case['id']}/experts", status="removed")["items"]:
            if (expert.get("decided_at") or "") >= since:
                found.append({**expert, "use_case": use_case})
    return sorted(found, key=lambda e: e.get("decided_at") or "", reverse=True)[:REMOVALS_SHOWN]


@portal.post("/portal/p/<pid>/publish")
@partner_page
def publish(pid):
    values, errors = forms.read(forms.PublishForm, request.form)
    if errors:
        flash("Choose to publish or to unpublish.", "error")
        return redirect(url_for("portal.dashboard", pid=pid), 303)
    if not values["published"] and not request.form.get("confirmed"):
        return _confirm_unpublish(pid)
    answer = backend.call("PUT", f"/api/v1/partners/{pid}/page/published", json=values)
    if answer.ok:
        flash("Your page is published." if values["published"] else "Your page is no longer public.")
    elif answer.code == "publish_requirements_unmet":
        missing = ", ".join(words.REQUIREMENTS.get(m, m) for m in answer.data.get("missing", []))
        flash(f"Not yet: still missing {missing}.", "error")
    else:
        flash(answer.message, "error")
    return redirect(url_for("portal.dashboard", pid=pid), 303)


def _confirm_unpublish(pid: str):
    """Unpublishing asks first and says what will follow, from the page's requirements now:
    what republishing would need that is missing today."""
    page = backend.get(f"/api/v1/partners/{pid}/page")
    follows = [f"Your page at {page.get('public_url') or 'its address'} goes offline at once; visitors get “not found”."]
    missing = []
    for key, label in words.REQUIREMENTS.items():
        req = (page.get("requirements") or {}).get(key) or {}
        if req and not req.get("met"):
            missing.append(f"{label.lower()} ({req.get('have')} of {req.get('required')})" if key == "experts"
                           else label.lower())
    if missing:
        follows.append("You cannot publish it again until you add what is missing now: " + ", ".join(missing) + ".")
    else:
        follows.append("You can publish it again at any time: everything it needs is in place.")
    return render_template("portal/confirm.html", title="Unpublish your Experts page?", follows=follows,
                           action=url_for("portal.publish", pid=pid),
                           fields=[("published", "false"), ("confirmed", "1")], button="Yes, unpublish",
                           back=url_for("portal.dashboard", pid=pid))


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
