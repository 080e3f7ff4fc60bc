"""The call every partner-scoped service asks before it lets a member act: access decisions
never wait for the bus (DESIGN.md, second round; ``services.common.members.LiveMembers``)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields, validate
from sqlalchemy import select

from services.common.auth import require_service
from services.common.errors import not_found
from services.common.idempotency import idempotent
from services.common.webapp import current_runtime

from .handlers import current_role
from .mail_values import one_line
from .models import Account, Membership, OutgoingMail, Partner

member_checks = Blueprint("member_checks", __name__, url_prefix="/internal/v1",
                          description="Who belongs to a partner now (services)")


class MemberCheckSchema(Schema):
    partner_id = fields.String()
    account_id = fields.String()
    role = fields.String(allow_none=True, metadata={"enum": ["admin", "member", "api_key", None],
                                                    "description": "null: not a member (or no such partner)"})


@member_checks.get("/partners/<string:pid>/members/<string:account_id>")
@require_service
@member_checks.response(200, MemberCheckSchema)
def member_role(pid, account_id):
    """The account's current role in the partner (service token): `admin`, `member`, `api_key`
    (`api_key:<id>`, a live key of this partner), or null
    when it is not a member or the partner does not exist. Always 200 for a member check, so
    that a caller never mistakes an unrouted 404 for "not a member"."""
    with current_runtime().db.transaction() as session:
        role = current_role(session, pid, account_id)
    return {"partner_id": pid, "account_id": account_id, "role": role}


class AdminNoticeSchema(Schema):
    subject = fields.String(required=True, validate=validate.Length(min=1, max=200))
    body = fields.String(required=True, validate=validate.Length(min=1, max=5000))


class NoticeQueuedSchema(Schema):
    recipients = fields.Integer(metadata={"description": "How many admins the mail was queued for"})


@member_checks.post("/partners/<string:pid>/admin-notices")
@require_service
@idempotent
@member_checks.arguments(AdminNoticeSchema)
@member_checks.response(202, NoticeQueuedSchema)
def notify_admins(body, pid):
    """Mail a plain-text notice to each admin of the partner (service token), through the
    outgoing mail queue; other services have no addresses (webhooks: an endpoint disabled
    after failing for three days). 404 for an unknown partner. Send an `Idempotency-Key`
    so that a retried call mails once."""
    with current_runtime().db.transaction() as session:
        if session.get(Partner, pid) is None:
            raise not_found("partner")
        admins = session.scalars(select(Account.email).join(Membership, Membership.account_id == Account.id)
                                 .where(Membership.partner_id == pid, Membership.role == "admin")).all()
        for email in admins:
            session.add(OutgoingMail(recipient=email, subject=one_line(body["subject"]), body=body["body"]))
    return {"recipients": len(admins)}
