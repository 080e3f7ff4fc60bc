"""Access tokens and service tokens.

Membership signs short-lived access tokens with an Ed25519 key only it holds
(``TokenSigner``) and publishes the public keys as a JWKS; every service
verifies them (``TokenVerifier``) with the algorithm pinned. Operators and
internal services present the service token on ``/internal/`` routes.
"""
from __future__ import annotations

import functools
import hmac
import json
import re
import time
import uuid
from dataclasses import dataclass, field
from pathlib import Path
from typing import Callable

import jwt
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from flask import current_app, g, request

from .errors import Problem

GATEWAY_PROOF_HEADER = "X-Gateway-Proof"


@functools.lru_cache(maxsize=4)
def gateway_proof(operator_token: str) -> str:
    """What the gateway sends with every call in ``GATEWAY_PROOF_HEADER`` so that a service may
    believe its ``X-Forwarded-For``: an HMAC of a fixed label under the operator token, which
    both hold (the token itself never travels in it)."""
    return hmac.new(operator_token.encode(), b"portal-gateway/x-forwarded-for", "sha256").hexdigest()


API_KEY_KIND = "api_key"       # the ``kind`` claim of a token exchanged for a partner's API key
API_KEY_SUBJECT = "api_key:"   # its ``sub`` is ``api_key:<id>``
PARTNER_ROUTE = re.compile(r"/api/v1/partners/[^/]+(/|\Z)")

ALGORITHM = "EdDSA"
ISSUER = "portal-membership"
AUDIENCE = "portal"


@dataclass(frozen=True)
class Principal:
    """Who is calling: a partner member (``account_id``) or the operator/a service."""

    kind: str  # "member" or "service"
    account_id: str | None = None
    claims: dict = field(default_factory=dict)

    @property
    def api_key(self) -> bool:
        """A partner's API key (``account_id`` is ``api_key:<id>``), bound to ``claims["partner_id"]``."""
        return (self.claims.get("kind") == API_KEY_KIND
                and (self.account_id or "").startswith(API_KEY_SUBJECT))


class SigningKeys:
    """A folder of Ed25519 private keys; the newest signs, all of them verify (rotation)."""

    def __init__(self, folder: Path):
        self.folder = Path(folder)

    def ensure(self) -> None:
        if not list(self.folder.glob("*.pem")):
            self.rotate()

    def rotate(self) -> str:
        """Add a new key that signs from now on; older keys keep verifying until removed."""
        self.folder.mkdir(parents=True, exist_ok=True)
        kid = f"{time.time_ns():020d}-{uuid.uuid4().hex[:8]}"
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
        tmp = self.folder / f".{kid}.tmp"
        tmp.write_bytes(pem)
        tmp.chmod(0o600)
        tmp.rename(self.folder / f"{kid}.pem")
        return kid

    def _keys(self) -> list[tuple[str, Ed25519PrivateKey]]:
        paths = sorted(self.folder.glob("*.pem"))
        return [(p.stem, serialization.load_pem_private_key(p.read_bytes(), None)) for p in paths]

    def current(self) -> tuple[str, Ed25519PrivateKey]:
        return self._keys()[-1]

    def jwks(self) -> dict:
        keys = []
        for kid, key in self._keys():
            jwk = json.loads(jwt.algorithms.OKPAlgorithm.to_jwk(key.public_key()))
            keys.append({**jwk, "kid": kid, "alg": ALGORITHM, "use": "sig"})
        return {"keys": keys}


class TokenSigner:
    """Issues access tokens (membership only)."""

    def __init__(self, keys: SigningKeys, lifetime_seconds: int = 900):
        self.keys, self.lifetime = keys, lifetime_seconds

    def issue(self, account_id: str, extra: dict | None = None) -> str:
        kid, key = self.keys.current()
        now = int(time.time())
        claims = {"sub": account_id, "iss": ISSUER, "aud": AUDIENCE, "iat": now,
                  "nbf": now, "exp": now + self.lifetime, "jti": uuid.uuid4().hex, **(extra or {})}
        return jwt.encode(claims, key, algorithm=ALGORITHM, headers={"kid": kid})


