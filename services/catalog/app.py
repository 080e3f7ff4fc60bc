"""Catalog: use cases, curation, offerings, talent search and publishing."""
from services.common.webapp import create_service_app

from . import api
from .runtime import make_runtime


def create_app(config=None):
    app, _ = create_service_app(make_runtime(config), "Catalog", [api.pages])
    return app
