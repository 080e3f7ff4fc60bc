"""Catalog's request and response schemas (input and output kept apart)."""
import re

from marshmallow import RAISE, Schema, fields, validate, validates_schema, ValidationError

from services.common.openapi import DNS_LABEL, NOT_BLANK, PORT, WHITESPACE, Pattern
from services.common.pagination import PageArgs

from .domain import MAX_DECIDE, MAX_SAVE, STATUSES

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
    slug = fields.String(metadata={"description": "from the name, unique per partner; the public use case "
                                                  "page is /experts/<page slug>/<slug>"})
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


class DecideExpertsSchema(Schema):
    """``experts:decide``: ids to approve and to decline, at most 200 in all (API.md), each once;
    empty lists decide nothing (200 with no items)."""

    class Meta:
        unknown = RAISE

    approve = fields.List(fields.String(validate=FREELANCER_ID), load_default=list,
                          validate=validate.Length(max=MAX_DECIDE), metadata={"uniqueItems": True})
    decline = fields.List(fields.String(validate=FREELANCER_ID), load_default=list,
                          validate=validate.Length(max=MAX_DECIDE), metadata={"uniqueItems": True})

    @validates_schema
    def _each_once_and_not_too_many(self, data, **kwargs):
        ids = [*data.get("approve", []), *data.get("decline", [])]
        if len(ids) > MAX_DECIDE:
            raise ValidationError(f"At most {MAX_DECIDE} freelancers in all.", "approve")
        if len(set(ids)) != len(ids):
            raise ValidationError("Each freelancer once, in one list.", "decline")


class DecisionSchema(Schema):
    freelancer_id = fields.String()
    status = fields.String(allow_none=True, metadata={"description": "null when code is not_found"})
    code = fields.String(metadata={"description": "not_found or not_eligible when this one was not decided"})
    reasons = fields.List(fields.String())


class DecisionListSchema(Schema):
    items = fields.List(fields.Nested(DecisionSchema))


class ExpertSchema(Schema):
    freelancer_id = fields.String()
    name = fields.String(allow_none=True)
    status = fields.String()
    reasons = fields.List(fields.String())
    decided_at = fields.DateTime(allow_none=True)
    decided_by = fields.String(allow_none=True)
    at_risk = fields.Boolean()
    title = fields.String(allow_none=True)
    hourly_rate = fields.Float(allow_none=True, metadata={"description": "USD per hour"})
    jss = fields.Integer(allow_none=True, metadata={"description": "Job Success Score, 0-100"})
    country = fields.String(allow_none=True)
    skills = fields.List(fields.String())
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
    headline = fields.String()
    intro = fields.String()
    embed_origins = fields.List(fields.String())
    requirements = fields.Nested(RequirementsSchema)
    warnings = fields.List(fields.Nested(WarningSchema))


MAX_EMBED_ORIGINS = 20
# https://host[:port]: a DNS name (letters, digits, hyphens; a dot between labels) or an IPv4 address
ORIGIN = rf"^https://(?:{DNS_LABEL}\.)*{DNS_LABEL}(?::{PORT})?$"  # documented as is (ECMA-262)
_CONTROLS = r"\x00-\x08\x0b-\x1f\x7f"  # what plain text may not hold (line breaks and tabs it may)
PLAIN_TEXT = rf"^[^{_CONTROLS}]*$"
PLAIN_NOT_BLANK = rf"^[^{_CONTROLS}]*[^{WHITESPACE}{_CONTROLS}][^{_CONTROLS}]*$"


class EmbedOrigin(fields.String):
    """An origin the page may be framed by: ``https://host[:port]`` (RFC 6454), at most 300
    characters, exactly as the documented pattern says; stored with its host lowercased."""

    ERROR = "Must be an origin: https://host or https://host:port, nothing after it."

    def __init__(self, **kwargs):
        super().__init__(validate=[validate.Length(max=300), Pattern(ORIGIN, error=self.ERROR)], **kwargs)

    def _deserialize(self, value, attr, data, **kwargs):
        return super()._deserialize(value, attr, data, **kwargs).lower()


class UpdatePageSchema(Schema):
    """``PATCH .../page`` (API.md second round): headline 1-80 characters (null clears it), intro
    up to 600 characters of plain text, up to 20 https origins that may frame the embed views."""

    class Meta:
        unknown = RAISE
        json_schema = {"minProperties": 1}

    headline = fields.String(allow_none=True, validate=[
        validate.Length(min=1, max=80),
        Pattern(PLAIN_NOT_BLANK, error="Must not be blank, and plain text: no control characters.")])
    intro = fields.String(allow_none=True, validate=[
        validate.Length(max=600),
        Pattern(PLAIN_TEXT, error="Must be plain text: no control characters besides line breaks and tabs.")])
    embed_origins = fields.List(EmbedOrigin(), validate=validate.Length(max=MAX_EMBED_ORIGINS),
                                metadata={"uniqueItems": True})

    @validates_schema
    def _something(self, data, **kwargs):
        if not data:
            raise ValidationError("Give a headline, intro or embed_origins.")
        origins = data.get("embed_origins") or []
        if len(set(origins)) != len(origins):
            raise ValidationError("Each origin once.", "embed_origins")


class PublishSchema(Schema):
    published = fields.Boolean(required=True)


class PublishedSchema(Schema):
    published = fields.Boolean()


class ActivityQuerySchema(PageArgs):
    kind = fields.String(validate=Pattern(r"^[a-z_]{1,30}$"))


class UseCaseRefSchema(Schema):
    id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "null once the use case is deleted"})


class SubjectSchema(Schema):
    type = fields.String()
    id = fields.String()
    name = fields.String(allow_none=True, metadata={"description": "the freelancer's or use case's name, when known"})
    use_case = fields.Nested(UseCaseRefSchema, allow_none=True,
                             metadata={"description": "the use case it happened in (an expert's decision or "
                                                      "removal), null otherwise"})


class ActivitySchema(Schema):
    at = fields.DateTime()
    actor = fields.String()
    action = fields.String()
    subject = fields.Nested(SubjectSchema)
    reasons = fields.List(fields.String())


class ActivityPageSchema(Schema):
    items = fields.List(fields.Nested(ActivitySchema))
    next_cursor = fields.String(allow_none=True)
