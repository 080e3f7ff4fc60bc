"""Use cases, and inside one: search the talent directory, save a selection, decide on
each expert, feature their projects and consultations."""
from __future__ import annotations

from flask import flash, redirect, render_template, request, session, url_for

from services.common.errors import Problem

from services.common.pagination import MAX_CURSOR_CHARS

from . import backend, errors_in_words, forms
from .blueprint import IDENTIFIER, partner_page, portal
from .words import reason

TABS = ("pending", "approved", "declined", "removed")
SEARCH_FIELDS = ("q", "skill", "badge", "min_jss", "max_rate", "country", "eligible")
MAX_SELECTED = 200  # one save, one experts:decide


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
        errors = {"name": [errors_in_words.problem(answer, values)]}
    return _use_case_list(pid, values, errors, 422)


@portal.post("/portal/p/<pid>/use-cases/<uid>/rename")
@partner_page
def rename_use_case(pid, uid):
    """Rename, and from the use case's own page also edit its description."""
    values, errors = forms.read(forms.UseCaseForm, request.form)
    if errors:
        flash(" ".join(errors_in_words.field_sentences(errors)), "error")
    else:
        change = {"name": values["name"]}
        if request.form.get("with_description"):
            change["description"] = values["description"]
        answer = backend.call("PATCH", f"/api/v1/partners/{pid}/use-cases/{uid}", json=change)
        flash(("Details saved." if "description" in change else f"Renamed to “{values['name']}”.") if answer.ok
              else errors_in_words.problem(answer), "info" if answer.ok else "error")
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
    search = {k: request.args.get(k, "").strip() for k in SEARCH_FIELDS}
    searching = request.args.get("search") is not None
    return _use_case_page(pid, uid, search, request.args.get("cursor", "") if searching else None, {})


@portal.post("/portal/p/<pid>/use-cases/<uid>/curate")
@partner_page
def curate(pid, uid):
    """The search form and its results are one form, so what is ticked survives a new search and
    "Next results": the selection travels in the page (``sel``) and is shown as "Selected (n)".
    ``do`` = ``search``, ``next``, ``clear`` or ``save`` (the selection becomes pending; the
    search and its filters stay)."""
    search = {k: request.form.get(k, "").strip() for k in SEARCH_FIELDS}
    selection = _selection(request.form)
    do = request.form.get("do", "search")
    if do == "save":
        if not selection:
            flash("Select at least one freelancer first.", "error")
        else:
            answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts",
                                  json={"freelancer_ids": list(selection)})
            if answer.ok:
                flash(f"Saved: {len(selection)} added for review: {', '.join(selection.values())}.")
                return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="pending", search=1,
                                        **{k: v for k, v in search.items() if v}), 303)
            flash(errors_in_words.problem(answer), "error")
    if do == "clear":
        selection = {}
    if do == "select_page":  # every result on this page that can be added
        shown = dict(zip(request.form.getlist("shown"), request.form.getlist("shown_name")))
        selection.update({i: shown[i] for i in request.form.getlist("selectable") if i in shown and IDENTIFIER.match(i)})
        selection = dict(list(selection.items())[:MAX_SELECTED])
        cursor = request.form.get("cursor", "")
        return _use_case_page(pid, uid, search, cursor, selection)
    cursor = request.form.get("next_cursor", "") if do == "next" else ""
    return _use_case_page(pid, uid, search, cursor, selection)


def _selection(form) -> dict[str, str]:
    """What is selected, id to name: the earlier selection minus what was shown and unticked,
    plus what is ticked now; at most 200 (one save)."""
    shown = dict(zip(form.getlist("shown"), form.getlist("shown_name")))
    kept = {i: n for i, n in zip(form.getlist("sel"), form.getlist("sel_name")) if i not in shown}
    ticked = {i: shown[i] for i in form.getlist("pick") if i in shown}
    both = {**kept, **ticked}
    return {i: n[:120] for i, n in list(both.items())[:MAX_SELECTED] if IDENTIFIER.match(i)}


