"""A gateway app on a real database (SQLite and PostgreSQL), with its read model."""
from __future__ import annotations

import pytest

from gateway.app import create_app
from services.common.config import Config
from tests.support.infra import free_port


@pytest.fixture(params=["sqlite", "postgresql"])
def gateway_config(request, tmp_path, postgres):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": "https://experts.example.com"}
    if request.param == "postgresql":
        env["GATEWAY_DATABASE_URL"] = postgres.database(f"gw_{len(postgres.created)}")
    return Config.from_env("gateway", env)


ADMIN_PORT = 9109  # GATEWAY_ADMIN_PORT of the gateway fixture: its /metrics and /readyz
ADMIN_URL = f"http://127.0.0.1:{ADMIN_PORT}"  # a test client's base_url for them


@pytest.fixture
def gateway(gateway_config, monkeypatch):
    monkeypatch.setenv("GATEWAY_ADMIN_PORT", str(ADMIN_PORT))
    app = create_app(gateway_config)
    app.config["RUNTIME"].migrate()
    app.config["RUNTIME"].bus.declare("gateway", ["catalog.page.*", "assets.asset.updated"])
    yield app
    app.config["RUNTIME"].close()
