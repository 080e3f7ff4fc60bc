"""Catalog: use cases, curation, offerings, talent search and publishing."""
from services.common.idempotency import PARTNER_GUARD
from services.common.partner_header import name_the_partner
from services.common.webapp import create_service_app

from . import api, internal_api, previews
from .runtime import make_runtime


def create_app(config=None, verifier=None):
    app, _ = create_service_app(make_runtime(config), "Catalog", [api.blp, internal_api.internal,
                                                                  previews.links, previews.internal],
                                verifier=verifier)
    name_the_partner(app)  # the gateway's write-through trusts this, not the path it was sent
    app.extensions[PARTNER_GUARD] = api.member_guard
    return app
