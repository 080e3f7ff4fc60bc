"""Issue 18, point 7: an expert's approval, decline and automatic removal name the use case
they happened in, on the activity log (its name while it exists, null once deleted)."""
import pytest

from tests.integration.catalog.test_curation_and_publishing import base, decide, save, use_case

pytestmark = pytest.mark.integration


def test_expert_decisions_and_removals_name_their_use_case_in_the_activity_log(catalog):
    p = catalog.partner()
    catalog.talent("fl-1")
    first, second = use_case(catalog, p, "Data pipelines"), use_case(catalog, p, "Dashboards")
    for uid in (first, second):
        save(catalog, p, uid, ["fl-1"])
    decide(catalog, p, first, "fl-1", "approve")
    decide(catalog, p, second, "fl-1", "decline")
    catalog.verdict(p["id"], "fl-1", False, ["profile_private"])
    log = catalog.client.get(f"{base(p)}/activity?kind=expert", headers=p["headers"]).get_json()["items"]
    named = [(e["action"], e["subject"]["use_case"]) for e in log if e["action"] != "expert.saved"]
    assert named == [("expert.removed", {"id": first, "name": "Data pipelines"}),
                     ("expert.declined", {"id": second, "name": "Dashboards"}),
                     ("expert.approved", {"id": first, "name": "Data pipelines"})]
    assert catalog.client.delete(f"{base(p)}/use-cases/{first}", headers=p["headers"]).status_code == 204
    log = catalog.client.get(f"{base(p)}/activity?kind=expert", headers=p["headers"]).get_json()["items"]
    assert log[0]["subject"]["use_case"] == {"id": first, "name": None}
