"""Talent from eligibility reaches catalog's search over the bus; a suspension in eligibility
removes the expert in catalog by itself, with its reason."""
import pytest

from tests.e2e.helpers import eligible_talent, eventually_ok, later, new_partner, put_talent, sign_up
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e


def test_a_suspended_expert_is_removed_by_itself_and_the_partner_sees_why(stack):
    admin = sign_up(stack)
    partner = new_partner(stack, admin)
    pid, token = partner["id"], admin["token"]
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", token)
    [expert] = eligible_talent(1, seed=7)
    put_talent(stack, expert)
    fid = expert["freelancer_id"]
    found = wait_until(lambda: stack.call("GET", f"/api/v1/partners/{pid}/talent", token,
                                          params={"q": expert["name"].split()[0]}).json()["items"], 10, 0.1,
                       "the profile in catalog's search")
    assert fid in [item["freelancer_id"] for item in found]
    uid = stack.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": "Graphic Design"}).json()["id"]
    assert stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token,
                      json={"freelancer_ids": [fid]}).status_code == 201
    assert stack.call("POST", f"/api/v1/partners/{pid}/use-cases/{uid}/experts/{fid}/approve", token).status_code == 200
    put_talent(stack, {**expert, "profile_visibility": "private", "updated_at": later(expert["updated_at"])})

    def removed():
        items = stack.call("GET", f"/api/v1/partners/{pid}/use-cases/{uid}/experts", token,
                           params={"status": "removed"}).json()["items"]
        return items and items[0]

    row = wait_until(removed, 10, 0.1, "the automatic removal")
    assert row["reasons"] == ["profile_private"]
    log = stack.call("GET", f"/api/v1/partners/{pid}/activity", token, params={"kind": "expert"}).json()["items"]
    assert log[0]["action"] == "expert.removed" and log[0]["actor"] == "system"
    history = stack.operator("GET", "/internal/v1/verdicts/history", params={"freelancer_id": fid}).json()["items"]
    assert history[0]["reasons"] == ["profile_private"] and history[0]["partner_id"] == pid
