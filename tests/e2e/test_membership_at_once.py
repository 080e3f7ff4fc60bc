"""Access decisions never wait for the bus: with catalog's and assets' consumers stopped, a
removed member is refused everywhere within a second, and a member who just joined can act
at once."""
import time

import pytest

from tests.e2e.helpers import CORPUS, eventually_ok, new_partner, sign_up
from tests.e2e.test_membership_invitations import link_in_mail

pytestmark = pytest.mark.e2e
SVG = {"Content-Type": "image/svg+xml"}


def join(stack, admin: dict, pid: str, name: str) -> dict:
    member = sign_up(stack, name)
    sent = stack.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"], json={"emails": [member["email"]]})
    assert sent.status_code == 201, sent.text
    accepted = stack.call("POST", "/api/v1/invitations/accept", member["token"],
                          json={"token": link_in_mail(stack, member["email"])})
    assert accepted.status_code == 200, accepted.text
    return member


def what_a_member_does(stack, pid: str, token: str) -> dict:
    """One call of each kind a member makes, to catalog and to assets: the status of each."""
    logo = (CORPUS / "logo-24.svg").read_bytes()
    return {
        "create use case": stack.call("POST", f"/api/v1/partners/{pid}/use-cases", token,
                                      json={"name": f"Use case {time.monotonic_ns()}"}).status_code,
        "upload logo": stack.call("PUT", f"/api/v1/partners/{pid}/assets/logo-light", token,
                                  data=logo, headers=dict(SVG)).status_code,
        "unpublish": stack.call("PUT", f"/api/v1/partners/{pid}/page/published", token,
                                json={"published": False}).status_code,
        "read page": stack.call("GET", f"/api/v1/partners/{pid}/page", token).status_code,
        "read assets": stack.call("GET", f"/api/v1/partners/{pid}/assets", token).status_code,
    }


def test_a_removed_member_is_refused_everywhere_within_a_second_while_consumers_are_stopped(stack):
    admin = sign_up(stack, "Admin")
    pid = new_partner(stack, admin)["id"]
    removed = join(stack, admin, pid, "Leaver")
    eventually_ok(stack, f"/api/v1/partners/{pid}/assets", removed["token"])
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", removed["token"])   # both read models know them
    stack.pause("catalog.consumer", "assets.consumer")
    try:
        assert set(what_a_member_does(stack, pid, removed["token"]).values()) == {200, 201}
        assert stack.call("DELETE", f"/api/v1/partners/{pid}/members/{removed['id']}", admin["token"]).status_code == 204
        time.sleep(1.0)
        assert what_a_member_does(stack, pid, removed["token"]) == dict.fromkeys(
            ["create use case", "upload logo", "unpublish", "read page", "read assets"], 404)

        joiner = join(stack, admin, pid, "Joiner")   # the consumers have not heard of them either
        assert set(what_a_member_does(stack, pid, joiner["token"]).values()) == {200, 201}
    finally:
        stack.resume("catalog.consumer", "assets.consumer")
