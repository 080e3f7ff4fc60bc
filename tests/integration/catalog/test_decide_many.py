"""experts:decide (API.md "Partner members: new calls"): a curator approves and declines many
experts in one call; each is decided as the single call would, and the refusals name who."""
from __future__ import annotations

import pytest

from .test_curation_and_publishing import base, publish, ready, save, status_of, use_case

pytestmark = pytest.mark.integration


def decide_many(catalog, p, uid, approve=(), decline=(), body=None):
    return catalog.client.post(f"{base(p)}/use-cases/{uid}/experts:decide",
                               json=body if body is not None else {"approve": list(approve), "decline": list(decline)},
                               headers=p["headers"])


def test_eleven_experts_approved_in_one_call_and_the_page_changes_once(catalog):
    p = catalog.partner()
    ids = [f"fl-{n}" for n in range(11)]
    for fid in ids:
        catalog.talent(fid)
    uid = use_case(catalog, p)
    save(catalog, p, uid, ids)
    catalog.published_events()  # drain
    answer = decide_many(catalog, p, uid, approve=ids)
    assert answer.status_code == 200, answer.get_json()
    assert answer.get_json()["items"] == [{"freelancer_id": f, "status": "approved"} for f in ids]
    assert {status_of(catalog, p, uid, f)["status"] for f in ids} == {"approved"}
    kinds = [e["event_type"] for e in catalog.published_events()]
    assert kinds.count("catalog.expert.approved") == 11


def test_an_ineligible_one_keeps_its_status_with_reasons_while_the_others_proceed(catalog):
    p = catalog.partner()
    catalog.talent("fl-ok")
    catalog.talent("fl-low", eligible=False, ineligible_reasons=["jss_below_threshold"], jss=70)
    catalog.talent("fl-gone")
    uid = use_case(catalog, p)
    save(catalog, p, uid, ["fl-ok", "fl-low", "fl-gone"])
    answer = decide_many(catalog, p, uid, approve=["fl-ok", "fl-low", "fl-stranger"], decline=["fl-gone"])
    assert answer.status_code == 200
    assert answer.get_json()["items"] == [
        {"freelancer_id": "fl-ok", "status": "approved"},
        {"freelancer_id": "fl-low", "status": "pending", "code": "not_eligible", "reasons": ["jss_below_threshold"]},
        {"freelancer_id": "fl-stranger", "status": None, "code": "not_found"},
        {"freelancer_id": "fl-gone", "status": "declined"},
    ]
    assert status_of(catalog, p, uid, "fl-low")["status"] == "pending"


def test_declining_approved_experts_in_bulk_drops_their_offerings_and_a_published_page_changes(catalog):
    p = catalog.partner()
    uid, ids = ready(catalog, p, 11), [f"fl-{i}" for i in range(11)]
    publish(catalog, p)
    catalog.client.post(f"{base(p)}/use-cases/{uid}/offerings", headers=p["headers"],
                        json={"kind": "project", "freelancer_id": ids[0], "offering_id": f"pr-{ids[0]}"})
    catalog.published_events()
    answer = decide_many(catalog, p, uid, decline=ids[:2])
    assert [i["status"] for i in answer.get_json()["items"]] == ["declined", "declined"]
    offerings = catalog.client.get(f"{base(p)}/use-cases/{uid}/offerings", headers=p["headers"]).get_json()
    assert offerings["items"] == []
    kinds = [e["event_type"] for e in catalog.published_events()]
    assert kinds.count("catalog.page.changed") == 1


@pytest.mark.parametrize("body", [{}, {"approve": []}, {"approve": [], "decline": []}])
def test_empty_lists_decide_nothing(catalog, body):
    p = catalog.partner()
    uid = use_case(catalog, p)
    answer = decide_many(catalog, p, uid, body=body)
    assert answer.status_code == 200 and answer.get_json() == {"items": []}


@pytest.mark.parametrize("body, field", [
    ({"approve": ["a"], "decline": ["a"]}, "decline"),
    ({"approve": [f"f{n}" for n in range(150)], "decline": [f"g{n}" for n in range(51)]}, "approve"),
    ({"approve": [f"f{n}" for n in range(201)]}, "approve"),
    ({"approve": ["../x"]}, "approve"),
    ({"approve": "fl-1"}, "approve"),
    ({"approve": ["fl-1"], "extra": 1}, "extra"),
])
def test_a_bad_body_is_422_naming_the_field(catalog, body, field):
    p = catalog.partner()
    uid = use_case(catalog, p)
    answer = decide_many(catalog, p, uid, body=body)
    assert answer.status_code == 422, answer.get_json()
    assert answer.get_json()["code"] == "validation_error"
    if field:
        assert field in str(answer.get_json()["errors"])


def test_another_partners_use_case_is_404(catalog):
    p, other = catalog.partner(), catalog.partner()
    catalog.talent("fl-1")
    uid = use_case(catalog, other)
    save(catalog, other, uid, ["fl-1"])
    assert decide_many(catalog, p, uid, approve=["fl-1"]).status_code == 404
    assert decide_many(catalog, p, "no-such", approve=["fl-1"]).status_code == 404
    assert status_of(catalog, other, uid, "fl-1")["status"] == "pending"
