"""The proof suites: one suite on PostgreSQL, RabbitMQ, Redis and an S3 endpoint, a fault proxy
on every road to the broker and the databases, shared by every proof test of the session.
PROOF_SCALE=fast (make test) or full (make proof) sets how hard each test pushes."""
import pytest

from tests.support.faultsuite import FaultySuite
from tests.support.figures import Figures, current_scale
from tests.support.motos3 import MotoS3


@pytest.fixture(scope="session")
def scale():
    return current_scale()


@pytest.fixture(scope="session")
def suite(tmp_path_factory, postgres, rabbitmq):
    s3 = MotoS3().start()
    # the sweeper runs on its schedule; the sweep test runs one more by hand
    s = FaultySuite(tmp_path_factory.mktemp("proof"), postgres, rabbitmq,
                    {**s3.env(), "ELIGIBILITY_SWEEP_SECONDS": "3600",
                     # webhooks: a killed worker's claims return after 15 s; retries every minute at
                     # most, so a receiver down ten minutes is caught up at once; never disabled
                     "WEBHOOKS_LEASE_SECONDS": "15", "WEBHOOKS_RETRY_DELAYS": "1,2,5,10,20,30" + ",60" * 14,
                     "WEBHOOKS_DISABLE_AFTER_SECONDS": "259200"})
    try:
        s.start()
        yield s
    finally:
        s.stop()
        s3.stop()


@pytest.fixture(scope="session")
def bindings(suite):
    return suite.bindings()


def _figures(request, scale, doc: str) -> Figures:
    item = (request.node.function.__doc__ or request.node.name).strip().splitlines()[0]
    return Figures(doc, item, request.node.nodeid, scale)


@pytest.fixture
def reliability(request, scale):
    return _figures(request, scale, "reliability")


@pytest.fixture
def security(request, scale):
    return _figures(request, scale, "security")
