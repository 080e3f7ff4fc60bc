"""Membership: client accounts, partner companies, members, invitations, sign-in."""
from __future__ import annotations

import os

from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.webapp import create_service_app

from . import api
from .account_api import account_security
from .api_keys import api_keys
from .internal_members import member_checks
from .limits import BelievedFromTheGatewayOnly, install_limits
from .runtime import make_runtime


def signing_keys(config) -> SigningKeys:
    folder = os.environ.get("MEMBERSHIP_SIGNING_KEYS_DIR") or config.keys_dir / "membership"
    keys = SigningKeys(folder)
    keys.ensure()
    return keys


def create_app(config=None):
    runtime = make_runtime(config)
    keys = signing_keys(runtime.config)
    app, _ = create_service_app(
        runtime, "Membership", [api.public, api.internal, api.keys, api.team, member_checks, api_keys,
         account_security],
        verifier=TokenVerifier(jwks=keys.jwks))
    # rate limits key on the caller's address: the gateway's X-Forwarded-For, no one else's
    app.wsgi_app = BelievedFromTheGatewayOnly(app.wsgi_app, runtime.config.operator_token,
                                              int(os.environ.get("MEMBERSHIP_TRUSTED_PROXIES", "1")))
    install_limits(app, runtime.config.redis_url)
    app.extensions["signing_keys"] = keys
    app.extensions["token_signer"] = TokenSigner(keys, int(os.environ.get("ACCESS_TOKEN_SECONDS", "900")))
    return app
