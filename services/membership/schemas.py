"""Membership's request and response schemas (input and output kept apart)."""
from marshmallow import Schema, fields, validate

from .domain import SLUG

Email = lambda: fields.Email(required=True, validate=validate.Length(max=254))  # noqa: E731


class CreateAccountSchema(Schema):
    email = Email()
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=10, max=256))
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))


class AccountSchema(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()


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
