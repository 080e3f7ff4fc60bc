"""Eligibility on a real database (SQLite and PostgreSQL) with the folder bus."""
import pytest

from services.common.config import Config
from services.eligibility.app import create_app
from services.eligibility.consumer import make_consumer
from tests.support.infra import free_port

OPERATOR = {"Authorization": "Bearer op-token"}


@pytest.fixture(params=["sqlite", "postgresql"])
def app(request, tmp_path, postgres):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port())}
    if request.param == "postgresql":
        env["ELIGIBILITY_DATABASE_URL"] = postgres.database(f"elig_{len(postgres.created)}")
    application = create_app(Config.from_env("eligibility", env))
    runtime = application.config["RUNTIME"]
    runtime.migrate()
    make_consumer(runtime).declare()
    runtime.bus.declare("observer", ["eligibility.#"])
    application.config["TESTING_KEYS"] = None
    yield application
    runtime.close()


@pytest.fixture
def client(app):
    return app.test_client()
