"""Membership's request and response schemas (input and output kept apart)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from .domain import SLUG

class TrimmedEmail(fields.Email):
    """An email address; surrounding spaces are dropped before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)


def Email():  # noqa: N802 - reads like a field type
    return TrimmedEmail(required=True, validate=validate.Length(max=254))


class CreateAccountSchema(Schema):
    email = Email()
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256),
                             metadata={"description": "At least 10 characters, not a common password "
                                                      "(else 422 weak_password)"})
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class AccountSchema(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()


class VerifyEmailSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CreateSessionSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))


class SessionSchema(Schema):
    access_token = fields.String()
    token_type = fields.String()
    expires_in = fields.Integer()


class PartnerRefSchema(Schema):
    id = fields.String()
    name = fields.String()
    slug = fields.String()
    role = fields.String()


class MeSchema(AccountSchema):
    email_verified = fields.Boolean(metadata={"description": "Whether the owner opened the mailed link"})
    partners = fields.List(fields.Nested(PartnerRefSchema))


class GrantAccessSchema(Schema):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    slug = fields.String(required=True, validate=validate.Regexp(SLUG, error="Use 1-60 lowercase letters, digits and dashes."))
    admin_email = Email()


class PartnerSchema(Schema):
    id = fields.String()
    name = fields.String()
    slug = fields.String()
    admin_account_id = fields.String()


class MemberSchema(Schema):
    account_id = fields.String()
    email = fields.String()
    name = fields.String()
    role = fields.String()


class MemberListSchema(Schema):
    items = fields.List(fields.Nested(MemberSchema))


class InviteSchema(Schema):
    emails = fields.List(Email(), required=True, validate=validate.Length(min=1, max=50))
    message = fields.String(load_default="", validate=validate.Length(max=1000))

    @validates_schema
    def _unique(self, data, **kwargs):
        emails = [e.strip().lower() for e in data.get("emails", [])]
        if len(set(emails)) != len(emails):
            raise ValidationError("Each email once.", "emails")


class InvitationSchema(Schema):
    id = fields.String()
    email = fields.String()
    status = fields.String()
    expires_at = fields.DateTime()
    created_at = fields.DateTime()


class InvitationListSchema(Schema):
    items = fields.List(fields.Nested(InvitationSchema))


class AcceptSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class AcceptedSchema(Schema):
    partner_id = fields.String()


class JwksSchema(Schema):
    """A JSON Web Key Set (RFC 7517): the public keys that verify access tokens."""
    keys = fields.List(fields.Dict(), required=True)
