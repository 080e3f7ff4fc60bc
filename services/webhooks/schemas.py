"""Webhooks' request and response schemas (input and output kept apart)."""
from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from services.common.pagination import PageArgs

from .domain import EVENTS, MAX_URL_CHARS


def _url(required=True):
    return fields.String(required=required, validate=validate.Length(min=1, max=MAX_URL_CHARS),
                         metadata={"description": "https on a public address (422 `url_not_allowed`); "
                                                  "http and private addresses only with WEBHOOKS_ALLOW_PRIVATE=1"})


def _events(required=True):
    return fields.List(fields.String(validate=validate.OneOf(EVENTS)), required=required,
                       validate=validate.Length(min=1, max=len(EVENTS)), metadata={"uniqueItems": True})


def _no_repeats(data: dict) -> None:
    events = data.get("events") or []
    if len(set(events)) != len(events):
        raise ValidationError({"events": ["Name each event once."]})


class CreateWebhookSchema(Schema):
    url = _url()
    events = _events()
    description = fields.String(load_default="", validate=validate.Length(max=500))

    @validates_schema
    def _unique(self, data, **kwargs):
        _no_repeats(data)


class UpdateWebhookSchema(Schema):
    """Any of the fields; ``enabled: true`` turns a disabled endpoint back on."""

    class Meta:
        json_schema = {"minProperties": 1}

    url = _url(required=False)
    events = _events(required=False)
    description = fields.String(validate=validate.Length(max=500))
    enabled = fields.Boolean()

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give a url, events, description or enabled.")
        _no_repeats(data)


class WebhookSchema(Schema):
    """An endpoint; ``disabled_at`` is set when it was disabled after failing for three days."""

    id = fields.String()
    url = fields.String()
    events = fields.List(fields.String())
    description = fields.String()
    enabled = fields.Boolean()
    created_at = fields.DateTime()
    failing_since = fields.DateTime(allow_none=True)
    disabled_at = fields.DateTime(allow_none=True)


class CreatedWebhookSchema(WebhookSchema):
    secret = fields.String(metadata={"description": "`whsec_` and base64; shown only in this answer"})


class WebhookListSchema(Schema):
    items = fields.List(fields.Nested(WebhookSchema))
    next_cursor = fields.String(allow_none=True)


class SecretSchema(Schema):
    secret = fields.String(metadata={"description": "The new secret; the old one signs alongside it for 24 hours"})


class DeliverySchema(Schema):
    """One event for one endpoint. ``id`` is the ``webhook-id`` header of every attempt."""

    id = fields.String()
    event_id = fields.String()
    event_type = fields.String()
    status = fields.String(metadata={"enum": ["pending", "succeeded", "failed"]})
    attempts = fields.Integer()
    last_status_code = fields.Integer(allow_none=True)
    last_error = fields.String(allow_none=True)
    next_attempt_at = fields.DateTime(allow_none=True)
    created_at = fields.DateTime()
    delivered_at = fields.DateTime(allow_none=True)


class DeliveryListSchema(Schema):
    items = fields.List(fields.Nested(DeliverySchema))
    next_cursor = fields.String(allow_none=True)


class DeliveryQuerySchema(PageArgs):
    status = fields.String(validate=validate.OneOf(("pending", "succeeded", "failed")))


class AcceptedSchema(Schema):
    id = fields.String(metadata={"description": "The delivery's id (its webhook-id)"})
