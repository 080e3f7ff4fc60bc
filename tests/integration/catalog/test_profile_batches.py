"""A bulk upload's batch (eligibility.profiles.updated) applied by catalog: profiles searchable,
approved experts who fell below the rule removed with reasons, one page event per partner, and
a batch delivered again (or an older one after a newer) changing nothing twice."""
from __future__ import annotations

import pytest

from tests.integration.catalog.test_curation_and_publishing import base, publish, ready

pytestmark = pytest.mark.integration


def profile(fid: str, updated_at: str, **changes) -> dict:
    return {"freelancer_id": fid, "name": f"Expert {fid}", "title": "Automation engineer",
            "skills": ["Python"], "hourly_rate": 80.0, "country": "US", "jss": 95, "badges": [],
            "eligible": True, "ineligible_reasons": [], "eligible_for_partners": [], "projects": [],
            "consultations": [], "updated_at": updated_at, **changes}


def fell(partner_id: str, fid: str) -> dict:
    return {"partner_id": partner_id, "freelancer_id": fid, "eligible": False, "reasons": ["jss_below_threshold"],
            "at_risk": False, "rules": [], "changed_at": "2026-02-01T00:00:00Z"}


def test_a_rescore_batch_reaches_search_removes_who_fell_with_reasons_and_redelivery_changes_nothing(catalog):
    p = catalog.partner()
    uid = ready(catalog, p, 12)
    assert publish(catalog, p).status_code == 200
    catalog.published_events()
    scores = {f"fl-{i}": 60 + 3 * i for i in range(12)}  # fl-0..fl-6 fall below 80
    fallen = sorted(fid for fid, jss in scores.items() if jss < 80)
    batch = {"profiles": [profile(fid, "2026-02-01T00:00:00Z", jss=jss, eligible=jss >= 80,
                                  ineligible_reasons=[] if jss >= 80 else ["jss_below_threshold"])
                          for fid, jss in scores.items()] + [profile("fl-new", "2026-02-01T00:00:00Z")],
             "verdicts": [fell(p["id"], fid) for fid in fallen]}
    for _ in range(2):  # the same batch twice (as a redelivery with a new event id would be)
        catalog.deliver("eligibility.profiles.updated", batch)
    older = {"profiles": [profile("fl-11", "2026-01-15T00:00:00Z", jss=10, eligible=False)], "verdicts": []}
    catalog.deliver("eligibility.profiles.updated", older)

    found = catalog.client.get(f"{base(p)}/talent", query_string={"limit": 50},
                               headers=p["headers"]).get_json()["items"]
    assert {t["freelancer_id"]: t["jss"] for t in found} == {**scores, "fl-new": 95}
    experts = catalog.client.get(f"{base(p)}/use-cases/{uid}/experts", headers=p["headers"]).get_json()["items"]
    assert sorted(e["freelancer_id"] for e in experts if e["status"] == "removed") == fallen
    assert {tuple(e["reasons"]) for e in experts if e["status"] == "removed"} == {("jss_below_threshold",)}
    log = catalog.client.get(f"{base(p)}/activity", query_string={"limit": 100},
                             headers=p["headers"]).get_json()["items"]
    removals = [e for e in log if e["action"] == "expert.removed"]
    assert sorted(e["subject"]["id"] for e in removals) == fallen and all(e["actor"] == "system" for e in removals)
    assert [e["action"] for e in log].count("page.requirements_unmet") == 1
    events = catalog.published_events()
    removed = [e["payload"] for e in events if e["event_type"] == "catalog.expert.removed"]
    assert sorted(r["freelancer_id"] for r in removed) == fallen
    assert all(r["reasons"] == ["jss_below_threshold"] and r["approved_anywhere"] is False for r in removed)
    pages = [e["payload"] for e in events if e["event_type"] == "catalog.page.changed"]
    assert len(pages) == 1  # one for the batch, not one per freelancer; the redelivery made none
    shown = {x["freelancer_id"]: x["jss"] for x in pages[-1]["page"]["use_cases"][0]["experts"]}
    assert shown == {fid: jss for fid, jss in scores.items() if jss >= 80}
