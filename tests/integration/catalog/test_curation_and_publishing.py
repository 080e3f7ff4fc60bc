"""Curation, offerings, publishing and automatic removal, as a partner's script sees them."""
from __future__ import annotations

import pytest

pytestmark = pytest.mark.integration


def base(p):
    return f"/api/v1/partners/{p['id']}"


def use_case(catalog, p, name="Email Automation"):
    answer = catalog.client.post(f"{base(p)}/use-cases", json={"name": name}, headers=p["headers"])
    assert answer.status_code == 201, answer.get_json()
    return answer.get_json()["id"]


def save(catalog, p, uid, ids):
    return catalog.client.post(f"{base(p)}/use-cases/{uid}/experts", json={"freelancer_ids": ids}, headers=p["headers"])


def decide(catalog, p, uid, fid, what):
    return catalog.client.post(f"{base(p)}/use-cases/{uid}/experts/{fid}/{what}", headers=p["headers"])


def status_of(catalog, p, uid, fid):
    items = catalog.client.get(f"{base(p)}/use-cases/{uid}/experts", headers=p["headers"]).get_json()["items"]
    return next(i for i in items if i["freelancer_id"] == fid)


def test_every_state_transition_of_an_expert(catalog):
    p = catalog.partner()
    catalog.talent("fl-1")
    uid = use_case(catalog, p)
    assert save(catalog, p, uid, ["fl-1"]).status_code == 201
    assert status_of(catalog, p, uid, "fl-1")["status"] == "pending"
    assert decide(catalog, p, uid, "fl-1", "decline").get_json()["status"] == "declined"
    assert decide(catalog, p, uid, "fl-1", "approve").get_json()["status"] == "approved"   # declined -> approved
    assert decide(catalog, p, uid, "fl-1", "approve").status_code == 200                    # repeat: no change
    save(catalog, p, uid, ["fl-1"])
    assert status_of(catalog, p, uid, "fl-1")["status"] == "approved"                        # approved stays
    assert decide(catalog, p, uid, "fl-1", "decline").get_json()["status"] == "declined"    # approved -> declined
    save(catalog, p, uid, ["fl-1"])
    assert status_of(catalog, p, uid, "fl-1")["status"] == "pending"                         # declined -> pending
    decide(catalog, p, uid, "fl-1", "approve")
    catalog.verdict(p["id"], "fl-1", False, ["profile_private"])
    removed = status_of(catalog, p, uid, "fl-1")
    assert (removed["status"], removed["reasons"]) == ("removed", ["profile_private"])       # approved -> removed
    catalog.verdict(p["id"], "fl-1", True, [])
    assert status_of(catalog, p, uid, "fl-1")["status"] == "removed"                          # not back by itself
    assert decide(catalog, p, uid, "fl-1", "approve").get_json()["status"] == "approved"    # removed -> approved
    decided = status_of(catalog, p, uid, "fl-1")
    assert decided["decided_by"] == p["admin"] and decided["decided_at"]


def test_approving_an_ineligible_freelancer_is_refused_with_the_reasons(catalog):
    p = catalog.partner()
    catalog.talent("fl-1", eligible=False, ineligible_reasons=["jss_below_threshold"], jss=70)
    catalog.talent("fl-2", eligible=False, ineligible_reasons=["jss_below_threshold"], jss=0,
                   eligible_for_partners=[p["id"]])
    uid = use_case(catalog, p)
    save(catalog, p, uid, ["fl-1", "fl-2"])
    refused = decide(catalog, p, uid, "fl-1", "approve")
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "not_eligible" and refused.get_json()["reasons"] == ["jss_below_threshold"]
    assert decide(catalog, p, uid, "fl-2", "approve").status_code == 200   # referred by this partner


