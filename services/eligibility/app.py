"""Eligibility: the talent directory and the monitor that keeps pages honest."""
import os

from services.common.webapp import create_service_app

from . import api
from .handlers import criteria_from_env
from .runtime import make_runtime


def create_app(config=None, criteria=None, verifier=None):
    app, _ = create_service_app(make_runtime(config), "Eligibility", [api.internal], verifier=verifier)
    app.extensions["criteria"] = criteria or criteria_from_env()
    app.config["BULK_MAX_BYTES"] = int(os.environ.get("ELIGIBILITY_MAX_BULK_BYTES", str(512 * 1024 * 1024)))
    app.config["BULK_BATCH_LINES"] = int(os.environ.get("ELIGIBILITY_BULK_BATCH_LINES", "1000"))
    return app