def _use_case_page(pid: str, uid: str, search: dict, cursor: str | None, selection: dict):
    use_case = _find_use_case(pid, uid)
    tab = (request.values.get("tab") if request.values.get("tab") in TABS else "pending")
    results, search_error = None, None
    if cursor is not None:
        answer = backend.call("GET", f"/api/v1/partners/{pid}/talent",
                              query={**search, "cursor": cursor[:MAX_CURSOR_CHARS], "limit": 20})
        results = answer.data if answer.ok else None
        search_error = None if answer.ok else errors_in_words.problem(answer)
    experts = backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/experts")["items"]
    offerings = backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/offerings")["items"]
    here = {e["freelancer_id"]: e["status"] for e in experts}
    return render_template("portal/use_case.html", use_case=use_case, tab=tab, search=search,
                           results=results, search_error=search_error, offerings=offerings,
                           experts=[e for e in experts if e["status"] == tab], here=here,
                           selection=selection, counts=_counts(experts), cursor=cursor,
                           undo=(session.get("undo") or {}).get("uid") == uid,
                           undo_offering=(session.get("undo_offering") or {}).get("uid") == uid,
                           approved=[e for e in experts if e["status"] == "approved"],
                           choices=_offering_choices(experts, offerings))


def _counts(experts: list) -> dict:
    """Counted from the list this page shows, so the tabs and the list always agree."""
    counts = {t: 0 for t in TABS}
    for expert in experts:
        counts[expert["status"]] = counts.get(expert["status"], 0) + 1
    return counts


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
    """"Save changes" from a page without the selection form (kept for old bookmarks and scripts)."""
    ids = [i for i in request.form.getlist("freelancer_ids") if i][:MAX_SELECTED]
    if not ids:
        flash("Select at least one freelancer first.", "error")
    else:
        backend.report(
            backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", json={"freelancer_ids": ids}),
            f"Saved: {len(ids)} added for review.")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="pending"), 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/experts/decide")
@partner_page
def decide_many(pid, uid):
    """Approve or decline the ticked experts at once (``experts:decide``); the next page names
    who was decided and who was not, and why."""
    ids = [i for i in dict.fromkeys(request.form.getlist("fid")) if IDENTIFIER.match(i)][:MAX_SELECTED]
    decision = "decline" if request.form.get("do") == "decline" else "approve"
    tab = request.form.get("tab", "pending")
    if not ids:
        flash("Tick at least one expert first.", "error")
        return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab=tab), 303)
    if decision == "decline" and tab == "approved" and not request.form.get("confirmed"):
        return _confirm_decline(pid, uid, ids, tab)
    if decision == "decline" and tab == "approved":
        _remember_offerings(pid, uid, ids)
    answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts:decide",
                          json={decision: ids})
    if not answer.ok:
        flash(errors_in_words.problem(answer), "error")
        return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab=tab), 303)
    _report_decisions(pid, uid, decision, answer.data["items"], undo_from=tab)
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab=tab), 303)


def _names(pid: str, uid: str) -> dict[str, str]:
    experts = backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/experts")["items"]
    return {e["freelancer_id"]: e.get("name") or e["freelancer_id"] for e in experts}


def _report_decisions(pid: str, uid: str, decision: str, items: list[dict], undo_from: str) -> None:
    names = _names(pid, uid)
    done = [names.get(i["freelancer_id"], i["freelancer_id"]) for i in items if not i.get("code")]
    if done:
        verb = "approved" if decision == "approve" else "declined"
        flash(f"{len(done)} {verb}: {', '.join(done)}." if len(done) > 1 else f"{done[0]} {verb}.")
        if decision == "decline" and undo_from == "approved":
            declined = [i["freelancer_id"] for i in items if not i.get("code")]
            session["undo"] = {"uid": uid, "approve": declined,
                               "offerings": [o for o in session.pop("featured_before", []) if o["freelancer_id"] in declined]}
    for item in items:
        who = names.get(item["freelancer_id"], item["freelancer_id"])
        if item.get("code") == "not_eligible":
            flash(f"{who} was not approved: {', '.join(reason(r) for r in item.get('reasons', [])) or 'not eligible'}.",
                  "error")
        elif item.get("code") == "not_found":
            flash(f"{who} is no longer in this use case.", "error")


