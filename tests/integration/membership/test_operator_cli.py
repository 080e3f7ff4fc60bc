"""The operator's command line: grant portal access, rotate the signing key."""
import os
import subprocess
import sys

import pytest

from tests.support.procs import ROOT

pytestmark = pytest.mark.integration


def run(tmp_path, *args):
    env = {**os.environ, "PYTHONPATH": str(ROOT), "PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op"}
    return subprocess.run([sys.executable, "-m", "services.membership", *args], env=env, cwd=ROOT,
                          capture_output=True, text=True, timeout=60)


def test_an_operator_grants_access_and_rotates_the_signing_key_from_the_command_line(tmp_path):
    assert run(tmp_path, "migrate").returncode == 0
    from services.common.config import Config
    from services.membership.app import create_app
    app = create_app(Config.from_env("membership", {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op"}))
    client = app.test_client()
    client.post("/api/v1/accounts", json={"email": "boss@example.com", "password": "correct horse battery", "name": "Boss"})
    unverified = run(tmp_path, "grant-access", "--name", "Acme", "--slug", "acme", "--admin-email", "boss@example.com")
    assert unverified.returncode != 0 and "account_not_verified" in unverified.stderr
    verified = run(tmp_path, "verify-email", "--email", "Boss@Example.com")
    assert verified.returncode == 0 and "verified: account" in verified.stdout
    assert run(tmp_path, "verify-email", "--email", "nobody@example.com").returncode != 0
    granted = run(tmp_path, "grant-access", "--name", "Acme", "--slug", "acme", "--admin-email", "Boss@Example.com")
    assert granted.returncode == 0 and "granted: partner" in granted.stdout
    again = run(tmp_path, "grant-access", "--name", "Acme", "--slug", "acme", "--admin-email", "boss@example.com")
    assert again.returncode != 0 and "slug_taken" in again.stderr
    bad = run(tmp_path, "grant-access", "--name", "Acme", "--slug", "Not A Slug", "--admin-email", "boss@example.com")
    assert bad.returncode != 0
    keys_before = len(client.get("/.well-known/jwks.json").get_json()["keys"])
    assert run(tmp_path, "rotate-signing-key").returncode == 0
    assert len(client.get("/.well-known/jwks.json").get_json()["keys"]) == keys_before + 1
