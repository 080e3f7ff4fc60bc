"""Services ask membership who belongs, over HTTP, and remember an answer for at most a second:
a removal or a join counts everywhere within a second, whatever the bus is doing."""
from __future__ import annotations

import threading

import pytest
from werkzeug.serving import make_server

from services.common.members import LiveMembers
from tests.integration.membership.conftest import OPERATOR
from tests.integration.membership.test_accounts_and_team import account, invite, partner, send_mail

pytestmark = pytest.mark.integration


class Clock:
    def __init__(self):
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
def served(app):
    """The membership app on a real port, as catalog and assets reach it."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}"
    server.shutdown()


def test_a_removed_member_is_known_as_removed_within_a_second_and_a_joiner_at_once(app, served):
    client, clock = app.test_client(), Clock()
    admin, coworker = account(client, "Admin"), account(client, "Coworker")
    pid = partner(client, admin)
    members = LiveMembers(served, "op-token", clock=clock)
    assert members.role_of(pid, admin["id"]) == "admin"
    assert invite(client, pid, admin, coworker["email"]).status_code == 201
    [token] = send_mail(app)
    assert client.post("/api/v1/invitations/accept", json={"token": token},
                       headers=coworker["headers"]).status_code == 200
    assert members.role_of(pid, coworker["id"]) == "member"          # never asked before: at once
    assert client.delete(f"/api/v1/partners/{pid}/members/{coworker['id']}",
                         headers=admin["headers"]).status_code == 204
    clock.now += 0.9
    assert members.role_of(pid, coworker["id"]) == "member"          # remembered, under a second old
    clock.now += 0.1
    assert members.role_of(pid, coworker["id"]) is None              # a second: asked again
    assert members.role_of("no-such-partner", admin["id"]) is None


def test_the_member_check_needs_the_service_token(app):
    client = app.test_client()
    admin = account(client, "Admin")
    pid = partner(client, admin)
    path = f"/internal/v1/partners/{pid}/members/{admin['id']}"
    assert client.get(path, headers=admin["headers"]).status_code == 403
    assert client.get(path).status_code == 401
    assert client.get(path, headers=OPERATOR).get_json() == {"partner_id": pid, "account_id": admin["id"],
                                                             "role": "admin"}
