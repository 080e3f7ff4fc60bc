"""Membership on PostgreSQL (and SQLite), RabbitMQ (and the folder bus), with a real SMTP server."""
import pytest

from services.common.config import Config
from services.membership.app import create_app
from tests.support.infra import free_port
from tests.support.smtp import SmtpServer

OPERATOR = {"Authorization": "Bearer op-token"}


@pytest.fixture(scope="session")
def smtp():
    server = SmtpServer().start()
    yield server
    server.stop()


@pytest.fixture(params=["sqlite+folder", "postgresql+rabbitmq"])
def app(request, tmp_path, postgres, rabbitmq, smtp, monkeypatch):
    for name in ("MEMBERSHIP_SIGNIN_LIMIT", "MEMBERSHIP_SIGNIN_ACCOUNT_LIMIT", "MEMBERSHIP_ACCEPT_LIMIT",
                 "MEMBERSHIP_SIGNUP_LIMIT", "MEMBERSHIP_SIGNUP_EMAIL_LIMIT"):
        monkeypatch.setenv(name, "10000/minute")
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op-token",
           "PORTAL_GATEWAY_PORT": str(free_port()), "PORTAL_PUBLIC_URL": "https://portal.example.com"}
    if request.param.startswith("postgresql"):
        env["MEMBERSHIP_DATABASE_URL"] = postgres.database(f"mem_{len(postgres.created)}")
        env["BROKER_URL"] = rabbitmq.vhost(f"mem{len(rabbitmq.created)}")
        env["SMTP_URL"] = smtp.url
    application = create_app(Config.from_env("membership", env))
    runtime = application.config["RUNTIME"]
    runtime.migrate()
    runtime.bus.declare("observer", ["membership.#"])
    application.smtp = smtp if "SMTP_URL" in env else None
    yield application
    runtime.close()