def _confirm_decline(pid: str, uid: str, ids: list[str], tab: str):
    names = _names(pid, uid)
    who = [names.get(i, i) for i in ids]
    offerings = [o for o in backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/offerings")["items"]
                 if o["freelancer_id"] in ids]
    follows = [f"{', '.join(who)} will leave this use case's approved experts"
               + (" and the public page." if _published(pid) else ".")]
    if offerings:
        follows.append("Their featured offerings will be removed: "
                       + ", ".join(f"“{o['title']}”" for o in offerings) + ".")
    follows.append("You can undo this right after.")
    return render_template("portal/confirm.html", title=f"Decline {len(ids)} approved expert{'s' if len(ids) > 1 else ''}?",
                           follows=follows, action=url_for("portal.decide_many", pid=pid, uid=uid),
                           fields=[("do", "decline"), ("tab", tab), ("confirmed", "1"), *[("fid", i) for i in ids]],
                           button="Yes, decline",
                           back=url_for("portal.use_case", pid=pid, uid=uid, tab=tab))


def _remember_offerings(pid: str, uid: str, ids: list[str]) -> None:
    """The featured offerings a decline will drop, so Undo can feature them again."""
    session["featured_before"] = [
        {k: o[k] for k in ("kind", "freelancer_id", "offering_id")}
        for o in backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/offerings")["items"] if o["freelancer_id"] in ids]


def _published(pid: str) -> bool:
    return bool(backend.get(f"/api/v1/partners/{pid}/page").get("published"))


@portal.post("/portal/p/<pid>/use-cases/<uid>/experts/undo")
@partner_page
def undo_decline(pid, uid):
    """Undo the last decline of approved experts: approve them again (they may have become
    ineligible since, which the next page says by name)."""
    undo = session.pop("undo", None)
    if not undo or undo.get("uid") != uid:
        flash("There is nothing to undo.", "error")
    else:
        answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts:decide",
                              json={"approve": undo["approve"][:MAX_SELECTED]})
        if answer.ok:
            _report_decisions(pid, uid, "approve", answer.data["items"], undo_from="")
            for offering in undo.get("offerings", []):  # featured again, as before the decline
                backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings", json=offering)
        else:
            flash(errors_in_words.problem(answer), "error")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="approved"), 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/experts/<fid>/<any(approve, decline):decision>")
@partner_page
def decide(pid, uid, fid, decision):
    """The check mark and the X of one expert (declining an approved one asks first)."""
    tab = request.form.get("tab", "pending")
    if decision == "decline" and tab == "approved" and not request.form.get("confirmed"):
        return _confirm_decline(pid, uid, [fid], tab)
    if decision == "decline" and tab == "approved":
        _remember_offerings(pid, uid, [fid])
    answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts:decide", json={decision: [fid]})
    if not answer.ok:
        flash(errors_in_words.problem(answer), "error")
    else:
        _report_decisions(pid, uid, decision, answer.data["items"], undo_from=tab)
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab=tab), 303)


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
    """Asks first (a confirmation page), then removes; Undo features it again."""
    offering = next((o for o in backend.get(f"/api/v1/partners/{pid}/use-cases/{uid}/offerings")["items"]
                     if o["id"] == oid), None)
    if offering is None:
        flash("This offering is no longer featured.", "error")
    elif not request.form.get("confirmed"):
        return render_template(
            "portal/confirm.html", title=f"Stop featuring “{offering['title']}”?",
            follows=[f"“{offering['title']}” by {offering.get('freelancer_name') or offering['freelancer_id']} "
                     "will no longer show in this use case" + (" on your public page." if _published(pid) else "."),
                     "You can undo this right after."],
            action=url_for("portal.remove_offering", pid=pid, uid=uid, oid=oid), fields=[("confirmed", "1")],
            button="Yes, remove", back=url_for("portal.use_case", pid=pid, uid=uid, tab="approved") + "#offerings")
    elif backend.report(backend.call("DELETE", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings/{oid}"),
                        f"“{offering['title']}” is no longer featured.").ok:
        session["undo_offering"] = {"uid": uid, "kind": offering["kind"], "freelancer_id": offering["freelancer_id"],
                                    "offering_id": offering["offering_id"]}
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="approved") + "#offerings", 303)


@portal.post("/portal/p/<pid>/use-cases/<uid>/offerings/undo")
@partner_page
def undo_remove_offering(pid, uid):
    """Feature again the offering just removed."""
    undo = session.pop("undo_offering", None)
    if not undo or undo.pop("uid", None) != uid:
        flash("There is nothing to undo.", "error")
    else:
        answer = backend.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/offerings", json=undo)
        flash(f"Featured “{answer.data.get('title')}” again." if answer.ok else errors_in_words.problem(answer),
              "info" if answer.ok else "error")
    return redirect(url_for("portal.use_case", pid=pid, uid=uid, tab="approved") + "#offerings", 303)
