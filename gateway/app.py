"""The gateway: the one address of visitors, partners' scripts and internal services."""
from __future__ import annotations

import os

from werkzeug.middleware.proxy_fix import ProxyFix

from services.common.config import SERVICES
from services.common.webapp import create_service_app

from .frontdoor.clients import ServiceClient
from .frontdoor.openapi import MergedSpec, docs
from .frontdoor.proxy import proxy
from .frontdoor.security import FrontDoor, admin_port, install_security
from .portal import install_portal
from .portal.openapi import portal_paths
from .public import analytics
from .public.fastpath import PublicPageFastPath, changes_of
from .public.pages import public
from .public.reach import reach
from .public.reports import openapi_paths as report_paths, reports
from .public.refresh import PageRefresher
from .runtime import make_runtime


def create_app(config=None):
    runtime = make_runtime(config)
    app, _ = create_service_app(runtime, "Partner Experts Portal", serve_openapi=False,
                                refuse_nul=False)
    app.config["MAX_CONTENT_LENGTH"] = None  # limits per route in install_security; uploads stream through
    install_security(app)
    for blueprint in (public, reach, reports, docs, proxy):
        app.register_blueprint(blueprint)
    install_portal(app)
    analytics.install(runtime.db, app.config["PORTAL"].public_url)
    runtime.on_close.append(analytics.flush)
    flask_app = app.wsgi_app
    if os.environ.get("GATEWAY_PAGE_FAST_PATH", "on") != "off":
        changes = changes_of(runtime.db.url)
        runtime.on_close.append(changes.close)
        app.wsgi_app = PublicPageFastPath(app.wsgi_app, changes, runtime.service)
    app.wsgi_app = FrontDoor(app.wsgi_app, flask_app, admin_port())  # strict paths, admin port
    proxies = int(os.environ.get("GATEWAY_TRUSTED_PROXIES", "0"))
    if proxies:  # behind a load balancer: the visitor's address is in its X-Forwarded-For
        app.wsgi_app = ProxyFix(app.wsgi_app, x_for=proxies, x_proto=proxies)
    urls = {name: runtime.config.url_of(name) for name in SERVICES}
    app.extensions["clients"] = {name: ServiceClient.from_env(name, url) for name, url in urls.items()}
    app.extensions["refresher"] = PageRefresher(runtime)
    app.extensions["openapi"] = MergedSpec(urls, own_paths={**portal_paths(app), **report_paths()})
    return app
