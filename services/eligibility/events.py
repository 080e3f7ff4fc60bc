"""The events eligibility publishes (docs/events.md)."""
from marshmallow import Schema, fields

from services.common.bus import EventType


class ProjectOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    price = fields.Float(required=True)
    delivery_days = fields.Integer(required=True)
    url = fields.String(allow_none=True)  # additive (issue 17): absent from older events


class ConsultationOut(Schema):
    id = fields.String(required=True)
    title = fields.String(required=True)
    duration_minutes = fields.Integer(required=True)
    price = fields.Float(required=True)
    url = fields.String(allow_none=True)  # additive (issue 17): absent from older events


class ProfileUpdatedSchema(Schema):
    """A freelancer's searchable profile with its general verdict, and the partners for
    whom the referral exception makes them eligible."""

    freelancer_id = fields.String(required=True)
    name = fields.String(required=True)
    title = fields.String(required=True)
    skills = fields.List(fields.String(), required=True)
    hourly_rate = fields.Float(required=True)
    country = fields.String(required=True)
    jss = fields.Integer(required=True)
    badges = fields.List(fields.String(), required=True)
    projects = fields.List(fields.Nested(ProjectOut), required=True)
    consultations = fields.List(fields.Nested(ConsultationOut), required=True)
    # additive (issue 17): null when the talent document does not say; absent from older events
    profile_url = fields.String(allow_none=True)
    photo_url = fields.String(allow_none=True)
    availability = fields.String(allow_none=True)
    eligible = fields.Boolean(required=True)
    ineligible_reasons = fields.List(fields.String(), required=True)
    eligible_for_partners = fields.List(fields.String(), required=True)
    updated_at = fields.String(required=True)


class RuleFlipSchema(Schema):
    rule = fields.String(required=True)
    before = fields.Dict(allow_none=True)
    after = fields.Dict(allow_none=True)


class VerdictChangedSchema(Schema):
    """The current verdict of a watched (partner, freelancer) pair, and what flipped."""

    partner_id = fields.String(required=True)
    freelancer_id = fields.String(required=True)
    eligible = fields.Boolean(required=True)
    reasons = fields.List(fields.String(), required=True)
    at_risk = fields.Boolean(required=True)
    rules = fields.List(fields.Nested(RuleFlipSchema), required=True)
    changed_at = fields.String(required=True)


class ProfilesUpdatedSchema(Schema):
    """One batch of a bulk upload (up to ``BULK_BATCH_LINES`` talent documents): the
    searchable profile of every document that changed something catalog shows, and the
    verdict changes of the watched pairs those documents moved, in the batch's order. The
    single-update events above keep carrying single PUTs and the sweep."""

    profiles = fields.List(fields.Nested(ProfileUpdatedSchema), required=True)
    verdicts = fields.List(fields.Nested(VerdictChangedSchema), required=True)


PROFILE_UPDATED = EventType("eligibility.profile.updated", 1, ProfileUpdatedSchema)
VERDICT_CHANGED = EventType("eligibility.verdict.changed", 1, VerdictChangedSchema)
PROFILES_UPDATED = EventType("eligibility.profiles.updated", 1, ProfilesUpdatedSchema)
