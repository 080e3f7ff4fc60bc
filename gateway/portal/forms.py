"""What each portal form may carry: checked here before any service is called, so a
mangled form gets the form back with its messages, never an error page."""
from __future__ import annotations

from marshmallow import EXCLUDE, Schema, ValidationError, fields, validate

TEXT = validate.Length(max=200)


class _Form(Schema):
    class Meta:
        unknown = EXCLUDE


class SignUpForm(_Form):
    name = fields.String(required=True, validate=validate.Length(min=1, max=120))
    email = fields.Email(required=True, validate=validate.Length(max=254))
    password = fields.String(required=True, validate=validate.Length(max=256))  # membership judges strength


class SignInForm(_Form):
    email = fields.String(required=True, validate=validate.Length(min=3, max=254))
    password = fields.String(required=True, validate=validate.Length(min=1, max=1024))
    totp_code = fields.String(validate=validate.Length(max=64))  # asked when two-factor sign-in is on


class InviteForm(_Form):
    emails = fields.String(required=True, validate=validate.Length(min=3, max=5000))
    message = fields.String(load_default="", validate=validate.Length(max=1000))


class UseCaseForm(_Form):
    name = fields.String(required=True, validate=validate.Length(min=1, max=60))
    description = fields.String(load_default="", validate=validate.Length(max=500))


class PublishForm(_Form):
    published = fields.Boolean(required=True)


class FeatureForm(_Form):
    offering = fields.String(required=True, validate=validate.Regexp(
        r"^(project|consultation)\|[A-Za-z0-9_.:-]{1,64}\|[A-Za-z0-9_.:-]{1,64}$"))


def read(schema: type[_Form], form) -> tuple[dict, dict]:
    """The form's values and no errors, or what was sent and the errors by field."""
    values = {key: form.get(key, "") for key in schema().fields}
    try:
        return schema().load({k: v if "password" in k else v.strip() for k, v in values.items() if v != ""}), {}
    except ValidationError as error:
        return values, error.messages
