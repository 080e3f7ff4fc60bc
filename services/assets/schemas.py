"""Assets' response schemas (uploads are files, not JSON: see `uploads`)."""
from marshmallow import Schema, fields


class VariantSchema(Schema):
    """A resized copy of the branded image, served like the original (immutable URL)."""

    width = fields.Integer()
    height = fields.Integer()
    url = fields.String()
    content_type = fields.String()
    bytes = fields.Integer()


class AssetSchema(Schema):
    """The current version of one kind of brand asset."""

    kind = fields.String()
    url = fields.String()
    content_type = fields.String()
    width = fields.Integer(allow_none=True)
    height = fields.Integer()
    bytes = fields.Integer()
    sha256 = fields.String()
    updated_at = fields.DateTime()
    variants = fields.List(fields.Nested(VariantSchema))


class AssetListSchema(Schema):
    items = fields.List(fields.Nested(AssetSchema))
    next_cursor = fields.String(allow_none=True)


class AssetVersionSchema(AssetSchema):
    """One upload, with who made it and when (`updated_at` is when it was uploaded)."""

    uploaded_by = fields.String()


class AssetVersionListSchema(Schema):
    items = fields.List(fields.Nested(AssetVersionSchema))
    next_cursor = fields.String(allow_none=True)


class UploadSchema(Schema):
    """The file as the one multipart part named `file`, with or without a filename (or send it as
    the raw body); the same limits either way (API.md, second round, "Changed rules")."""

    file = fields.Raw(metadata={"type": "string", "format": "binary"})
