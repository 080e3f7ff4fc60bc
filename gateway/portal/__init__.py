"""The partner portal in the browser: server-rendered pages over the same API as
partners' scripts, served by the gateway."""
from __future__ import annotations

import os
from datetime import timedelta

from flask import Flask
from flask.sessions import SecureCookieSessionInterface

from services.common.config import shared_secret

from . import account_views, auth_views, brand_views, curation_views, integration_views, page_views, share_views, team_views, words  # noqa: F401  (routes)
from .blueprint import csrf, portal
from .sessions import LIFETIME


class PortalOnlySessions(SecureCookieSessionInterface):
    """Cookie sessions on the portal's own paths only: public pages and the API never read
    or sign a cookie (a measurable share of a public page's time)."""

    PATHS = ("/portal", "/invitations/", "/verify-email/", "/password-reset/")

    def open_session(self, app, request):
        if not request.path.startswith(self.PATHS):
            return self.make_null_session(app)
        return super().open_session(app, request)


def install_portal(app: Flask) -> None:
    """Cookies HttpOnly, SameSite=Lax, Secure behind HTTPS; CSRF checked on every portal form."""
    config = app.config["PORTAL"]
    app.config.update(
        SECRET_KEY=os.environ.get("GATEWAY_SECRET_KEY") or shared_secret(config.data_dir, "gateway-secret-key"),
        SESSION_COOKIE_NAME="portal_session",
        SESSION_COOKIE_HTTPONLY=True,
        SESSION_COOKIE_SAMESITE="Lax",
        SESSION_COOKIE_SECURE=config.public_url.startswith("https://"),
        PERMANENT_SESSION_LIFETIME=LIFETIME,
        WTF_CSRF_CHECK_DEFAULT=False,  # the portal's own forms only: the API takes bearer tokens
        WTF_CSRF_TIME_LIMIT=int(LIFETIME / timedelta(seconds=1)),
        WTF_CSRF_SSL_STRICT=True,
    )
    app.session_interface = PortalOnlySessions()
    csrf.init_app(app)
    app.jinja_env.filters.update(reason=words.reason, action=words.action, badge=words.badge)
    app.jinja_env.globals.update(words=words)
    app.register_blueprint(portal)
