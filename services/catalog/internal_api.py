"""Catalog's internal views for the gateway (service token): pages as the public sees them."""
from __future__ import annotations

from flask_smorest import Blueprint
from marshmallow import Schema, fields
from sqlalchemy import select

from services.common.auth import require_service
from services.common.errors import Problem
from services.common.pagination import PageArgs, decode_cursor, page as paged
from services.common.webapp import current_runtime

from . import handlers
from .models import Page

internal = Blueprint("pages", __name__, url_prefix="/internal/v1/pages", description="Pages for the gateway")


class PagesQuery(PageArgs):
    published = fields.Boolean()


class InternalPageSchema(Schema):
    partner_id = fields.String(required=True)
    slug = fields.String(required=True)
    version = fields.Integer(required=True)
    published = fields.Boolean(required=True)
    page = fields.Dict(required=True)  # the page as the public sees it (catalog's page event payload)


class InternalPageListSchema(Schema):
    items = fields.List(fields.Nested(InternalPageSchema), required=True)
    next_cursor = fields.String(allow_none=True, required=True)


@internal.get("/<string:partner_id>")
@require_service
@internal.response(200, InternalPageSchema)
def get_page(partner_id):
    """One page: ``{partner_id, slug, version, published, page}``."""
    with current_runtime().db.transaction() as session:
        page = session.get(Page, partner_id)
        if page is None:
            raise Problem(404, "not_found", "No such page.")
        return handlers.page_event(session, page)


@internal.get("")
@require_service
@internal.arguments(PagesQuery, location="query")
@internal.response(200, InternalPageListSchema)
def list_pages(args):
    """Pages (e.g. every published one, to rebuild the gateway's read model)."""
    after = decode_cursor(args.get("cursor"), str)
    query = select(Page).order_by(Page.partner_id)
    if "published" in args:
        query = query.where(Page.published.is_(args["published"]))
    if after:
        query = query.where(Page.partner_id > after[0])
    with current_runtime().db.transaction() as session:
        rows = [handlers.page_event(session, p) for p in session.scalars(query.limit(args["limit"] + 1))]
    return paged(rows, args["limit"], lambda r: [r["partner_id"]])
