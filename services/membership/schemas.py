"""Membership's request and response schemas (input and output kept apart)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.openapi import WHITESPACE, Pattern

from .domain import SLUG
from .mail_values import AddressRefused, checked_address, refused_character

class TrimmedEmail(fields.Email):
    """An email address; surrounding spaces are dropped before it is checked."""

    def _deserialize(self, value, attr, data, **kwargs):
        value = super()._deserialize(value.strip() if isinstance(value, str) else value, attr, data, **kwargs)
        try:  # the same check the mailer makes before it builds a header from the address
            return checked_address(value).normalized
        except AddressRefused as exc:
            raise ValidationError(str(exc)) from exc


def Email():  # noqa: N802 - reads like a field type
    return TrimmedEmail(required=True, validate=validate.Length(max=254))


def _one_line_of_text(value: str) -> None:
    refused = refused_character(value)
    if refused:
        raise ValidationError(f"A name is one line of text; {refused} is not allowed.")
    if not value.strip():
        raise ValidationError("A name needs a character other than spaces.")


# What _one_line_of_text refuses, as a portable pattern for the document (all but unassigned
# code points, which depend on the Unicode version and no pattern can name)
_REFUSED = r"\x00-\x1f\x7f-\x9f\u2028\u2029\u202a-\u202e\u2066-\u2069"
ONE_LINE = Pattern(rf"^[^{_REFUSED}]*[^{_REFUSED}{WHITESPACE}][^{_REFUSED}]*$",
                   error="A name is one line of text with a character other than spaces.")


def Name():  # noqa: N802 - reads like a field type
    """A person's or a company's name: 1-120 characters of one line, no control characters."""
    return fields.String(required=True, validate=[validate.Length(min=1, max=120), _one_line_of_text, ONE_LINE],
                         metadata={"description": "One line of text: no control characters (U+0000-U+001F, "
                                                  "U+007F-U+009F), line or paragraph separators (U+2028, "
                                                  "U+2029) or bidirectional controls; else 422 validation_error"})


class CreateAccountSchema(Schema):
    email = Email()
    password = fields.String(required=True, load_only=True, validate=validate.Length(max=256),
                             metadata={"description": "At least 10 characters, not a common password "
                                                      "(else 422 weak_password)"})
    name = Name()


class AccountSchema(Schema):
    id = fields.String()
    email = fields.String()
    name = fields.String()


class VerifyEmailSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class CreateSessionSchema(Schema):
    email = fields.String(required=True, validate=validate.Length(min=1, max=254))
    password = fields.String(required=True, load_only=True, validate=validate.Length(min=1, max=256))
    totp_code = fields.String(load_only=True, validate=validate.Length(max=64),
                              metadata={"description": "With two-factor sign-in on: the app's current "
                                                       "code or an unused recovery code"})


class TokenRenewalSchema(Schema):
    session_started_at = fields.DateTime(metadata={"description": "When the browser session began (RFC 3339)"})


class InvitationTokenSchema(Schema):
    token = fields.String(required=True, validate=validate.Length(min=1, max=200))


class InvitationFactsSchema(Schema):
    partner_id = fields.String()
    partner_name = fields.String()
    inviter_name = fields.String(metadata={"description": "The admin who sent it (their name now)"})
    email = fields.String(metadata={"description": "The address the invitation was sent to"})
    status = fields.String(metadata={"enum": ["pending", "accepted", "revoked", "expired"]})


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
    two_factor_enabled = fields.Boolean(metadata={"description": "Whether sign-in asks for a TOTP code"})
    partners = fields.List(fields.Nested(PartnerRefSchema))


class GrantAccessSchema(Schema):
    name = Name()
    slug = fields.String(required=True, validate=Pattern(SLUG.pattern, error="Use 1-60 lowercase letters, digits and dashes."))
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
    emails = fields.List(Email(), required=True, validate=validate.Length(min=1, max=50),
                         metadata={"uniqueItems": True})  # and ignoring case (below)
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
