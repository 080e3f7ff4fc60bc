"""The team: members and invitations. Admins invite, re-send, revoke, remove, promote and
demote (never the last admin); members look."""
from __future__ import annotations

import re

from flask import flash, g, redirect, render_template, request, url_for

from . import backend, errors_in_words, forms
from .blueprint import partner_page, portal

SEPARATORS = re.compile(r"[\s,;]+")


@portal.get("/portal/p/<pid>/team")
@partner_page
def team(pid):
    members = backend.get(f"/api/v1/partners/{pid}/members")["items"]
    return render_template("portal/team.html", members=members, invitations=_pending(pid), values={}, errors={})


def _pending(pid: str) -> list[dict]:
    return [i for i in backend.get(f"/api/v1/partners/{pid}/invitations")["items"] if i["status"] == "pending"]


@portal.post("/portal/p/<pid>/team/invitations")
@partner_page
def invite(pid):
    values, errors = forms.read(forms.InviteForm, request.form)
    if not errors:
        emails = [e for e in SEPARATORS.split(values["emails"]) if e]
        answer = backend.call("POST", f"/api/v1/partners/{pid}/invitations",
                              json={"emails": emails} | ({"message": values["message"]} if values["message"] else {}))
        if answer.ok:
            flash(f"Invitation sent to {', '.join(emails)}.")
            return redirect(url_for("portal.team", pid=pid), 303)
        errors = {"emails": [_invite_refusal(answer, emails)]}
    members = backend.get(f"/api/v1/partners/{pid}/members")["items"]
    return render_template("portal/team.html", members=members, invitations=_pending(pid),
                           values=values, errors=errors), 422


def _invite_refusal(answer: backend.Answer, emails: list[str]) -> str:
    if answer.code == "already_member":
        return answer.data.get("detail") or "That person is already a member."
    if answer.code == "admin_only":
        return "Only the team's admin can invite."
    return errors_in_words.problem(answer, {"emails": emails})


@portal.post("/portal/p/<pid>/team/invitations/<invitation_id>/resend")
@partner_page
def resend_invitation(pid, invitation_id):
    backend.report(
        backend.call("POST", f"/api/v1/partners/{pid}/invitations/{invitation_id}/resend"),
        "Invitation sent again.")
    return redirect(url_for("portal.team", pid=pid), 303)


@portal.post("/portal/p/<pid>/team/invitations/<invitation_id>/revoke")
@partner_page
def revoke_invitation(pid, invitation_id):
    backend.report(
        backend.call("DELETE", f"/api/v1/partners/{pid}/invitations/{invitation_id}"),
        "Invitation revoked.")
    return redirect(url_for("portal.team", pid=pid), 303)


LAST_ADMIN = "Your team needs at least one admin: make someone else an admin first."


@portal.post("/portal/p/<pid>/team/members/<account_id>/remove")
@partner_page
def remove_member(pid, account_id):
    """Remove a member or another admin, or leave the team (never its last admin)."""
    answer = backend.call("DELETE", f"/api/v1/partners/{pid}/members/{account_id}")
    leaving = account_id == g.me["id"]
    _report_team_change(answer, "You left the team." if leaving else "Member removed.")
    if answer.ok and leaving:
        return redirect(url_for("portal.home"), 303)
    return redirect(url_for("portal.team", pid=pid), 303)


@portal.post("/portal/p/<pid>/team/members/<account_id>/role")
@partner_page
def change_role(pid, account_id):
    """Make a member an admin, or an admin a member (after the page asked to confirm)."""
    role = request.form.get("role", "")
    if role not in ("admin", "member"):
        flash("Choose admin or member.", "error")
        return redirect(url_for("portal.team", pid=pid), 303)
    answer = backend.call("PATCH", f"/api/v1/partners/{pid}/members/{account_id}", json={"role": role})
    name = answer.data.get("name", "") if answer.ok else ""
    _report_team_change(answer, f"{name} is now an admin." if role == "admin" else f"{name} is now a member.")
    return redirect(url_for("portal.team", pid=pid), 303)


def _report_team_change(answer: backend.Answer, success: str) -> None:
    if answer.code == "last_admin":
        flash(LAST_ADMIN, "error")
    elif answer.code == "admin_only":
        flash("Only the team's admins can change the team.", "error")
    elif answer.status == 404:
        flash("That person is no longer in the team.", "error")
    else:
        backend.report(answer, success)
