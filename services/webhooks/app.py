"""Webhooks: partners' endpoints, their secrets and every delivery attempt."""
from services.common.webapp import create_service_app

from . import api
from .addresses import bounded, system_resolver
from .config import WebhookSettings
from .runtime import make_runtime


def create_app(config=None, verifier=None, settings: WebhookSettings | None = None, resolver=None):
    """The webhooks web app; ``resolver(host, port)`` (the system's by default) checks URLs."""
    runtime = make_runtime(config)
    app, _ = create_service_app(runtime, "Webhooks", [api.blp], verifier=verifier)
    app.extensions["webhook_settings"] = settings or WebhookSettings.from_env()
    app.extensions["webhook_resolver"] = bounded(resolver or system_resolver)
    return app
