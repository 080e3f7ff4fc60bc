"""The events membership publishes. Consumers keep their own copy of the fields they need."""
from marshmallow import Schema, fields

from services.common.bus import EventType


class PartnerAccessGrantedSchema(Schema):
    """An operator granted portal access: a partner company now exists, with its admin."""

    partner_id = fields.String(required=True)
    name = fields.String(required=True)
    slug = fields.String(required=True)
    admin_account_id = fields.String(required=True)


class MemberSchema(Schema):
    """A member joined or left a partner."""

    partner_id = fields.String(required=True)
    account_id = fields.String(required=True)
    role = fields.String(required=True)


ACCESS_GRANTED = EventType("membership.access.granted", 1, PartnerAccessGrantedSchema)
MEMBER_JOINED = EventType("membership.member.joined", 1, MemberSchema)
MEMBER_REMOVED = EventType("membership.member.removed", 1, MemberSchema)


class RoleChangedSchema(MemberSchema):
    """An admin made a member an admin (``role`` admin) or an admin a member."""

    changed_by = fields.String(required=True, metadata={"description": "The admin's account id"})


MEMBER_ROLE_CHANGED = EventType("membership.member.role_changed", 1, RoleChangedSchema)


class InvitationSentSchema(Schema):
    """An invitation went out (the token never travels on the bus)."""

    invitation_id = fields.String(required=True)
    partner_id = fields.String(required=True)
    email = fields.String(required=True)
    expires_at = fields.String(required=True)


INVITATION_SENT = EventType("membership.invitation.sent", 1, InvitationSentSchema)
