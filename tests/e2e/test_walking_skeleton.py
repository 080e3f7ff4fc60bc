"""The foundation end to end: five processes answer, and a fact flows over the bus."""
import pytest
import requests

from tests.e2e.helpers import eventually_ok, new_partner, sign_up
from tests.support.stack import PARTS

pytestmark = pytest.mark.e2e


def test_every_process_of_the_suite_is_alive_and_ready(stack):
    for part in PARTS:
        assert requests.get(f"{stack.url_of(part)}/healthz", timeout=5).json() == {"status": "ok"}
        ready = requests.get(stack.ready_url(part), timeout=5)
        assert ready.status_code == 200, ready.text
        assert ready.json()["checks"]["database"] == "ok"
        assert ready.json()["checks"]["bus"] == "ok"


def test_a_partner_granted_in_membership_becomes_visible_to_catalog_through_the_bus(stack):
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    page = eventually_ok(stack, f"/api/v1/partners/{partner['id']}/page", admin["token"]).json()
    assert page["slug"] == partner["slug"]
    assert page["published"] is False
    assert page["public_url"].endswith(f"/experts/{partner['slug']}")


def test_another_accounts_token_sees_that_partner_as_missing(stack):
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    eventually_ok(stack, f"/api/v1/partners/{partner['id']}/page", admin["token"])
    stranger = sign_up(stack, "Eve")
    answer = stack.call("GET", f"/api/v1/partners/{partner['id']}/page", stranger["token"])
    assert answer.status_code == 404
    assert answer.headers["Content-Type"] == "application/problem+json"
    assert answer.json()["code"] == "not_found"


def test_request_ids_are_passed_through_the_gateway(stack):
    answer = stack.call("GET", "/api/v1/me", headers={"X-Request-Id": "trace-123"})
    assert answer.status_code == 401
    assert answer.headers["X-Request-Id"] == "trace-123"
    assert answer.json()["code"] == "unauthorized"


def test_an_unknown_api_path_is_a_problem_json_404(stack):
    answer = stack.call("GET", "/api/v1/nothing-here")
    assert answer.status_code == 404
    assert answer.json()["code"] == "not_found"
