"""Access tokens: only membership's current keys, the pinned algorithm, and fresh tokens pass."""
import base64
import json
import time

import jwt
import pytest

from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.errors import Problem


@pytest.fixture
def keys(tmp_path):
    k = SigningKeys(tmp_path / "keys")
    k.ensure()
    return k


def test_a_token_signed_by_membership_verifies(keys):
    token = TokenSigner(keys).issue("account-1")
    assert TokenVerifier(jwks=keys.jwks).verify(token)["sub"] == "account-1"


def test_a_tampered_token_is_refused(keys):
    token = TokenSigner(keys).issue("account-1")
    header, payload, signature = token.split(".")
    claims = json.loads(base64.urlsafe_b64decode(payload + "=="))
    claims["sub"] = "account-2"
    forged = base64.urlsafe_b64encode(json.dumps(claims).encode()).rstrip(b"=").decode()
    with pytest.raises(Problem) as refused:
        TokenVerifier(jwks=keys.jwks).verify(f"{header}.{forged}.{signature}")
    assert refused.value.status == 401


def test_an_expired_token_is_refused(keys):
    token = TokenSigner(keys, lifetime_seconds=-1).issue("account-1")
    with pytest.raises(Problem):
        TokenVerifier(jwks=keys.jwks).verify(token)


def test_an_unsigned_alg_none_token_is_refused(keys):
    now = int(time.time())
    token = jwt.encode({"sub": "account-1", "iss": "portal-membership", "aud": "portal", "iat": now,
                        "exp": now + 60}, key=None, algorithm="none")
    with pytest.raises(Problem):
        TokenVerifier(jwks=keys.jwks).verify(token)


def test_a_token_signed_by_another_key_is_refused(keys, tmp_path):
    other = SigningKeys(tmp_path / "other")
    other.ensure()
    with pytest.raises(Problem):
        TokenVerifier(jwks=keys.jwks).verify(TokenSigner(other).issue("account-1"))


def test_tokens_signed_before_a_key_rotation_stay_valid_until_they_expire(keys):
    before = TokenSigner(keys).issue("account-1")
    keys.rotate()
    after = TokenSigner(keys).issue("account-1")
    verifier = TokenVerifier(jwks=keys.jwks)
    assert jwt.get_unverified_header(before)["kid"] != jwt.get_unverified_header(after)["kid"]
    assert verifier.verify(before)["sub"] == verifier.verify(after)["sub"] == "account-1"


@pytest.mark.parametrize("garbage", ["", "abc", "a.b.c", "e30.e30.", "🙂"])
def test_garbage_is_refused_as_unauthorized(keys, garbage):
    with pytest.raises(Problem) as refused:
        TokenVerifier(jwks=keys.jwks).verify(garbage)
    assert refused.value.status == 401
