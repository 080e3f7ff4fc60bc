"""Re-score day through the front door, on both configurations: a file imported with
import-talent, every line accepted is stored in eligibility and searchable in catalog at its
new version, and every approved expert who fell below the rule is removed from the published
page, with reasons and an activity entry."""
from __future__ import annotations

import json
from datetime import datetime, timezone

import pytest
from sqlalchemy import func, select

from services.catalog.models import TalentProfile
from services.common.db import Database
from services.eligibility.importer import import_talent
from services.eligibility.models import Talent
from tests.e2e.helpers import eligible_talent, publishable_page
from tests.e2e.test_gateway_public_pages import publish
from tests.support.procs import wait_until

pytestmark = pytest.mark.e2e
RESCORED_AT = "2026-06-01T00:00:00Z"


def database(stack, part: str) -> Database:
    return Database(stack.env.get(f"{part.upper()}_DATABASE_URL")
                    or f"sqlite:///{stack.env['PORTAL_DATA_DIR']}/{part}.sqlite3")


def at_new_version(db: Database, model) -> int:
    moment = datetime(2026, 6, 1, tzinfo=timezone.utc)
    with db.reading() as conn:
        return conn.execute(select(func.count()).select_from(model).where(model.updated_at == moment)).scalar_one()


def test_a_rescore_file_reconciles_lines_accepted_profiles_stored_profiles_searchable_and_removals(stack, tmp_path):
    ready = publishable_page(stack, experts=12)
    pid, token, uid = ready["partner"]["id"], ready["admin"]["token"], ready["use_case_id"]
    slug = publish(stack, ready).rsplit("/", 1)[1]
    fallen = {doc["freelancer_id"] for doc in ready["talent"][:5]}
    rescored = [{**doc, "jss": 70 if doc["freelancer_id"] in fallen else 96 if doc["jss"] != 96 else 97,
                 "updated_at": RESCORED_AT}  # every JSS changes: a new version catalog shows
                for doc in ready["talent"] + eligible_talent(600, seed=31)]
    source = tmp_path / "rescore.ndjson"
    source.write_text("".join(json.dumps(doc) + "\n" for doc in rescored) + "not json\n")

    state = import_talent(source, stack.url, stack.operator_token, batch_lines=200, progress=False)
    assert (state.accepted, state.stale, state.rejected) == (612, 0, 1)
    eligibility, catalog = database(stack, "eligibility"), database(stack, "catalog")
    try:
        wait_until(lambda: at_new_version(catalog, TalentProfile) == 612, 60, 0.2, "every profile searchable")
        assert at_new_version(eligibility, Talent) == 612
    finally:
        eligibility.dispose()
        catalog.dispose()

    experts = f"/api/v1/partners/{pid}/use-cases/{uid}/experts"
    removed = stack.call("GET", experts, token, params={"status": "removed"}).json()["items"]
    assert {e["freelancer_id"] for e in removed} == fallen
    assert all(e["reasons"] == ["jss_below_threshold"] and e["decided_by"] == "system" for e in removed)
    log = stack.call("GET", f"/api/v1/partners/{pid}/activity", token, params={"limit": 100}).json()["items"]
    assert {e["subject"]["id"] for e in log if e["action"] == "expert.removed"} == fallen
    wait_until(lambda: {e["freelancer_id"] for uc in stack.call("GET", f"/api/v1/public/pages/{slug}").json()
                        ["use_cases"] for e in uc["experts"]} == {d["freelancer_id"] for d in ready["talent"]} - fallen,
               30, 0.2, "the page without the experts who fell")
