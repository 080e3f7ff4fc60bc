"""The call every partner-scoped service asks before it lets a member act: access decisions
never wait for the bus (DESIGN.md, second round; ``services.common.members.LiveMembers``)."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from services.common.auth import require_service
from services.common.webapp import current_runtime

from .models import Membership

member_checks = Blueprint("member_checks", __name__, url_prefix="/internal/v1",
                          description="Who belongs to a partner now (services)")


class MemberCheckSchema(Schema):
    partner_id = fields.String()
    account_id = fields.String()
    role = fields.String(allow_none=True, metadata={"enum": ["admin", "member", None],
                                                    "description": "null: not a member (or no such partner)"})


@member_checks.get("/partners/<string:pid>/members/<string:account_id>")
@require_service
@member_checks.response(200, MemberCheckSchema)
def member_role(pid, account_id):
    """The account's current role in the partner (service token): `admin`, `member`, or null
    when it is not a member or the partner does not exist. Always 200 for a member check, so
    that a caller never mistakes an unrouted 404 for "not a member"."""
    with current_runtime().db.transaction() as session:
        role = session.scalar(select(Membership.role).where(Membership.partner_id == pid,
                                                            Membership.account_id == account_id))
    return {"partner_id": pid, "account_id": account_id, "role": role}
