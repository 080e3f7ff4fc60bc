"""The events catalog publishes (docs/events.md)."""
from marshmallow import Schema, fields

from services.common.bus import EventType


class ExpertDecisionSchema(Schema):
    """A curation decision; ``approved_anywhere``: still approved in any use case of the partner."""

    partner_id = fields.String(required=True)
    use_case_id = fields.String(required=True)
    freelancer_id = fields.String(required=True)
    decided_by = fields.String(allow_none=True)
    decided_at = fields.String(required=True)
    approved_anywhere = fields.Boolean(required=True)
    reasons = fields.List(fields.String())


class PageSchema(Schema):
    """A page's state and, when published, everything the public page shows."""

    partner_id = fields.String(required=True)
    slug = fields.String(required=True)
    version = fields.Integer(required=True)
    published = fields.Boolean()
    page = fields.Dict()


EXPERT_APPROVED = EventType("catalog.expert.approved", 1, ExpertDecisionSchema)
EXPERT_DECLINED = EventType("catalog.expert.declined", 1, ExpertDecisionSchema)
EXPERT_REMOVED = EventType("catalog.expert.removed", 1, ExpertDecisionSchema)
PAGE_PUBLISHED = EventType("catalog.page.published", 1, PageSchema)
PAGE_UNPUBLISHED = EventType("catalog.page.unpublished", 1, PageSchema)
PAGE_CHANGED = EventType("catalog.page.changed", 1, PageSchema)
