"""Catalog: use cases, curation, offerings, talent search and publishing."""
from services.common.webapp import create_service_app

from . import api, internal_api
from .runtime import make_runtime


def create_app(config=None, verifier=None):
    app, _ = create_service_app(make_runtime(config), "Catalog", [api.blp, internal_api.internal],
                                verifier=verifier)
    return app
