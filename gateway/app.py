"""The gateway: the one address of visitors, partners' scripts and internal services."""
from __future__ import annotations

from services.common.config import SERVICES
from services.common.webapp import create_service_app

from .clients import ServiceClient
from .proxy import proxy
from .runtime import make_runtime


def create_app(config=None):
    runtime = make_runtime(config)
    app, _ = create_service_app(runtime, "Partner Experts Portal")
    app.config["MAX_CONTENT_LENGTH"] = None  # each service limits its own bodies; uploads stream through
    app.register_blueprint(proxy)
    app.extensions["clients"] = {name: ServiceClient.from_env(name, runtime.config.url_of(name))
                                 for name in SERVICES}
    return app
