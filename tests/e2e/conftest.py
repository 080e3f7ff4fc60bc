"""One journey, two configurations: embedded defaults, and PostgreSQL + RabbitMQ."""
import pytest

from tests.support.stack import embedded_stack, production_stack


@pytest.fixture(scope="session", params=["embedded", "production"])
def stack(request, tmp_path_factory, postgres, rabbitmq):
    work = tmp_path_factory.mktemp(f"stack-{request.param}")
    s = embedded_stack(work) if request.param == "embedded" else production_stack(work, postgres, rabbitmq)
    s.start()
    yield s
    s.stop()
