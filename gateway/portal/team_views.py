"""The team: members and invitations. Admins invite, re-send, revoke and remove; members look."""
from __future__ import annotations

import re

from flask import flash, redirect, render_template, request, url_for

from . import backend, forms
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
        errors = {"emails": [_invite_refusal(answer)]}
    members = backend.get(f"/api/v1/partners/{pid}/members")["items"]
    return render_template("portal/team.html", members=members, invitations=_pending(pid),
                           values=values, errors=errors), 422


def _invite_refusal(answer: backend.Answer) -> str:
    if answer.code == "already_member":
        return answer.data.get("detail") or "That person is already a member."
    if answer.code == "admin_only":
        return "Only the team's admin can invite."
    return answer.message


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


@portal.post("/portal/p/<pid>/team/members/<account_id>/remove")
@partner_page
def remove_member(pid, account_id):
    backend.report(backend.call("DELETE", f"/api/v1/partners/{pid}/members/{account_id}"), "Member removed.")
    return redirect(url_for("portal.team", pid=pid), 303)
