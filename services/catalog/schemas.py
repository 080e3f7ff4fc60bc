"""Catalog's request and response schemas (input and output kept apart)."""
from marshmallow import RAISE, Schema, fields, validate, validates_schema, ValidationError

from services.common.openapi import NOT_BLANK, Pattern
from services.common.pagination import PageArgs

from .domain import MAX_SAVE, STATUSES

FREELANCER_ID = Pattern(r"^[A-Za-z0-9_.:-]{1,64}$")
BADGES = ("top_rated", "top_rated_plus", "expert_vetted", "rising_talent")


def _name(required=True):
    """1-60 characters, not all whitespace (API.md); runs of whitespace are stored as one space."""
    return fields.String(required=required, validate=[validate.Length(min=1, max=60),
                                                      Pattern(NOT_BLANK, error="Must not be blank.")])


class CreateUseCaseSchema(Schema):
    name = _name()
    description = fields.String(load_default="", validate=validate.Length(max=500))


class UpdateUseCaseSchema(Schema):
    class Meta:
        json_schema = {"minProperties": 1}  # the check below, documented

    name = _name(required=False)
    description = fields.String(validate=validate.Length(max=500))
    position = fields.Integer(validate=validate.Range(min=0, max=10000))

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give a name, description or position.")


class CountsSchema(Schema):
    approved = fields.Integer()
    pending = fields.Integer()
    declined = fields.Integer()
    removed = fields.Integer()


class UseCaseSchema(Schema):
    id = fields.String()
    name = fields.String()
    description = fields.String()
    position = fields.Integer()
    counts = fields.Nested(CountsSchema)


class UseCaseListSchema(Schema):
    items = fields.List(fields.Nested(UseCaseSchema))


class TalentQuerySchema(PageArgs):
    q = fields.String(validate=validate.Length(max=200))
    skill = fields.String(validate=validate.Length(max=60))
    badge = fields.String(validate=validate.OneOf(BADGES))
    min_jss = fields.Integer(validate=validate.Range(min=0, max=100))
    max_rate = fields.Float(validate=validate.Range(min=0))
    country = fields.String(validate=Pattern(r"^[A-Za-z]{2}$"))
    eligible = fields.Boolean()


class TalentItemSchema(Schema):
    freelancer_id = fields.String()
    name = fields.String()
    title = fields.String()
    skills = fields.List(fields.String())
    hourly_rate = fields.Float()
    jss = fields.Integer()
    badges = fields.List(fields.String())
    country = fields.String()
    eligible = fields.Boolean()
    ineligible_reasons = fields.List(fields.String())
    projects = fields.List(fields.Dict())
    consultations = fields.List(fields.Dict())


class TalentPageSchema(Schema):
    items = fields.List(fields.Nested(TalentItemSchema))
    next_cursor = fields.String(allow_none=True)


class SaveExpertsSchema(Schema):
    class Meta:
        unknown = RAISE

    freelancer_ids = fields.List(fields.String(validate=FREELANCER_ID), required=True,
                                 validate=validate.Length(min=1, max=MAX_SAVE), metadata={"uniqueItems": True})

    @validates_schema
    def _unique(self, data, **kwargs):
        ids = data.get("freelancer_ids", [])
        if len(set(ids)) != len(ids):
            raise ValidationError("Each freelancer once.", "freelancer_ids")


class ExpertSchema(Schema):
    freelancer_id = fields.String()
    name = fields.String(allow_none=True)
    status = fields.String()
    reasons = fields.List(fields.String())
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    at_risk = fields.Boolean()
    title = fields.String(allow_none=True)
    projects = fields.List(fields.Dict())
    consultations = fields.List(fields.Dict())


class ExpertListSchema(Schema):
    items = fields.List(fields.Nested(ExpertSchema))


class ExpertQuerySchema(Schema):
    status = fields.String(validate=validate.OneOf(STATUSES))


class FeatureOfferingSchema(Schema):
    kind = fields.String(required=True, validate=validate.OneOf(("project", "consultation")))
    offering_id = fields.String(required=True, validate=FREELANCER_ID)
    freelancer_id = fields.String(required=True, validate=FREELANCER_ID)


class OfferingSchema(Schema):
    id = fields.String()
    kind = fields.String()
    offering_id = fields.String()
    freelancer_id = fields.String()
    freelancer_name = fields.String()
    title = fields.String()
    price = fields.Float()
    delivery_days = fields.Integer()
    duration_minutes = fields.Integer()


class OfferingListSchema(Schema):
    items = fields.List(fields.Nested(OfferingSchema))


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


class PublishSchema(Schema):
    published = fields.Boolean(required=True)


class PublishedSchema(Schema):
    published = fields.Boolean()


class ActivityQuerySchema(PageArgs):
    kind = fields.String(validate=Pattern(r"^[a-z_]{1,30}$"))


class SubjectSchema(Schema):
    type = fields.String()
    id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "the freelancer's or use case's name, when known"})


class ActivitySchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    subject = fields.Nested(SubjectSchema)
    reasons = fields.List(fields.String())


class ActivityPageSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema))
    next_cursor = fields.String(allow_none=True)
