"""Eligibility: the talent directory and the monitor that keeps pages honest."""
from services.common.webapp import create_service_app

from .runtime import make_runtime


def create_app(config=None):
    app, _ = create_service_app(make_runtime(config), "Eligibility")
    return app
