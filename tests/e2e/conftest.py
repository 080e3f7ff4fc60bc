"""One journey, two configurations: embedded defaults, and the production backends
(PostgreSQL, RabbitMQ, an S3 endpoint, an SMTP server)."""
import pytest

from tests.support.motos3 import MotoS3
from tests.support.smtp import SmtpServer
from tests.support.stack import embedded_stack, production_stack


@pytest.fixture(scope="session", params=["embedded", "production"])
def stack(request, tmp_path_factory, postgres, rabbitmq):
    work = tmp_path_factory.mktemp(f"stack-{request.param}")
    extras = []
    if request.param == "embedded":
        s = embedded_stack(work)
    else:
        s3, smtp = MotoS3().start(), SmtpServer().start()
        extras = [s3, smtp]
        s = production_stack(work, postgres, rabbitmq, s3=s3, smtp=smtp)
    s.start()
    yield s
    s.stop()
    for extra in extras:
        extra.stop()