@pytest.mark.parametrize("reason", ["account_suspended", "jss_below_threshold", "profile_private"])
def test_an_ineligible_verdict_removes_the_expert_everywhere_with_its_offerings(catalog, reason):
    p = catalog.partner()
    catalog.talent("fl-1")
    first, second = use_case(catalog, p, "One"), use_case(catalog, p, "Two")
    for uid in (first, second):
        save(catalog, p, uid, ["fl-1"])
        decide(catalog, p, uid, "fl-1", "approve")
    catalog.client.post(f"{base(p)}/use-cases/{first}/offerings", headers=p["headers"],
                        json={"kind": "project", "offering_id": "pr-fl-1", "freelancer_id": "fl-1"})
    catalog.verdict(p["id"], "fl-1", False, [reason])
    for uid in (first, second):
        assert status_of(catalog, p, uid, "fl-1")["reasons"] == [reason]
    offerings = catalog.client.get(f"{base(p)}/use-cases/{first}/offerings", headers=p["headers"]).get_json()
    assert offerings["items"] == []
    log = catalog.client.get(f"{base(p)}/activity?kind=expert", headers=p["headers"]).get_json()["items"]
    assert log[0]["action"] == "expert.removed" and log[0]["actor"] == "system" and log[0]["reasons"] == [reason]
    removed = [e for e in catalog.published_events() if e["event_type"] == "catalog.expert.removed"]
    assert len(removed) == 2 and removed[-1]["payload"]["approved_anywhere"] is False


def test_declining_an_approved_expert_removes_their_offerings_in_that_use_case(catalog):
    p = catalog.partner()
    catalog.talent("fl-1")
    uid = use_case(catalog, p)
    save(catalog, p, uid, ["fl-1"])
    decide(catalog, p, uid, "fl-1", "approve")
    url = f"{base(p)}/use-cases/{uid}/offerings"
    for kind, oid in (("project", "pr-fl-1"), ("consultation", "co-fl-1")):
        assert catalog.client.post(url, json={"kind": kind, "offering_id": oid, "freelancer_id": "fl-1"},
                                   headers=p["headers"]).status_code == 201
    again = catalog.client.post(url, json={"kind": "project", "offering_id": "pr-fl-1", "freelancer_id": "fl-1"},
                                headers=p["headers"])
    assert again.status_code == 409 and again.get_json()["code"] == "offering_exists"
    missing = catalog.client.post(url, json={"kind": "project", "offering_id": "nope", "freelancer_id": "fl-1"},
                                  headers=p["headers"])
    assert missing.status_code == 422 and missing.get_json()["code"] == "offering_not_found"
    decide(catalog, p, uid, "fl-1", "decline")
    assert catalog.client.get(url, headers=p["headers"]).get_json()["items"] == []
    not_approved = catalog.client.post(url, json={"kind": "project", "offering_id": "pr-fl-1", "freelancer_id": "fl-1"},
                                       headers=p["headers"])
    assert not_approved.status_code == 409 and not_approved.get_json()["code"] == "expert_not_approved"


def ready(catalog, p, experts: int, assets=("logo-light", "logo-dark", "branded-image")):
    uid = use_case(catalog, p)
    ids = [f"fl-{i}" for i in range(experts)]
    for fid in ids:
        catalog.talent(fid)
    if ids:
        save(catalog, p, uid, ids)
    for fid in ids:
        assert decide(catalog, p, uid, fid, "approve").status_code == 200
    for kind in assets:
        catalog.asset(p["id"], kind)
    return uid


def publish(catalog, p, on=True):
    return catalog.client.put(f"{base(p)}/page/published", json={"published": on}, headers=p["headers"])


def test_nine_experts_are_not_enough_to_publish_and_ten_are(catalog):
    p = catalog.partner()
    uid = ready(catalog, p, 9)
    refused = publish(catalog, p)
    assert refused.status_code == 409
    assert refused.get_json()["code"] == "publish_requirements_unmet" and refused.get_json()["missing"] == ["experts"]
    catalog.talent("fl-9")
    save(catalog, p, uid, ["fl-9"])
    decide(catalog, p, uid, "fl-9", "approve")
    assert publish(catalog, p).get_json() == {"published": True}
    page = catalog.client.get(f"{base(p)}/page", headers=p["headers"]).get_json()
    assert page["requirements"]["experts"] == {"required": 10, "have": 10, "met": True}
    assert page["public_url"] == f"https://experts.example.com/experts/{p['slug']}"


@pytest.mark.parametrize("missing", ["logo-light", "logo-dark", "branded-image"])
def test_each_missing_asset_blocks_publishing(catalog, missing):
    p = catalog.partner()
    ready(catalog, p, 10, assets=[k for k in ("logo-light", "logo-dark", "branded-image") if k != missing])
    refused = publish(catalog, p).get_json()
    assert refused["missing"] == [missing.replace("-", "_").replace("branded_image", "branded_image")]


