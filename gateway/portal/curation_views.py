"""Use cases, and inside one: search the talent directory, save a selection, decide on
each expert, feature their projects and consultations."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, url_for

from services.common.errors import Problem

from services.common.pagination import MAX_CURSOR_CHARS

from . import backend, forms
from .blueprint import partner_page, portal
from .words import reason

TABS = ("pending", "approved", "declined", "removed")
SEARCH_FIELDS = ("q", "skill", "badge", "min_jss", "max_rate", "country", "eligible")


@portal.get("/portal/p/<pid>/use-cases")
@partner_page
def use_cases(pid):
    return _use_case_list(pid, {}, {})


def _use_case_list(pid: str, values: dict, errors: dict, status: int = 200):
    items = backend.get(f"/api/v1/partners/{pid}/use-cases")["items"]
    return render_template("portal/use_cases.html", use_cases=items, values=values, errors=errors), status


@portal.post("/portal/p/<pid>/use-cases")
@partner_page
def create_use_case(pid):
    values, errors = forms.read(forms.UseCaseForm, request.form)
    if not errors:
        answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases", json=values)
        if answer.ok:
            flash(f"Use case “{values['name']}” created.")
            return redirect(url_for("portal.use_case", pid=pid, uid=answer.data["id"]), 303)
        errors = {"name": ["You already have a use case with this name." if answer.code == "use_case_exists"
                           else answer.message]}
    return _use_case_list(pid, values, errors, 422)


@portal.post("/portal/p/<pid>/use-cases/<uid>/rename")
@partner_page
def rename_use_case(pid, uid):
    values, errors = forms.read(forms.UseCaseForm, request.form)
    if errors:
        flash("A name needs 1 to 60 characters.", "error")
    else:
        backend.report(
            backend.call("PATCH", f"/api/v1/partners/{pid}/use-cases/{uid}", json={"name": values["name"]}),
            f"Renamed to “{values['name']}”.")
    return redirect(request.form.get("back") == "detail" and url_for("portal.use_case", pid=pid, uid=uid)
                    or url_for("portal.use_cases", pid=pid), 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/delete")
@partner_page
def delete_use_case(pid, uid):
    backend.report(backend.call("DELETE", f"/api/v1/partners/{pid}/use-cases/{uid}"), "Use case deleted.")
    return redirect(url_for("portal.use_cases", pid=pid), 303)


@portal.get("/portal/p/<pid>/use-cases/<uid>")
@partner_page
def use_case(pid, uid):
    """The search over the directory, then the experts by status, then featured offerings."""
    use_case = _find_use_case(pid, uid)
    tab = request.args.get("tab") if request.args.get("tab") in TABS else "pending"
    search = {k: request.args.get(k, "").strip() for k in SEARCH_FIELDS}
    results, search_error = None, None
    if request.args.get("search") is not None:
        answer = backend.call("GET", f"/api/v1/partners/{pid}/talent",
                              query={**search, "cursor": request.args.get("cursor", "")[:MAX_CURSOR_CHARS], "limit": 20})
        results = answer.data if answer.ok else None
        search_error = None if answer.ok else answer.message
    experts = backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/experts")["items"]
    offerings = backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/offerings")["items"]
    return render_template("portal/use_case.html", use_case=use_case, tab=tab, search=search,
                           results=results, search_error=search_error, offerings=offerings,
                           experts=[e for e in experts if e["status"] == tab],
                           counts=use_case["counts"],
                           approved=[e for e in experts if e["status"] == "approved"],
                           choices=_offering_choices(experts, offerings))


def _offering_choices(experts: list, offerings: list) -> list[tuple[str, str]]:
    """The approved experts' projects and consultations not featured yet, as (value, label)."""
    featured = {(o["kind"], o["offering_id"]) for o in offerings}
    choices = []
    for expert in (e for e in experts if e["status"] == "approved"):
        who = expert.get("name") or expert["freelancer_id"]
        for kind, key in (("project", "projects"), ("consultation", "consultations")):
            for offering in expert.get(key) or []:
                if (kind, offering["id"]) not in featured:
                    choices.append((f"{kind}|{expert['freelancer_id']}|{offering['id']}",
                                    f"{kind.capitalize()}: {offering['title']} ({who})"))
    return choices


def _find_use_case(pid: str, uid: str) -> dict:
    for item in backend.get(f"/api/v1/partners/{pid}/use-cases")["items"]:
        if item["id"] == uid:
            return item
    raise Problem(404, "not_found", "There is no such use case.")


@portal.post("/portal/p/<pid>/use-cases/<uid>/experts")
@partner_page
def save_experts(pid, uid):
    """"Save changes": the selected freelancers become pending."""
    ids = [i for i in request.form.getlist("freelancer_ids") if i][:200]
    if not ids:
        flash("Select at least one freelancer first.", "error")
    else:
        backend.report(
            backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", json={"freelancer_ids": ids}),
            f"Saved: {len(ids)} added for review.")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="pending"), 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/experts/<fid>/<any(approve, decline):decision>")
@partner_page
def decide(pid, uid, fid, decision):
    """The check mark and the X."""
    answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{fid}/{decision}")
    if answer.ok:
        flash(f"{answer.data.get('name') or fid} {'approved' if decision == 'approve' else 'declined'}.")
    elif answer.code == "not_eligible":
        flash(f"Not eligible: {', '.join(reason(r) for r in answer.data.get('reasons', []))}.", "error")
    else:
        flash(answer.message, "error")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab=request.form.get("tab", "pending")), 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/offerings")
@partner_page
def feature_offering(pid, uid):
    values, errors = forms.read(forms.FeatureForm, request.form)
    if errors:
        flash("Choose a project or a consultation to feature.", "error")
    else:
        kind, freelancer_id, offering_id = values["offering"].split("|")
        answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings",
                              json={"kind": kind, "freelancer_id": freelancer_id, "offering_id": offering_id})
        flash(f"Featured “{answer.data.get('title', offering_id)}”." if answer.ok else answer.message,
              "info" if answer.ok else "error")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="approved") + "#offerings", 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/offerings/<oid>/remove")
@partner_page
def remove_offering(pid, uid, oid):
    backend.report(
        backend.call("DELETE", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings/{oid}"),
        "Offering removed.")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="approved") + "#offerings", 303)
