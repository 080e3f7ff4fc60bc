"""A NUL character in any input never reaches PostgreSQL (which cannot store one in text):
found by the proof suite's schemathesis run, where signing up with one answered 500."""
import pytest

from services.common.config import Config
from services.membership.app import create_app
from tests.support.infra import free_port

pytestmark = pytest.mark.integration


@pytest.fixture
def membership(tmp_path, postgres):
    env = {"PORTAL_DATA_DIR": str(tmp_path), "PORTAL_OPERATOR_TOKEN": "op", "PORTAL_GATEWAY_PORT": str(free_port()),
           "MEMBERSHIP_DATABASE_URL": postgres.database(f"nul_{len(postgres.created)}")}
    app = create_app(Config.from_env("membership", env))
    app.config["RUNTIME"].migrate()
    return app.test_client()


def test_a_nul_in_a_json_body_is_a_validation_error(membership):
    answer = membership.post("/api/v1/accounts", json={"name": "a\u0000b", "email": "nul@example.com",
                                                       "password": "long enough password"})
    assert answer.status_code == 422 and answer.get_json()["code"] == "validation_error"


def test_a_nul_in_a_key_nested_deep_is_refused_too(membership):
    answer = membership.post("/api/v1/sessions", json={"email": "x@example.com", "password": "p", "x": [{"\u0000": 1}]})
    assert answer.status_code == 422


def test_the_text_backslash_u0000_written_out_is_not_a_nul(membership):
    answer = membership.post("/api/v1/accounts", json={"name": "literally \\u0000", "email": "lit@example.com",
                                                       "password": "long enough password"})
    assert answer.status_code == 201


def test_a_nul_in_a_path_or_a_query_is_refused(membership):
    assert membership.get("/api/v1/partners/%00/members").status_code == 404
    assert membership.get("/api/v1/me?x=%00").status_code == 400
