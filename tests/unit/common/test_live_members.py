"""When membership cannot answer, the bus-fed read model decides, and nothing waits on a
membership that is down; what a process remembers stays bounded."""
from __future__ import annotations

import json
import threading
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer

import pytest

from services.common.members import LiveMembers, MembershipUnreachable
from tests.support.infra import free_port


class FakeMembership(BaseHTTPRequestHandler):
    status, body, asked = 200, {"role": "member"}, 0

    def do_GET(self):  # noqa: N802 - http.server's name
        type(self).asked += 1
        payload = json.dumps(self.body).encode()
        self.send_response(self.status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(payload)))
        self.end_headers()
        self.wfile.write(payload)

    def log_message(self, *args):
        pass


@pytest.fixture
def membership():
    handler = type("Membership", (FakeMembership,), {})
    server = ThreadingHTTPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    yield handler, f"http://127.0.0.1:{server.server_port}"
    server.shutdown()
    server.server_close()


class Clock:
    now = 50.0

    def __call__(self):
        return self.now


def test_an_unrouted_404_is_never_read_as_not_a_member(membership):
    handler, url = membership
    handler.status, handler.body = 404, {"code": "not_found"}
    with pytest.raises(MembershipUnreachable):
        LiveMembers(url, "t").role_of("p", "a")


def test_a_membership_that_is_down_is_not_asked_again_for_two_seconds():
    clock = Clock()
    members = LiveMembers(f"http://127.0.0.1:{free_port()}", "t", clock=clock)
    with pytest.raises(MembershipUnreachable):
        members.role_of("p", "a")
    members.base_url = "http://192.0.2.1:9"  # would take the whole connect timeout if asked
    clock.now += 1.9
    with pytest.raises(MembershipUnreachable, match="a moment ago"):
        members.role_of("p", "b")


def test_remembered_answers_stay_bounded_and_each_is_at_most_a_second_old(membership):
    handler, url = membership
    clock = Clock()
    members = LiveMembers(url, "t", clock=clock, max_remembered=4)
    for n in range(10):
        assert members.role_of("p", f"a{n}") == "member"
    assert len(members._answers) <= 4 and handler.asked == 10
    handler.body = {"role": None}
    assert members.role_of("p", "a9") == "member" and handler.asked == 10
    clock.now += 1.0
    assert members.role_of("p", "a9") is None and handler.asked == 11