def test_experts_count_once_across_use_cases(catalog):
    p = catalog.partner()
    ready(catalog, p, 5)
    second = use_case(catalog, p, "Second")
    save(catalog, p, second, [f"fl-{i}" for i in range(5)])
    for i in range(5):
        decide(catalog, p, second, f"fl-{i}", "approve")
    page = catalog.client.get(f"{base(p)}/page", headers=p["headers"]).get_json()
    assert page["requirements"]["experts"]["have"] == 5


def test_a_published_page_that_falls_below_stays_up_with_warnings_and_unpublishing_always_works(catalog):
    p = catalog.partner()
    ready(catalog, p, 10)
    publish(catalog, p)
    catalog.verdict(p["id"], "fl-0", False, ["account_suspended"])
    page = catalog.client.get(f"{base(p)}/page", headers=p["headers"]).get_json()
    assert page["published"] is True
    assert page["warnings"][0]["requirement"] == "experts" and page["warnings"][0]["code"]
    log = catalog.client.get(f"{base(p)}/activity", headers=p["headers"]).get_json()["items"]
    assert log[0]["action"] == "page.requirements_unmet"
    assert publish(catalog, p, on=False).get_json() == {"published": False}
    types = [e["event_type"] for e in catalog.published_events()]
    assert types.index("catalog.page.published") < types.index("catalog.page.changed") < types.index(
        "catalog.page.unpublished")


def test_page_events_carry_everything_the_public_page_shows_with_increasing_versions(catalog):
    p = catalog.partner()
    uid = ready(catalog, p, 10)
    catalog.client.post(f"{base(p)}/use-cases/{uid}/offerings", headers=p["headers"],
                        json={"kind": "consultation", "offering_id": "co-fl-3", "freelancer_id": "fl-3"})
    publish(catalog, p)
    catalog.client.patch(f"{base(p)}/use-cases/{uid}", json={"name": "Renamed"}, headers=p["headers"])
    pages = [e["payload"] for e in catalog.published_events() if e["event_type"].startswith("catalog.page.")]
    assert [pg["version"] for pg in pages] == sorted({pg["version"] for pg in pages})
    latest = pages[-1]["page"]
    assert latest["partner"]["slug"] == p["slug"]
    assert latest["use_cases"][0]["name"] == "Renamed"
    assert len(latest["use_cases"][0]["experts"]) == 10
    assert latest["use_cases"][0]["consultations"][0]["duration_minutes"] == 60
    assert latest["assets"]["logo_light"]["url"].endswith("logo-light.png")
    internal = catalog.client.get(f"/internal/v1/pages/{p['id']}", headers={"Authorization": "Bearer op-token"})
    assert internal.get_json()["version"] == pages[-1]["version"]
    listed = catalog.client.get("/internal/v1/pages?published=true", headers={"Authorization": "Bearer op-token"})
    assert [i["partner_id"] for i in listed.get_json()["items"]] == [p["id"]]


def test_use_cases_are_unique_ignoring_case_and_spaces_and_deleting_takes_their_curation(catalog):
    p = catalog.partner()
    uid = use_case(catalog, p, "  Graphic   Design ")
    clash = catalog.client.post(f"{base(p)}/use-cases", json={"name": "graphic design"}, headers=p["headers"])
    assert clash.status_code == 409 and clash.get_json()["code"] == "use_case_exists"
    catalog.talent("fl-1")
    save(catalog, p, uid, ["fl-1"])
    listed = catalog.client.get(f"{base(p)}/use-cases", headers=p["headers"]).get_json()["items"]
    assert listed[0]["name"] == "Graphic Design" and listed[0]["counts"]["pending"] == 1
    assert catalog.client.delete(f"{base(p)}/use-cases/{uid}", headers=p["headers"]).status_code == 204
    assert catalog.client.get(f"{base(p)}/use-cases", headers=p["headers"]).get_json()["items"] == []
    log = catalog.client.get(f"{base(p)}/activity?kind=use_case", headers=p["headers"]).get_json()["items"]
    assert log[0]["action"] == "use_case.deleted"
