"""A coworker invited by the admin joins from the email's link, and other services learn it
over the bus; removed, they lose access everywhere."""
import pytest

from tests.e2e.helpers import eventually_ok, new_partner, sign_up
from tests.support.mail import Mailbox
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e


def link_in_mail(stack, email: str) -> str:
    """From the SMTP server's inbox, or from the .eml files of the embedded default."""
    return Mailbox.of_stack(stack).link(email, "invitations")


def test_a_coworker_joins_from_the_emailed_link_and_loses_access_when_removed(stack):
    admin = sign_up(stack, "Admin")
    partner = new_partner(stack, admin)
    pid = partner["id"]
    coworker = sign_up(stack, "Coworker")
    sent = stack.call("POST", f"/api/v1/partners/{pid}/invitations", admin["token"],
                      json={"emails": [coworker["email"]], "message": "Join us!"})
    assert sent.status_code == 201, sent.text
    token = link_in_mail(stack, coworker["email"])
    accepted = stack.call("POST", "/api/v1/invitations/accept", coworker["token"], json={"token": token})
    assert accepted.status_code == 200 and accepted.json() == {"partner_id": pid}
    me = stack.call("GET", "/api/v1/me", coworker["token"]).json()
    assert [(p["id"], p["role"]) for p in me["partners"]] == [(pid, "member")]
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", coworker["token"])          # catalog knows
    assert stack.call("POST", f"/api/v1/partners/{pid}/invitations", coworker["token"],
                      json={"emails": ["x@example.com"]}).json()["code"] == "admin_only"
    assert stack.call("DELETE", f"/api/v1/partners/{pid}/members/{coworker['id']}", admin["token"]).status_code == 204
    wait_until(lambda: stack.call("GET", f"/api/v1/partners/{pid}/page", coworker["token"]).status_code == 404,
               10, 0.1, "catalog to forget the removed member")
