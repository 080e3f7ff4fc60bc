"""Session-wide real infrastructure: PostgreSQL databases and a RabbitMQ vhost per run."""
import pytest

from tests.support.infra import Postgres, RabbitMQ


@pytest.fixture(scope="session")
def postgres():
    pg = Postgres()
    yield pg
    pg.drop_all()


@pytest.fixture(scope="session")
def rabbitmq():
    mq = RabbitMQ()
    yield mq
    mq.delete_all()
