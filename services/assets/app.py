"""Assets: brand assets checked by content, stored content-addressed."""
from services.common.webapp import create_service_app

from .runtime import make_runtime


def create_app(config=None):
    app, _ = create_service_app(make_runtime(config), "Assets")
    return app
