"""Catalog's HTTP views."""
from __future__ import annotations

from flask_smorest import Blueprint

from services.common.auth import require_member
from services.common.errors import Problem
from services.common.members import require_member_of
from services.common.webapp import current_runtime

from . import domain, schemas
from .models import Page, members

pages = Blueprint("pages", __name__, url_prefix="/api/v1/partners", description="The experts page")


@pages.get("/<string:pid>/page")
@require_member
@pages.response(200, schemas.PageSchema)
def get_page(pid):
    """The page's publish state, each requirement and the warnings."""
    runtime = current_runtime()
    with runtime.db.transaction() as session:
        require_member_of(session, members, pid)
        page = session.get(Page, pid)
        if page is None:
            raise Problem(404, "not_found", "No such partner.")
        return {"slug": page.slug, "published": page.published,
                "public_url": f"{runtime.config.public_url}/experts/{page.slug}",
                "requirements": domain.requirements(0, set()), "warnings": []}
