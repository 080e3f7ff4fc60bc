"""Eligibility on SQLite with the folder bus and on PostgreSQL with RabbitMQ."""
import pytest

from services.common.auth import SigningKeys, TokenSigner, TokenVerifier
from services.common.config import Config
from services.eligibility.app import create_app
from services.eligibility.consumer import make_consumer
from tests.support.infra import free_port

OPERATOR = {"Authorization": "Bearer op-token"}


@pytest.fixture(params=["sqlite+folder", "postgresql+rabbitmq"])
def app(request, tmp_path, postgres, rabbitmq):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port())}
    if request.param == "postgresql+rabbitmq":
        env["ELIGIBILITY_DATABASE_URL"] = postgres.database(f"elig_{len(postgres.created)}")
        env["BROKER_URL"] = rabbitmq.vhost(f"elig{len(rabbitmq.created)}")
    keys = SigningKeys(tmp_path / "keys")
    keys.ensure()
    application = create_app(Config.from_env("eligibility", env), verifier=TokenVerifier(jwks=keys.jwks))
    runtime = application.config["RUNTIME"]
    runtime.migrate()
    make_consumer(runtime).declare()
    runtime.bus.declare("observer", ["eligibility.#"])
    application.config["MEMBER_TOKEN"] = TokenSigner(keys).issue("account-1")
    yield application
    runtime.close()


@pytest.fixture
def client(app):
    return app.test_client()
