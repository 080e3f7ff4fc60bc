"""The events assets publishes. Consumers keep their own copy of the fields they need."""
from marshmallow import Schema, fields, validate

from services.common.bus import EventType

from .domain import KINDS


class VariantFact(Schema):
    width = fields.Integer(required=True)
    height = fields.Integer(required=True)
    url = fields.String(required=True)
    content_type = fields.String(required=True)
    bytes = fields.Integer(required=True)


class AssetUpdatedSchema(Schema):
    """A partner uploaded a new current version of one kind of brand asset.

    `url` is content-addressed and immutable, so a page showing it shows the
    new asset at once. `width` is null for an SVG logo that declares neither
    a width nor a viewBox. `updated_at` orders the versions of a kind: a
    consumer keeps the newest. `variants` (added later, so a consumer reads it with a default
    of []): the branded image resized to 480, 960 and 1600 px wide where narrower than the
    original, each in the original's format and as WebP, smallest first.
    """

    partner_id = fields.String(required=True)
    kind = fields.String(required=True, validate=validate.OneOf(sorted(KINDS)))
    url = fields.String(required=True)
    content_type = fields.String(required=True)
    width = fields.Integer(required=True, allow_none=True)
    height = fields.Integer(required=True)
    bytes = fields.Integer(required=True)
    sha256 = fields.String(required=True, validate=validate.Length(equal=64))
    updated_at = fields.AwareDateTime(required=True)
    uploaded_by = fields.String(load_default=None, allow_none=True,
                                metadata={"description": "who uploaded it (account id or api_key:<id>); "
                                          "activity credits them (issue 18)"})
    variants = fields.List(fields.Nested(VariantFact), load_default=list)


ASSET_UPDATED = EventType("assets.asset.updated", 1, AssetUpdatedSchema)
