"""Eligibility through the gateway: the talent directory fed in bulk, and the verdict of an
approved expert followed as their JSS falls below the threshold and climbs back."""
from __future__ import annotations

import json

import pytest

from tests.e2e.helpers import eligible_talent, eventually_ok, later, new_partner, put_talent, sign_up
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
NDJSON = {"Content-Type": "application/x-ndjson"}


def test_bulk_talent_through_the_gateway_keeps_good_lines_and_needs_the_service_token(stack):
    good, other = eligible_talent(2, seed=7)
    body = "\n".join([json.dumps(good), json.dumps({**other, "jss": 101}), "not json"]) + "\n"
    answer = stack.operator("POST", "/internal/v1/talent:bulk", data=body, headers=dict(NDJSON))
    assert answer.status_code == 200, answer.text
    assert answer.json()["accepted"] == 1
    assert [(r["line"], r["code"]) for r in answer.json()["rejected"]] == [(2, "validation_error"),
                                                                        (3, "invalid_json")]
    stored = stack.operator("GET", f"/internal/v1/talent/{good['freelancer_id']}").json()
    assert stored["verdict"]["eligible"] is True
    assert stack.call("POST", "/internal/v1/talent:bulk", data=body, headers=dict(NDJSON)).status_code == 401
    member = sign_up(stack)["token"]
    assert stack.call("POST", "/internal/v1/sweeps", member).status_code == 403


def test_an_approved_experts_verdict_follows_the_jss_and_the_sweep_changes_nothing(stack):
    pid, fid, expert = _approved_expert(stack)
    pair = {"partner_id": pid, "freelancer_id": fid}
    wait_until(lambda: _verdicts(stack, pair), 15, 0.1, "the approval to reach eligibility")
    put_talent(stack, {**expert, "jss": 79, "updated_at": later(expert["updated_at"])})
    [verdict] = _verdicts(stack, pair)
    assert (verdict["eligible"], verdict["reasons"]) == (False, ["jss_below_threshold"])
    put_talent(stack, {**expert, "jss": 80, "updated_at": later(expert["updated_at"], 120)})
    history = stack.operator("GET", "/internal/v1/verdicts/history", params=pair).json()["items"]
    assert [(h["eligible"], h["rules"][0]["rule"]) for h in history] == [
        (True, "jss_below_threshold"), (False, "jss_below_threshold")]
    for _ in range(2):
        swept = stack.operator("POST", "/internal/v1/sweeps").json()
        assert swept["changed"] == 0 and swept["republished"] >= 1
    assert len(stack.operator("GET", "/internal/v1/verdicts/history", params=pair).json()["items"]) == 2


def _approved_expert(stack) -> tuple[str, str, dict]:
    admin = sign_up(stack)
    pid, token = new_partner(stack, admin)["id"], admin["token"]
    eventually_ok(stack, f"/api/v1/partners/{pid}/page", token)
    [expert] = eligible_talent(1, seed=11, jss=90)
    put_talent(stack, expert)
    fid = expert["freelancer_id"]
    uid = stack.call("POST", f"/api/v1/partners/{pid}/use-cases", token, json={"name": "Data Pipelines"}).json()["id"]
    experts = f"/api/v1/partners/{pid}/use-cases/{uid}/experts"
    wait_until(lambda: stack.call("POST", experts, token, json={"freelancer_ids": [fid]}).status_code == 201,
               15, 0.1, "the talent to reach catalog")
    assert stack.call("POST", f"{experts}/{fid}/approve", token).status_code == 200
    return pid, fid, expert


def _verdicts(stack, pair: dict) -> list[dict]:
    return stack.operator("GET", "/internal/v1/verdicts", params=pair).json()["items"]