class TokenVerifier:
    """Verifies access tokens against membership's JWKS (cached; refetched for an unknown kid)."""

    def __init__(self, jwks_url: str | None = None, jwks: Callable[[], dict] | dict | None = None):
        """Keys from membership's JWKS URL, or from ``jwks`` (a key set, or a function returning one)."""
        self._client = jwt.PyJWKClient(jwks_url, cache_keys=True, lifespan=300, timeout=3) if jwks_url else None
        self._local = jwks if callable(jwks) or jwks is None else (lambda: jwks)

    def _key_for(self, token: str):
        if self._client is None:
            kid = jwt.get_unverified_header(token).get("kid")
            for key in jwt.PyJWKSet.from_dict(self._local()).keys:
                if key.key_id == kid:
                    return key.key
            raise jwt.InvalidTokenError("unknown key")
        try:
            return self._client.get_signing_key_from_jwt(token).key
        except jwt.PyJWKClientConnectionError as exc:
            raise Problem(503, "service_unavailable", "Token keys are unavailable right now.",
                          headers={"Retry-After": "5"}) from exc

    def verify(self, token: str) -> dict:
        """The token's claims, or ``Problem(401)`` for a bad, tampered, expired or unsigned token."""
        try:
            header = jwt.get_unverified_header(token)
            if header.get("alg") != ALGORITHM:
                raise jwt.InvalidAlgorithmError("algorithm not allowed")
            return jwt.decode(token, self._key_for(token), algorithms=[ALGORITHM],
                              audience=AUDIENCE, issuer=ISSUER,
                              options={"require": ["exp", "iat", "sub", "aud", "iss"]})
        except (jwt.PyJWTError, ValueError) as exc:
            raise Problem(401, "unauthorized", "The access token is invalid or expired.",
                          headers={"WWW-Authenticate": 'Bearer error="invalid_token"'}) from exc


def bearer_token() -> str:
    header = request.headers.get("Authorization", "")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise Problem(401, "unauthorized", "A bearer token is required.",
                      headers={"WWW-Authenticate": "Bearer"})
    return token.strip()


def is_service_token(token: str, operator_token: str) -> bool:
    return hmac.compare_digest(token.encode(), operator_token.encode())


def authenticate() -> Principal:
    """The caller of this request; 401 when the token is missing or bad."""
    token = bearer_token()
    if is_service_token(token, current_app.config["PORTAL"].operator_token):
        return Principal("service")
    claims = current_app.extensions["token_verifier"].verify(token)
    return Principal("member", account_id=claims["sub"], claims=claims)


def require_service(view):
    """Only the operator's or an internal service's token (403 for a member token)."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        principal = authenticate()
        if principal.kind != "service":
            raise Problem(403, "forbidden", "This call needs a service token.")
        g.principal = principal
        return view(*args, **kwargs)

    return _documented(wrapper, "a service token")


def require_member(view):
    """Only a partner member's access token (403 for the service token). An API key's token
    passes only on a partner's routes (``/api/v1/partners/<pid>/...``, where the partner
    check decides); anywhere else (``/api/v1/me``, accepting an invitation) it is 403
    ``forbidden`` (API.md "Partner members: new calls")."""

    @functools.wraps(view)
    def wrapper(*args, **kwargs):
        principal = authenticate()
        if principal.kind != "member":
            raise Problem(403, "forbidden", "This call needs a member's access token.")
        if principal.api_key and not PARTNER_ROUTE.match(request.path):
            raise Problem(403, "forbidden", "An API key works on its partner's routes only.")
        g.principal = principal
        return view(*args, **kwargs)

    return _documented(wrapper, "a member's access token")


def _documented(wrapper, token: str):
    """The OpenAPI operation of ``wrapper`` says what the check above enforces: a bearer
    token, 401 ``unauthorized`` without a valid one, 403 ``forbidden`` for the wrong kind.
    (Operations without one of these checks are documented as open: no ``security``.)"""
    doc = getattr(wrapper, "_apidoc", None)
    wrapper._apidoc = doc = {} if doc is None else doc
    manual = doc.setdefault("manual_doc", {})
    manual["security"] = [{"bearerAuth": []}]
    problem = {"application/problem+json": {"schema": {"$ref": "#/components/schemas/Problem"}}}
    responses = manual.setdefault("responses", {})
    responses.setdefault("401", {"description": "No token, or a bad or expired one: `unauthorized`",
                                 "content": problem})
    responses.setdefault("403", {"description": f"Not {token}: `forbidden`", "content": problem})
    return wrapper
