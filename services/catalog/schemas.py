"""Catalog's request and response schemas."""
from marshmallow import Schema, fields


class RequirementSchema(Schema):
    required = fields.Integer()
    have = fields.Integer()
    met = fields.Boolean()


class RequirementsSchema(Schema):
    experts = fields.Nested(RequirementSchema)
    logo_light = fields.Nested(RequirementSchema)
    logo_dark = fields.Nested(RequirementSchema)
    branded_image = fields.Nested(RequirementSchema)


class WarningSchema(Schema):
    code = fields.String()
    requirement = fields.String()
    detail = fields.String()


class PageSchema(Schema):
    slug = fields.String()
    published = fields.Boolean()
    public_url = fields.String()
    requirements = fields.Nested(RequirementsSchema)
    warnings = fields.List(fields.Nested(WarningSchema))
